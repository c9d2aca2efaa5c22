"""Mews customers, reservations, hotels and rooms applied from sync's commands, and the
versions we hold of them (for sync's reconciliation).

Each command runs in one transaction: the inbox claim (by command id), the effect and the
outbox row announcing it commit together or not at all. Mews data is last-write-wins
(`attendandt.contracts.versioning`); a repeat or an older version changes nothing and
announces nothing.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.commands import UpsertGuest, UpsertProperty, UpsertRoom, UpsertStay
from attendandt.contracts.rpc.guests import MewsVersions, MewsVersionsRequest
from attendandt.contracts.snapshots import StaySnapshot, StayState
from attendandt.contracts.versioning import read_version, supersedes
from attendandt.guests import property_repository as pr
from attendandt.guests import stored_stay_repository as ssr
from attendandt.guests import upsert_repository as ur
from attendandt.guests import version_repository as vr
from attendandt.guests.guest_versions import apply_version, event_name, version_key
from attendandt.guests.input_checks import hotel_zone, require_aware
from attendandt.guests.models import inbox
from attendandt.guests.stay_events import announce_stay
from attendandt.guests.stay_notes import recognise_note_echo
from attendandt.platform.inbox import claim
from attendandt.platform.rpc import Invalid

_TOKEN = re.compile(r"^[A-Za-z0-9_\-]+$")


class Applied(enum.StrEnum):
    """What a command did."""

    APPLIED = "applied"
    #: The stored Mews version is as new or newer: nothing changed.
    STALE = "stale"
    #: This command id was processed before: nothing changed.
    DUPLICATE = "duplicate"


#: The event of a guest's new version (created / updated / merged).
guest_event_name = event_name


def stay_event_name(previous: StayState | None, state: StayState) -> str:
    """The event for a stay moving from `previous` (None: new) to `state`.

    A change of state into started / processed / canceled is a check-in / check-out /
    cancellation, also for a stay we see for the first time in that state (a walk-in checked
    in before the first sync); any other new stay is `created`, any other change `updated`.
    """
    if previous != state:
        transition = {
            StayState.STARTED: "checked_in",
            StayState.PROCESSED: "checked_out",
            StayState.CANCELED: "cancelled",
        }.get(state)
        if transition is not None:
            return transition
    return "created" if previous is None else "updated"


def stay_customers(stay: StaySnapshot) -> list[tuple[str, Literal["owner", "companion"]]]:
    """Owner first, then companions in Mews order, each customer once."""
    customers: list[tuple[str, Literal["owner", "companion"]]] = []
    seen: set[str] = set()
    if stay.owner_mews_id:
        customers.append((stay.owner_mews_id, "owner"))
        seen.add(stay.owner_mews_id)
    for mews_id in stay.companion_mews_ids:
        if mews_id and mews_id not in seen:
            customers.append((mews_id, "companion"))
            seen.add(mews_id)
    return customers


def _check_command(enterprise_id: str, mews_id: str, updated: datetime) -> None:
    if not _TOKEN.match(enterprise_id):
        raise Invalid(f"enterprise_id {enterprise_id!r} is not a single subject token")
    if not mews_id.strip():
        raise Invalid("mews_id is empty")
    require_aware(updated, "mews_updated_utc")


class MewsUpserts:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
        make_id: Callable[[], str],
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._make_id = make_id

    async def upsert_guest(self, command: UpsertGuest, *, consumer: str) -> Applied:
        guest = command.guest
        enterprise = command.enterprise_id
        _check_command(enterprise, guest.mews_id, guest.mews_updated_utc)
        async with self._sessions() as session, session.begin():
            if not await claim(session, inbox, consumer=consumer, message_id=command.command_id):
                return Applied.DUPLICATE
            await vr.lock_mews_entity(session, "customer", enterprise, guest.mews_id)
            previous = await ur.stored_guest(session, enterprise, guest.mews_id)
            guest_id = await apply_version(
                session,
                enterprise=enterprise,
                previous=previous,
                guest=guest,
                version=read_version(guest, command.issued_at),
                guest_id=previous.guest_id if previous else self._make_id(),
                synced_at=self._clock(),
                correlation_id=command.command_id,
            )
            if guest_id is None:
                return Applied.STALE
            if previous is None:
                await self._announce_stays_naming(
                    session, enterprise, guest_id, guest.mews_id, command.command_id
                )
        return Applied.APPLIED

    async def _announce_stays_naming(
        self,
        session: AsyncSession,
        enterprise: str,
        guest_id: str,
        mews_id: str,
        correlation_id: str,
    ) -> None:
        """A customer seen for the first time may already be on stays applied before it
        (sync applies reservations and customers independently): announce those stays again,
        same version, with the guest list that now includes it, so a subscriber that keeps
        a stay's guests (vendors, before it lets a guest of the stay be booked) learns it."""
        for stay_id, stay, version, customers in await ssr.stays_naming_customer(
            session, enterprise, mews_id
        ):
            await announce_stay(
                session,
                enterprise,
                stay_id,
                stay,
                [customer for customer, _ in customers],
                name="updated",
                event_id=f"stay:{stay_id}:{version_key(version)}:guest:{guest_id}",
                correlation_id=correlation_id,
            )

    async def upsert_stay(self, command: UpsertStay, *, consumer: str) -> Applied:
        stay = command.stay
        enterprise = command.enterprise_id
        _check_command(enterprise, stay.mews_id, stay.mews_updated_utc)
        for what, value in (
            ("scheduled_start_utc", stay.scheduled_start_utc),
            ("scheduled_end_utc", stay.scheduled_end_utc),
            ("actual_start_utc", stay.actual_start_utc),
            ("actual_end_utc", stay.actual_end_utc),
            ("cancelled_utc", stay.cancelled_utc),
        ):
            if value is not None:
                require_aware(value, what)
        customers = stay_customers(stay)
        async with self._sessions() as session, session.begin():
            if not await claim(session, inbox, consumer=consumer, message_id=command.command_id):
                return Applied.DUPLICATE
            await vr.lock_mews_entity(session, "reservation", enterprise, stay.mews_id)
            previous = await ur.stored_stay(session, enterprise, stay.mews_id)
            version = read_version(stay, command.issued_at)
            if previous is not None and not supersedes(version, previous.version):
                return Applied.STALE
            echo = previous is not None and await recognise_note_echo(
                session, enterprise, previous.stay_id, stay, at=self._clock()
            )
            stay_id = await ur.upsert_stay(
                session,
                stay_id=previous.stay_id if previous else self._make_id(),
                enterprise_id=enterprise,
                stay=stay,
                version=version,
                synced_at=self._clock(),
            )
            if stay_id is None:
                return Applied.STALE
            await ur.replace_stay_guests(
                session, stay_id=stay_id, enterprise_id=enterprise, customers=customers
            )
            if echo:
                # Stored, so the order of versions holds; our own note is no news from Mews.
                return Applied.APPLIED
            name = stay_event_name(previous.state if previous else None, stay.state)
            await announce_stay(
                session,
                enterprise,
                stay_id,
                stay,
                [mews_id for mews_id, _ in customers],
                name=name,
                event_id=f"stay:{stay_id}:{version_key(version)}",
                correlation_id=command.command_id,
            )
        return Applied.APPLIED

    async def upsert_property(self, command: UpsertProperty, *, consumer: str) -> Applied:
        """A hotel as Mews describes it; last write wins like a guest (`supersedes`: one
        without UpdatedUtc is older than any dated one). A hotel whose time zone is not an
        IANA name is refused: every day list of it would be wrong."""
        prop = command.property
        enterprise = command.enterprise_id
        if not _TOKEN.match(enterprise):
            raise Invalid(f"enterprise_id {enterprise!r} is not a single subject token")
        if prop.enterprise_id != enterprise:
            raise Invalid(
                f"the property {prop.enterprise_id!r} is not the command's {enterprise!r}"
            )
        hotel_zone(prop.time_zone)
        if prop.mews_updated_utc is not None:
            require_aware(prop.mews_updated_utc, "mews_updated_utc")
        version = read_version(prop, command.issued_at)
        async with self._sessions() as session, session.begin():
            if not await claim(session, inbox, consumer=consumer, message_id=command.command_id):
                return Applied.DUPLICATE
            await vr.lock_mews_entity(session, "property", enterprise, enterprise)
            stored = await pr.stored_property_version(session, enterprise)
            if stored is not None and not supersedes(version, stored):
                return Applied.STALE
            await pr.put_property(
                session,
                prop=prop,
                read_at=command.issued_at,
                digest=version.digest or "",
                synced_at=self._clock(),
            )
        return Applied.APPLIED

    async def upsert_room(self, command: UpsertRoom, *, consumer: str) -> Applied:
        """A room's name and housekeeping state (what stays show of their room). Nothing is
        announced: a room is no guest's or stay's news."""
        room = command.room
        enterprise = command.enterprise_id
        _check_command(enterprise, room.mews_id, room.mews_updated_utc)
        async with self._sessions() as session, session.begin():
            if not await claim(session, inbox, consumer=consumer, message_id=command.command_id):
                return Applied.DUPLICATE
            await vr.lock_mews_entity(session, "resource", enterprise, room.mews_id)
            previous = await ur.stored_room(session, enterprise, room.mews_id)
            version = read_version(room, command.issued_at)
            if previous is not None and not supersedes(version, previous.version):
                return Applied.STALE
            room_id = await ur.upsert_room(
                session,
                room_id=previous.room_id if previous else self._make_id(),
                enterprise_id=enterprise,
                room=room,
                version=version,
                synced_at=self._clock(),
            )
        return Applied.STALE if room_id is None else Applied.APPLIED

    async def mews_versions(self, request: MewsVersionsRequest) -> MewsVersions:
        """For reconciliation (sync), not for a user: Mews ids and times, nothing personal."""
        async with self._sessions() as session:
            versions = await vr.mews_versions(
                session, request.enterprise_id, request.entity, request.mews_ids
            )
        return MewsVersions(versions=versions)

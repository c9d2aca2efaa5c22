"""Mews customers, reservations, hotels and rooms applied from sync's commands, and the
versions we hold of them (for sync's reconciliation).

Each command runs in one transaction: the inbox claim (by command id), the effect and the
outbox row announcing it commit together or not at all. Mews data is last-write-wins
(`attendandt.contracts.versioning`); a repeat or an older version changes nothing and
announces nothing. A reservation is applied on a `UnitOfWork` (`stay_upserts`); the others
still on a session of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.commands import UpsertGuest, UpsertProperty, UpsertRoom, UpsertStay
from attendandt.contracts.rpc.guests import MewsVersions, MewsVersionsRequest
from attendandt.contracts.versioning import read_version, supersedes
from attendandt.guests import property_repository as pr
from attendandt.guests import stored_stay_repository as ssr
from attendandt.guests import upsert_repository as ur
from attendandt.guests import version_repository as vr
from attendandt.guests.applied import Applied
from attendandt.guests.guest_versions import apply_version, event_name, version_key
from attendandt.guests.input_checks import (
    check_mews_command,
    hotel_zone,
    require_aware,
    require_enterprise,
)
from attendandt.guests.models import inbox
from attendandt.guests.stay_events import announce_stay
from attendandt.guests.stay_upserts import upsert_stay
from attendandt.guests.unit_of_work import SqlUnitOfWork, UnitOfWork
from attendandt.platform.inbox import claim
from attendandt.platform.rpc import Invalid

#: The event of a guest's new version (created / updated / merged).
guest_event_name = event_name


class MewsUpserts:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
        make_id: Callable[[], str],
        units: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._make_id = make_id
        self._units = units or (lambda: SqlUnitOfWork(sessions))

    async def upsert_guest(self, command: UpsertGuest, *, consumer: str) -> Applied:
        guest = command.guest
        enterprise = command.enterprise_id
        check_mews_command(enterprise, guest.mews_id, guest.mews_updated_utc)
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
        return await upsert_stay(
            self._units(), command, consumer=consumer, clock=self._clock, make_id=self._make_id
        )

    async def upsert_property(self, command: UpsertProperty, *, consumer: str) -> Applied:
        """A hotel as Mews describes it; last write wins like a guest (`supersedes`: one
        without UpdatedUtc is older than any dated one). A hotel whose time zone is not an
        IANA name is refused: every day list of it would be wrong."""
        prop = command.property
        enterprise = command.enterprise_id
        require_enterprise(enterprise)
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
        check_mews_command(enterprise, room.mews_id, room.mews_updated_utc)
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

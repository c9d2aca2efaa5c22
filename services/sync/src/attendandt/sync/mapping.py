"""Mews entities → domain snapshots and commands. Pure functions.

Mews enums are not exhaustive: an unknown reservation state maps to `unknown` (kept
verbatim in `mews_state`) instead of failing. The command id and the JetStream message id
are the entity's version (`UpdatedUtc`), so a version is commanded once, however many
notifications announced it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from attendandt.contracts.commands import UpsertGuest, UpsertRoom, UpsertStay
from attendandt.contracts.snapshots import (
    CompanySnapshot,
    GuestSnapshot,
    RoomSnapshot,
    StayNote,
    StaySnapshot,
    StayState,
)
from attendandt.contracts.versioning import version_tag
from attendandt.mews.models import Customer, Reservation, Resource, ServiceOrderNote


class Unmappable(ValueError):
    """The entity lacks what the domain needs (e.g. no UpdatedUtc)."""


STAY_STATES = {
    "Inquired": StayState.INQUIRED,
    "Enquired": StayState.INQUIRED,  # the legacy spelling
    "Optional": StayState.OPTIONAL,
    "Requested": StayState.REQUESTED,
    "Confirmed": StayState.CONFIRMED,
    "Started": StayState.STARTED,
    "Processed": StayState.PROCESSED,
    "Canceled": StayState.CANCELED,
    "Cancelled": StayState.CANCELED,
}


def guest_snapshot(customer: Customer) -> GuestSnapshot:
    if customer.updated_utc is None:
        raise Unmappable(f"customer {customer.id} has no UpdatedUtc")
    return GuestSnapshot(
        mews_id=customer.id,
        mews_updated_utc=customer.updated_utc,
        first_name=customer.first_name,
        last_name=customer.last_name or "",
        email=customer.email,
        phone=customer.phone,
        language_code=customer.preferred_language_code or customer.language_code,
        nationality_code=customer.nationality_code,
        birth_date=customer.birth_date,
        classifications=tuple(customer.classifications or ()),
        company_mews_id=customer.company_id,
        notes=customer.notes,
        is_active=customer.is_active is not False,
        merge_target_mews_id=customer.merge_target_id,
    )


def stay_notes(notes: Iterable[ServiceOrderNote]) -> tuple[StayNote, ...]:
    """A reservation's notes, oldest first (then by id): the same notes always make the same
    snapshot, whatever order Mews listed them in."""
    ordered = sorted(notes, key=lambda n: (n.created_utc or n.updated_utc or _EPOCH, n.id))
    return tuple(
        StayNote(
            mews_id=note.id,
            text=note.text or "",
            type=note.type or "General",
            mews_updated_utc=note.updated_utc,
        )
        for note in ordered
        if note.text
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def stay_snapshot(
    reservation: Reservation,
    resource_name: str | None,
    companions: Iterable[str] = (),
    notes: Iterable[ServiceOrderNote] = (),
) -> StaySnapshot:
    if reservation.updated_utc is None:
        raise Unmappable(f"reservation {reservation.id} has no UpdatedUtc")
    mews_state = reservation.state or ""
    owner = (
        reservation.account_id if (reservation.account_type or "Customer") == "Customer" else None
    )
    return StaySnapshot(
        mews_id=reservation.id,
        mews_updated_utc=reservation.updated_utc,
        number=reservation.number,
        state=STAY_STATES.get(mews_state, StayState.UNKNOWN),
        mews_state=mews_state,
        scheduled_start_utc=reservation.scheduled_start_utc or reservation.start_utc,
        scheduled_end_utc=reservation.scheduled_end_utc or reservation.end_utc,
        actual_start_utc=reservation.actual_start_utc,
        actual_end_utc=reservation.actual_end_utc,
        cancelled_utc=reservation.cancelled_utc,
        resource_mews_id=reservation.assigned_resource_id,
        resource_name=resource_name,
        owner_mews_id=owner,
        company_mews_id=reservation.partner_company_id,
        service_mews_id=reservation.service_id,
        companion_mews_ids=tuple(dict.fromkeys(companions)),
        notes=stay_notes(notes),
    )


def room_snapshot(resource: Resource, category_name: str | None = None) -> RoomSnapshot:
    """`category_name`: the room type's name in the hotel's language (`room_categories`)."""
    if resource.updated_utc is None:
        raise Unmappable(f"resource {resource.id} has no UpdatedUtc")
    return RoomSnapshot(
        mews_id=resource.id,
        mews_updated_utc=resource.updated_utc,
        name=resource.name,
        state=resource.state,
        category_name=category_name,
        is_active=resource.is_active is not False,
    )


def utc_tag(updated_utc: datetime | None, digest: str) -> str:
    """`versioning.version_tag` with UpdatedUtc in UTC: a command id must not depend on the
    offset a time came with."""
    return version_tag(None if updated_utc is None else updated_utc.astimezone(UTC), digest)


def version_id(
    kind: str,
    enterprise_id: str,
    snapshot: GuestSnapshot | StaySnapshot | CompanySnapshot | RoomSnapshot,
    tag: str | None = None,
) -> str:
    """The version is the id: UpdatedUtc and the content's digest (two changes within one
    second share an UpdatedUtc, and the second must not be taken for a repeat of the first).
    A repair (reconciliation) adds its run's tag, because the consumer's inbox may already
    hold the version it has to apply again."""
    stamp = utc_tag(snapshot.mews_updated_utc, snapshot.digest())
    version = f"{kind}:{enterprise_id}:{snapshot.mews_id}:{stamp}"
    return f"{version}:{tag}" if tag else version


def upsert_guest(enterprise_id: str, guest: GuestSnapshot, tag: str | None = None) -> UpsertGuest:
    command_id = version_id("guest", enterprise_id, guest, tag)
    return UpsertGuest(
        command_id=command_id, enterprise_id=enterprise_id, issued_at=datetime.now(UTC), guest=guest
    )


def upsert_stay(enterprise_id: str, stay: StaySnapshot, tag: str | None = None) -> UpsertStay:
    command_id = version_id("stay", enterprise_id, stay, tag)
    return UpsertStay(
        command_id=command_id, enterprise_id=enterprise_id, issued_at=datetime.now(UTC), stay=stay
    )


def upsert_room(enterprise_id: str, room: RoomSnapshot, tag: str | None = None) -> UpsertRoom:
    command_id = version_id("room", enterprise_id, room, tag)
    return UpsertRoom(
        command_id=command_id, enterprise_id=enterprise_id, issued_at=datetime.now(UTC), room=room
    )

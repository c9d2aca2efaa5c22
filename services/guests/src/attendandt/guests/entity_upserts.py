"""Applying a Mews customer, hotel or room from sync's commands (`UpsertGuest`,
`UpsertProperty`, `UpsertRoom`), each on a `UnitOfWork`.

In one unit of work: the inbox claim (by command id), the effect (last write wins,
`versioning.supersedes`, checked again by the store) and the events that announce it. A
repeat changes nothing and announces nothing; an older version changes nothing either, but
its claim commits (the command is done: its redelivery is a repeat). An error rolls
everything back (redelivery retries it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from attendandt.contracts.commands import UpsertGuest, UpsertProperty, UpsertRoom
from attendandt.contracts.versioning import read_version, supersedes
from attendandt.guests.applied import Applied
from attendandt.guests.guest_versions import apply_version, version_key
from attendandt.guests.input_checks import (
    check_mews_command,
    hotel_zone,
    require_aware,
    require_enterprise,
)
from attendandt.guests.stay_events import stay_event
from attendandt.guests.unit_of_work import UnitOfWork
from attendandt.platform.rpc import Invalid


async def upsert_guest(
    uow: UnitOfWork,
    command: UpsertGuest,
    *,
    consumer: str,
    clock: Callable[[], datetime],
    make_id: Callable[[], str],
) -> Applied:
    """Apply the command's customer (`guest_versions.apply_version`: its event, our own edit
    recognised); a customer new to us is announced again on the stays that already name it."""
    guest = command.guest
    check_mews_command(command.enterprise_id, guest.mews_id, guest.mews_updated_utc)
    async with uow:
        applied = await _apply_guest(uow, command, consumer=consumer, clock=clock, make_id=make_id)
        await uow.commit()
    return applied


async def _apply_guest(
    uow: UnitOfWork,
    command: UpsertGuest,
    *,
    consumer: str,
    clock: Callable[[], datetime],
    make_id: Callable[[], str],
) -> Applied:
    guest = command.guest
    enterprise = command.enterprise_id
    if not await uow.claim(command.command_id, consumer=consumer):
        return Applied.DUPLICATE
    await uow.guests.lock(enterprise, guest.mews_id)
    previous = await uow.guests.get(enterprise, guest.mews_id)
    guest_id = await apply_version(
        uow,
        enterprise=enterprise,
        previous=previous,
        guest=guest,
        version=read_version(guest, command.issued_at),
        guest_id=previous.guest_id if previous else make_id(),
        synced_at=clock(),
        correlation_id=command.command_id,
    )
    if guest_id is None:
        return Applied.STALE
    if previous is None:
        await announce_stays_naming(uow, enterprise, guest_id, guest.mews_id, command.command_id)
    return Applied.APPLIED


async def announce_stays_naming(
    uow: UnitOfWork, enterprise: str, guest_id: str, mews_id: str, correlation_id: str
) -> None:
    """A customer seen for the first time may already be on stays applied before it (sync
    applies reservations and customers independently): announce those stays again, same
    version, with the guest list that now includes it, so a subscriber that keeps a stay's
    guests (vendors, before it lets a guest of the stay be booked) learns it."""
    for stay_id, stay, version, customers in await uow.stays.naming_customer(enterprise, mews_id):
        on_stay = [customer for customer, _ in customers]
        guest_ids = await uow.stays.known_guests(enterprise, on_stay)
        subject, event = stay_event(
            enterprise,
            stay_id,
            stay,
            guest_ids,
            name="updated",
            event_id=f"stay:{stay_id}:{version_key(version)}:guest:{guest_id}",
        )
        await uow.queue(subject, event, msg_id=event.event_id, correlation_id=correlation_id)


def check_property(command: UpsertProperty) -> None:
    """Refuse (`Invalid`) a hotel of another enterprise than the command's, one whose time
    zone is not an IANA name (every day list of it would be wrong), or a naive UpdatedUtc."""
    prop = command.property
    enterprise = command.enterprise_id
    require_enterprise(enterprise)
    if prop.enterprise_id != enterprise:
        raise Invalid(f"the property {prop.enterprise_id!r} is not the command's {enterprise!r}")
    hotel_zone(prop.time_zone)
    if prop.mews_updated_utc is not None:
        require_aware(prop.mews_updated_utc, "mews_updated_utc")


async def upsert_property(
    uow: UnitOfWork,
    command: UpsertProperty,
    *,
    consumer: str,
    clock: Callable[[], datetime],
) -> Applied:
    """A hotel as Mews describes it; last write wins like a guest (`supersedes`: one without
    UpdatedUtc is older than any dated one). Nothing is announced."""
    check_property(command)
    prop = command.property
    enterprise = command.enterprise_id
    version = read_version(prop, command.issued_at)
    async with uow:
        applied = Applied.DUPLICATE
        if await uow.claim(command.command_id, consumer=consumer):
            await uow.properties.lock(enterprise)
            stored = await uow.properties.version(enterprise)
            applied = Applied.STALE
            if stored is None or supersedes(version, stored):
                await uow.properties.put(
                    prop=prop,
                    read_at=command.issued_at,
                    digest=version.digest or "",
                    synced_at=clock(),
                )
                applied = Applied.APPLIED
        await uow.commit()
    return applied


async def upsert_room(
    uow: UnitOfWork,
    command: UpsertRoom,
    *,
    consumer: str,
    clock: Callable[[], datetime],
    make_id: Callable[[], str],
) -> Applied:
    """A room's name and housekeeping state (what stays show of their room). Nothing is
    announced: a room is no guest's or stay's news."""
    room = command.room
    enterprise = command.enterprise_id
    check_mews_command(enterprise, room.mews_id, room.mews_updated_utc)
    async with uow:
        applied = Applied.DUPLICATE
        if await uow.claim(command.command_id, consumer=consumer):
            await uow.rooms.lock(enterprise, room.mews_id)
            previous = await uow.rooms.get(enterprise, room.mews_id)
            version = read_version(room, command.issued_at)
            applied = Applied.STALE
            if previous is None or supersedes(version, previous.version):
                room_id = await uow.rooms.put(
                    room_id=previous.room_id if previous else make_id(),
                    enterprise_id=enterprise,
                    room=room,
                    version=version,
                    synced_at=clock(),
                )
                applied = Applied.STALE if room_id is None else Applied.APPLIED
        await uow.commit()
    return applied

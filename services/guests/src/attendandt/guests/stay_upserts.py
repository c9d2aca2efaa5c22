"""Applying a Mews reservation from sync's command (`UpsertStay`), on a `UnitOfWork`.

In one unit of work: the inbox claim (by command id), the stay (last write wins,
`versioning.supersedes`), its customers, and the event that says what happened (created,
updated, checked in / out, cancelled). A repeat or an older version changes nothing and
announces nothing; our own note coming back from Mews is stored without an event
(`stay_notes.recognise_note_echo`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from attendandt.contracts.commands import UpsertStay
from attendandt.contracts.snapshots import StaySnapshot, StayState
from attendandt.contracts.versioning import read_version, supersedes
from attendandt.guests.applied import Applied
from attendandt.guests.guest_versions import version_key
from attendandt.guests.input_checks import check_mews_command, require_aware
from attendandt.guests.stay_events import stay_event
from attendandt.guests.stay_notes import recognise_note_echo
from attendandt.guests.unit_of_work import Role, UnitOfWork


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


def stay_customers(stay: StaySnapshot) -> list[tuple[str, Role]]:
    """Owner first, then companions in Mews order, each customer once."""
    customers: list[tuple[str, Role]] = []
    seen: set[str] = set()
    if stay.owner_mews_id:
        customers.append((stay.owner_mews_id, "owner"))
        seen.add(stay.owner_mews_id)
    for mews_id in stay.companion_mews_ids:
        if mews_id and mews_id not in seen:
            customers.append((mews_id, "companion"))
            seen.add(mews_id)
    return customers


def check_stay(command: UpsertStay) -> None:
    """Refuse (`Invalid`) a command whose stay lacks what is needed or has naive times."""
    stay = command.stay
    check_mews_command(command.enterprise_id, stay.mews_id, stay.mews_updated_utc)
    for what, value in (
        ("scheduled_start_utc", stay.scheduled_start_utc),
        ("scheduled_end_utc", stay.scheduled_end_utc),
        ("actual_start_utc", stay.actual_start_utc),
        ("actual_end_utc", stay.actual_end_utc),
        ("cancelled_utc", stay.cancelled_utc),
    ):
        if value is not None:
            require_aware(value, what)


async def upsert_stay(
    uow: UnitOfWork,
    command: UpsertStay,
    *,
    consumer: str,
    clock: Callable[[], datetime],
    make_id: Callable[[], str],
) -> Applied:
    """Apply the command's stay; what it did. The claim commits also when the version is
    stale (the command is done); an error rolls everything back (redelivery retries it)."""
    check_stay(command)
    async with uow:
        applied = await _apply(uow, command, consumer=consumer, clock=clock, make_id=make_id)
        await uow.commit()
    return applied


async def _apply(
    uow: UnitOfWork,
    command: UpsertStay,
    *,
    consumer: str,
    clock: Callable[[], datetime],
    make_id: Callable[[], str],
) -> Applied:
    stay = command.stay
    enterprise = command.enterprise_id
    if not await uow.claim(command.command_id, consumer=consumer):
        return Applied.DUPLICATE
    await uow.stays.lock(enterprise, stay.mews_id)
    previous = await uow.stays.get(enterprise, stay.mews_id)
    version = read_version(stay, command.issued_at)
    if previous is not None and not supersedes(version, previous.version):
        return Applied.STALE
    echo = previous is not None and await recognise_note_echo(
        uow, enterprise, previous.stay_id, stay, at=clock()
    )
    stay_id = await uow.stays.put(
        stay_id=previous.stay_id if previous else make_id(),
        enterprise_id=enterprise,
        stay=stay,
        version=version,
        synced_at=clock(),
    )
    if stay_id is None:
        return Applied.STALE
    customers = stay_customers(stay)
    await uow.stays.replace_customers(
        stay_id=stay_id, enterprise_id=enterprise, customers=customers
    )
    if echo:
        # Stored, so the order of versions holds; our own note is no news from Mews.
        return Applied.APPLIED
    guest_ids = await uow.stays.known_guests(enterprise, [mews_id for mews_id, _ in customers])
    subject, event = stay_event(
        enterprise,
        stay_id,
        stay,
        guest_ids,
        name=stay_event_name(previous.state if previous else None, stay.state),
        event_id=f"stay:{stay_id}:{version_key(version)}",
    )
    await uow.queue(subject, event, msg_id=event.event_id, correlation_id=command.command_id)
    return Applied.APPLIED

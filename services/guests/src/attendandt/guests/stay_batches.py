"""Applying a batch of sync's `UpsertStay` commands in one unit of work, with set-based
writes (as `guest_batches` does for customers): the inbox claims, the reservations' locks,
their stored versions, the upsert, the stays' customers and those customers' guest ids are
each one statement for the whole batch, the events one insert at commit.

The outcome is the one applying the commands one by one, in order, gives
(`stay_upserts.upsert_stay`, whose rules it reuses): a repeated command id is a duplicate, a
version that does not supersede the stored one is stale, several versions of one
reservation apply in their order (one per round), and our own note coming back from Mews
is stored without an event (`stay_notes.recognise_note_echo`, asked only for stays with a
note written here). All or nothing: an error rolls the whole batch back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from attendandt.contracts.commands import UpsertStay
from attendandt.contracts.versioning import MewsVersion, read_version, supersedes
from attendandt.guests.applied import Applied
from attendandt.guests.batch_rounds import Key, Numbered, Turns, apply_in_rounds, untraced
from attendandt.guests.guest_versions import version_key
from attendandt.guests.stay_events import stay_event
from attendandt.guests.stay_notes import recognise_note_echo
from attendandt.guests.stay_upserts import check_stay, stay_customers, stay_event_name
from attendandt.guests.unit_of_work import UnitOfWork
from attendandt.guests.upsert_repository import StayPut, StoredStay


def _key(command: UpsertStay) -> Key:
    return (command.enterprise_id, command.stay.mews_id)


async def upsert_stays(
    uow: UnitOfWork,
    commands: Sequence[UpsertStay],
    *,
    consumer: str,
    clock: Callable[[], datetime],
    make_id: Callable[[], str],
    each: Callable[[UpsertStay], AbstractContextManager[object]] = untraced,
    turns: Turns | None = None,
) -> list[Applied]:
    """Apply `commands` in order, together; what became of each. `each(command)` is entered
    while a command's event is queued (the transport continues its trace there); `turns`
    orders the claims and locks of batches applied at once (`batch_rounds.Turns`)."""
    for command in commands:
        check_stay(command)
    return await apply_in_rounds(
        uow,
        commands,
        consumer=consumer,
        key=_key,
        # Looked up when called: the unit of work binds its repositories as it begins.
        lock=lambda keys: uow.stays.lock_many(keys),  # noqa: PLW0108
        apply_round=lambda numbered: _apply_round(
            uow, numbered, clock=clock, make_id=make_id, each=each
        ),
        turns=turns,
    )


async def _apply_round(
    uow: UnitOfWork,
    commands: Sequence[Numbered[UpsertStay]],
    *,
    clock: Callable[[], datetime],
    make_id: Callable[[], str],
    each: Callable[[UpsertStay], AbstractContextManager[object]],
) -> dict[int, Applied]:
    stored = await uow.stays.get_many([_key(c) for _, c in commands])
    at = clock()
    outcome: dict[int, Applied] = {}
    newer: list[tuple[int, UpsertStay, StoredStay | None, MewsVersion]] = []
    for i, command in commands:
        previous = stored.get(_key(command))
        version = read_version(command.stay, command.issued_at)
        if previous is not None and not supersedes(version, previous.version):
            outcome[i] = Applied.STALE
        else:
            newer.append((i, command, previous, version))
    with_writes = await uow.stays.with_note_writes([p.stay_id for _, _, p, _ in newer if p])
    echoes: set[int] = set()
    for i, command, previous, _ in newer:
        if previous is not None and previous.stay_id in with_writes:
            enterprise, stay = command.enterprise_id, command.stay
            if await recognise_note_echo(uow, enterprise, previous.stay_id, stay, at=at):
                echoes.add(i)
    ids = await uow.stays.put_many(
        [
            StayPut(p.stay_id if p else make_id(), c.enterprise_id, c.stay, version, at)
            for _, c, p, version in newer
        ]
    )
    await uow.stays.replace_customers_of(
        {
            ids[_key(c)]: (c.enterprise_id, stay_customers(c.stay))
            for _, c, _, _ in newer
            if _key(c) in ids
        }
    )
    announced = [c for i, c, _, _ in newer if _key(c) in ids and i not in echoes]
    known = await uow.stays.guest_ids(
        [(c.enterprise_id, m) for c in announced for m, _ in stay_customers(c.stay)]
    )
    for i, command, previous, version in newer:
        stay_id = ids.get(_key(command))
        # Not stored: the store's guard saw a newer version meanwhile. Our note's echo:
        # stored, so the order of versions holds, but no news from Mews.
        outcome[i] = Applied.STALE if stay_id is None else Applied.APPLIED
        if stay_id is None or i in echoes:
            continue
        enterprise, stay = command.enterprise_id, command.stay
        customers = [(enterprise, m) for m, _ in stay_customers(stay)]
        subject, event = stay_event(
            enterprise,
            stay_id,
            stay,
            tuple(known[c] for c in customers if c in known),
            name=stay_event_name(previous.state if previous else None, stay.state),
            event_id=f"stay:{stay_id}:{version_key(version)}",
        )
        with each(command):
            await uow.queue(
                subject, event, msg_id=event.event_id, correlation_id=command.command_id
            )
    return outcome

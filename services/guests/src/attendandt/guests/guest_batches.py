"""Applying a batch of sync's `UpsertGuest` commands in one unit of work, with set-based
writes: the inbox claims, the customers' locks, their stored versions and the upsert are
each one statement for the whole batch, the events one insert at commit.

The outcome is the one applying the commands one by one, in order, gives
(`entity_upserts.upsert_guest`, whose steps are the same functions): a repeated command id is
a duplicate, a version that does not supersede the stored one is stale, and several versions
of one customer in a batch apply in their order (each round of the batch takes each customer
at most once). A guest new to us on a stay already stored announces that stay again; a guest
with an open staff edit has the edit recognised in Mews's version. All or nothing: an error
rolls the whole batch back (the consumer then applies its commands one by one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from attendandt.contracts.commands import UpsertGuest
from attendandt.contracts.versioning import MewsVersion, read_version
from attendandt.guests.applied import Applied
from attendandt.guests.batch_rounds import Key, Numbered, Turns, apply_in_rounds, untraced
from attendandt.guests.entity_upserts import announce_stays_naming
from attendandt.guests.guest_versions import Planned, after_storing, plan_version
from attendandt.guests.input_checks import check_mews_command
from attendandt.guests.unit_of_work import UnitOfWork
from attendandt.guests.upsert_repository import GuestPut, StoredGuest


@dataclass(frozen=True)
class _Plan:
    command: UpsertGuest
    previous: StoredGuest | None
    version: MewsVersion
    planned: Planned
    put: GuestPut

    @property
    def key(self) -> Key:
        return (self.command.enterprise_id, self.command.guest.mews_id)


async def upsert_guests(
    uow: UnitOfWork,
    commands: Sequence[UpsertGuest],
    *,
    consumer: str,
    clock: Callable[[], datetime],
    make_id: Callable[[], str],
    each: Callable[[UpsertGuest], AbstractContextManager[object]] = untraced,
    turns: Turns | None = None,
) -> list[Applied]:
    """Apply `commands` in order, together; what became of each. `each(command)` is entered
    while a command's events are queued (the transport continues its trace there); `turns`
    orders the claims and locks of batches applied at once (`batch_rounds.Turns`)."""
    for command in commands:
        guest = command.guest
        check_mews_command(command.enterprise_id, guest.mews_id, guest.mews_updated_utc)
    return await apply_in_rounds(
        uow,
        commands,
        consumer=consumer,
        key=_key,
        # Looked up when called: the unit of work binds its repositories as it begins.
        lock=lambda keys: uow.guests.lock_many(keys),  # noqa: PLW0108
        apply_round=lambda numbered: _apply_round(
            uow, numbered, clock=clock, make_id=make_id, each=each
        ),
        turns=turns,
    )


def _key(command: UpsertGuest) -> Key:
    return (command.enterprise_id, command.guest.mews_id)


async def _apply_round(
    uow: UnitOfWork,
    commands: Sequence[Numbered[UpsertGuest]],
    *,
    clock: Callable[[], datetime],
    make_id: Callable[[], str],
    each: Callable[[UpsertGuest], AbstractContextManager[object]],
) -> dict[int, Applied]:
    stored = await uow.guests.get_many([_key(c) for _, c in commands])
    synced_at = clock()
    outcome: dict[int, Applied] = {}
    plans: list[tuple[int, _Plan]] = []
    for i, command in commands:
        previous = stored.get(_key(command))
        version = read_version(command.guest, command.issued_at)
        planned = plan_version(previous, command.guest, version)
        if planned is None:
            outcome[i] = Applied.STALE
            continue
        guest_id = previous.guest_id if previous else make_id()
        put = GuestPut(
            guest_id,
            command.enterprise_id,
            command.guest,
            version,
            synced_at,
            planned.field_changed_utc,
        )
        plans.append((i, _Plan(command, previous, version, planned, put)))
    ids = await uow.guests.put_many([plan.put for _, plan in plans])
    known = [ids[p.key] for _, p in plans if p.previous is not None and p.key in ids]
    with_edits = await uow.guests.with_open_edits(known)
    new = [p.key for _, p in plans if p.previous is None and p.key in ids]
    on_stays = await uow.stays.named_customers(new)
    for i, plan in plans:
        stored_id = ids.get(plan.key)
        if stored_id is None:  # the store's guard: a newer version came meanwhile
            outcome[i] = Applied.STALE
            continue
        command = plan.command
        with each(command):
            await after_storing(
                uow,
                enterprise=command.enterprise_id,
                previous=plan.previous,
                guest=command.guest,
                version=plan.version,
                stored_id=stored_id,
                changed=plan.planned.changed,
                synced_at=synced_at,
                correlation_id=command.command_id,
                open_edits=stored_id in with_edits,
            )
            if plan.key in on_stays:
                await announce_stays_naming(
                    uow, command.enterprise_id, stored_id, command.guest.mews_id, command.command_id
                )
        outcome[i] = Applied.APPLIED
    return outcome

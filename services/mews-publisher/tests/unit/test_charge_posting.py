"""Posting a charge (`charges.ChargePosting`) on the in-memory unit of work and a fake Mews
client: exactly-once bookkeeping (the ledger, the inbox claim) and the result queued with
the effect, or not at all. The same use case runs on Postgres, NATS and the Mews simulator
in test_post_charge.py and test_exactly_once.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from publisher_fakes import FakeEnterprises, FakeLocks, FakeMews, FakeStore, FakeUnitOfWork

from attendandt.contracts.commands import RECORD_CHARGE_RESULT, RecordChargeResult
from attendandt.contracts.outbound import ChargeLine, PostCharge
from attendandt.mews import MewsBadRequest, MewsOutcomeUnknown
from attendandt.mews.models.orders import OrderAddResult, OrdersAdd
from attendandt.mews_publisher.charges import POST_CHARGE_CONSUMER, ChargePosting
from attendandt.mews_publisher.service import Retry

ENT = "ent-1"
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SETTLE = timedelta(seconds=60)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Setup:
    def __init__(
        self,
        store: FakeStore | None = None,
        *,
        uow: FakeUnitOfWork | None = None,
        mews: FakeMews | None = None,
    ) -> None:
        self.clock = Clock()
        self.uow = uow or FakeUnitOfWork(store, clock=self.clock)
        self.uow.clock = self.clock
        self.mews = mews or FakeMews()
        self.locks = FakeLocks()
        self.posting = ChargePosting(
            lambda: self.uow,
            self.locks,
            FakeEnterprises(**{ENT: self.mews}),  # type: ignore[arg-type]
            settle_s=SETTLE.total_seconds(),
            clock=self.clock,
        )

    @property
    def store(self) -> FakeStore:
        return self.uow.store

    def results(self) -> list[RecordChargeResult]:
        return [q.payload for q in self.store.outbox if isinstance(q.payload, RecordChargeResult)]


def charge(n: int = 1) -> PostCharge:
    return PostCharge(
        command_id=f"cmd-{n}",
        enterprise_id=ENT,
        charge_id=f"charge-{n}",
        reference=f"ref-{n}",
        account_id="acc-1",
        service_id="svc-1",
        lines=(ChargeLine(name="Massage", unit_count=1, unit_amount=Decimal(80), currency="EUR"),),
        requested_at=T0,
    )


async def test_a_charge_seen_twice_is_sent_once_and_reported_once() -> None:
    s = Setup()
    await s.posting.post_charge(charge())
    await s.posting.post_charge(charge())  # a redelivery: the inbox says it is done

    assert len(s.mews.requests) == 1
    [attempt] = s.store.attempts.values()
    assert (attempt.attempt, attempt.state, attempt.mews_order_id) == (1, "posted", "order-1")
    assert s.store.inbox == {(POST_CHARGE_CONSUMER, "cmd-1")}
    [queued] = s.store.outbox
    assert (queued.subject, queued.msg_id) == (RECORD_CHARGE_RESULT.format(), "charge-result:cmd-1")
    [result] = s.results()
    assert (result.charge_id, result.posted, result.mews_order_id) == ("charge-1", True, "order-1")
    assert s.locks.taken == ["ref-1", "ref-1"]


async def test_a_lost_answer_is_looked_up_instead_of_sent_again() -> None:
    s = Setup()
    s.mews.lose_answer = MewsOutcomeUnknown("read timed out", operation="orders/add")
    with pytest.raises(Retry, match="unknown"):
        await s.posting.post_charge(charge())
    [attempt] = s.store.attempts.values()
    assert attempt.state == "unknown"
    assert s.store.outbox == []
    assert s.store.inbox == set()

    with pytest.raises(Retry, match="too early"):  # before Mews settled: no lookup yet
        await s.posting.post_charge(charge())
    s.clock.now += SETTLE
    await s.posting.post_charge(charge())

    assert len(s.mews.requests) == 1  # found by its reference: never sent again
    [attempt] = s.store.attempts.values()
    assert (attempt.state, attempt.mews_order_id) == ("posted", "order-1")
    assert [r.mews_order_id for r in s.results()] == ["order-1"]


async def test_a_posting_whose_command_was_claimed_meanwhile_still_records_the_order() -> None:
    """The inbox already holds the command when Mews answers (another worker finished it
    while this one sent: its lock was lost with its connection). The order is still recorded
    on this attempt, and no second result is queued."""
    s = Setup()
    add_order = s.mews.add_order

    async def claimed_meanwhile(request: OrdersAdd) -> OrderAddResult:
        async with s.uow as uow:
            assert await uow.claim("cmd-1", consumer=POST_CHARGE_CONSUMER)
            await uow.commit()
        return await add_order(request)

    s.mews.add_order = claimed_meanwhile  # type: ignore[method-assign]
    await s.posting.post_charge(charge())

    [attempt] = s.store.attempts.values()
    assert (attempt.state, attempt.mews_order_id) == ("posted", "order-1")
    assert s.store.outbox == []


async def test_a_charge_mews_refuses_is_reported_failed_for_good() -> None:
    s = Setup()
    s.mews.fail_next.append(MewsBadRequest("Invalid account", operation="orders/add", status=400))
    await s.posting.post_charge(charge())
    await s.posting.post_charge(charge())

    assert len(s.mews.requests) == 1
    [attempt] = s.store.attempts.values()
    assert (attempt.state, attempt.mews_message) == ("failed", "Invalid account")
    [result] = s.results()
    assert (result.posted, result.permanent, result.failure_reason) == (
        False,
        True,
        "Invalid account",
    )


async def test_a_charge_another_worker_holds_is_left_for_later() -> None:
    s = Setup()
    s.locks.held.add("ref-1")
    with pytest.raises(Retry, match="another worker"):
        await s.posting.post_charge(charge())
    assert s.mews.requests == []
    assert s.store == FakeStore()


class _CommitFailsWithTheResult(FakeUnitOfWork):
    """The unit of work that would commit the result fails to (the database went away)."""

    async def commit(self) -> None:
        if len(self.working.outbox) > len(self.store.outbox):
            raise ConnectionError("the database went away")
        await super().commit()


async def test_the_result_is_queued_with_the_effect_or_not_at_all() -> None:
    failing = _CommitFailsWithTheResult(clock=Clock())
    s = Setup(uow=failing)
    with pytest.raises(ConnectionError):
        await s.posting.post_charge(charge())
    # The "sending" row committed before the request left; the outcome, the claim and the
    # result were left without commit: all discarded together.
    [attempt] = s.store.attempts.values()
    assert attempt.state == "sending"
    assert (s.store.inbox, s.store.outbox) == (set(), [])

    again = Setup(failing.store, mews=s.mews)  # the same Mews, which holds the order
    again.clock.now += SETTLE
    await again.posting.post_charge(charge())
    assert len(s.mews.requests) == 1
    assert [r.mews_order_id for r in again.results()] == ["order-1"]
    assert again.store.inbox == {(POST_CHARGE_CONSUMER, "cmd-1")}


async def test_leaving_a_unit_of_work_without_commit_discards_what_it_queued() -> None:
    uow = FakeUnitOfWork(clock=Clock())
    result = RecordChargeResult(
        command_id="charge-result:cmd-1",
        enterprise_id=ENT,
        issued_at=T0,
        charge_id="charge-1",
        posted=True,
        mews_order_id="order-1",
    )
    async with uow:
        assert await uow.claim("cmd-1", consumer=POST_CHARGE_CONSUMER)
        await uow.queue(RECORD_CHARGE_RESULT.format(), result, msg_id=result.command_id)
    assert uow.store == FakeStore()
    async with uow:
        assert await uow.claim("cmd-1", consumer=POST_CHARGE_CONSUMER)
        await uow.queue(RECORD_CHARGE_RESULT.format(), result, msg_id=result.command_id)
        await uow.commit()
    assert [q.payload for q in uow.store.outbox] == [result]
    assert await uow.processed("cmd-1", consumer=POST_CHARGE_CONSUMER)

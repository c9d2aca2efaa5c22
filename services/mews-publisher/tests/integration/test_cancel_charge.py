"""Taking a posted charge back from the simulator: cancelled (or offset) once, whatever goes
wrong on the way, and reported to vendors with how."""

import asyncio
import os
import signal
import sys
import uuid
from typing import Any

import pytest
from nats.js import JetStreamContext
from publisher_testkit import (
    Hotel,
    cancel_ledger,
    cancel_of,
    cancellations,
    charge,
    items_of,
    ledger,
    process_env,
    running,
    send,
    settings_for,
    wait_cancellations,
    wait_for,
    wait_results,
)

from attendandt.contracts.commands import CancellationMethod
from attendandt.contracts.outbound import CANCEL_CHARGE, PostCharge
from attendandt.contracts.streams import ensure_streams
from attendandt.mews_publisher.app import PublisherApp, create_app
from attendandt.platform.messaging import publish
from attendandt.testing.processes import spawn, stop


async def posted(
    js: JetStreamContext, h: Hotel, n: int = 0, **options: str
) -> tuple[PostCharge, str]:
    """A charge posted through the publisher, and its Mews order."""
    command = charge(h, n, **options)
    before = len(await wait_results(js, 0))
    await send(js, command)
    result = (await wait_results(js, before + 1))[-1]
    assert result.posted
    assert result.mews_order_id
    return command, result.mews_order_id


def requests(mews_sim, path: str) -> int:  # type: ignore[no-untyped-def]
    return int(mews_sim.control.counters()["requests_by_path"].get(path, 0))


async def test_a_posted_charge_is_cancelled_once_and_reported(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    command, order_id = await posted(jetstream, gross)
    cancel = cancel_of(command, order_id)
    await send(jetstream, cancel)
    [result] = await wait_cancellations(jetstream, 1)
    [item] = await items_of(mews_sim, command.reference)
    assert result.cancelled
    assert result.method is CancellationMethod.ORDER_ITEMS_CANCELLED
    assert result.order_item_ids == (item.id,)
    assert result.command_id == f"charge-cancellation:{cancel.command_id}"
    assert item.accounting_state == "Canceled"
    assert item.canceled_utc is not None
    url = str(publisher.settings.database.url)
    [row] = await cancel_ledger(url, command.reference)
    assert (row["method"], row["state"], row["order_item_ids"]) == (
        "cancel",
        "cancelled",
        [item.id],
    )

    # The same command again (another message id): nothing new. A new command for the same
    # charge: read, found cancelled, reported again without a second cancel.
    await publish(
        jetstream, CANCEL_CHARGE, cancel, msg_id=f"{cancel.command_id}:again",
        enterprise=cancel.enterprise_id,
    )  # fmt: skip
    await send(jetstream, cancel_of(command, order_id, attempt=2))
    both = await wait_cancellations(jetstream, 2)
    assert [r.cancelled for r in both] == [True, True]
    await asyncio.sleep(0.5)  # give a wrong extra result the time to show up
    assert len(await cancellations(jetstream)) == 2
    counters = mews_sim.control.counters()
    assert counters["order_items_canceled"] == 1
    assert requests(mews_sim, "orderItems/cancel") == 1
    assert len(await cancel_ledger(url, command.reference)) == 1


async def test_a_lost_cancel_answer_is_read_back_not_sent_again(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    dropped, held = await posted(jetstream, gross, 0), await posted(jetstream, gross, 1)
    mews_sim.control.lose_response(path="orderItems/cancel", mode="drop")
    await send(jetstream, cancel_of(*dropped))
    await wait_cancellations(jetstream, 1)
    # Mews cancels, then answers after the client gave up (its timeout is 1.5 s).
    mews_sim.control.lose_response(path="orderItems/cancel", mode="hold", hold_s=3.0)
    await send(jetstream, cancel_of(*held))
    found = await wait_cancellations(jetstream, 2)
    assert all(r.cancelled for r in found)
    assert {r.method for r in found} == {CancellationMethod.ORDER_ITEMS_CANCELLED}
    items = await items_of(mews_sim, dropped[0].reference, held[0].reference)
    assert [i.accounting_state for i in items] == ["Canceled", "Canceled"]
    counters = mews_sim.control.counters()
    assert counters["faults_injected"] == 2
    assert counters["order_items_canceled"] == 2
    assert requests(mews_sim, "orderItems/cancel") == 2  # one each: never re-sent
    url = str(publisher.settings.database.url)
    for command, _ in (dropped, held):
        [row] = await cancel_ledger(url, command.reference)
        assert (row["state"], row["mews_message"]) == ("cancelled", "found canceled when read")


async def test_a_5xx_on_cancel_is_read_back_then_sent_again(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    command, order_id = await posted(jetstream, gross)
    mews_sim.control.fail_next(1, status=503, path="orderItems/cancel")
    mews_sim.control.fail_next(1, status=500, path="orderItems/getAll")  # the read too
    await send(jetstream, cancel_of(command, order_id))
    [result] = await wait_cancellations(jetstream, 1)
    assert result.cancelled
    rows = await cancel_ledger(str(publisher.settings.database.url), command.reference)
    assert [(r["attempt"], r["state"]) for r in rows] == [(1, "not_sent"), (2, "cancelled")]
    assert rows[0]["mews_message"] == "not canceled when read"
    assert requests(mews_sim, "orderItems/cancel") == 2
    assert mews_sim.control.counters()["order_items_canceled"] == 1


async def test_an_item_on_a_closed_bill_is_offset_by_one_rebate(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    command, order_id = await posted(jetstream, gross)
    [item] = await items_of(mews_sim, command.reference)
    assert item.bill_id
    mews_sim.control.close_bill(item.bill_id)
    # The rebate's answer is lost: it is looked up, not posted again.
    mews_sim.control.lose_response(path="orders/add", mode="drop")
    await send(jetstream, cancel_of(command, order_id))
    [result] = await wait_cancellations(jetstream, 1)
    assert result.cancelled
    assert result.method is CancellationMethod.REBATED
    assert result.order_item_ids == (item.id,)
    original, rebate = sorted(
        await items_of(mews_sim, command.reference), key=lambda i: i.external_identifier or ""
    )
    assert original.accounting_state == "Closed"
    assert rebate.external_identifier == f"{command.reference}:rebate"
    assert rebate.service_order_id == result.rebate_order_id
    assert original.amount is not None
    assert rebate.amount is not None
    assert rebate.amount.gross_value == -original.amount.gross_value
    assert rebate.accounting_category_id == original.accounting_category_id
    assert rebate.billing_name == f"{original.billing_name} (cancelled)"
    assert mews_sim.control.counters()["orders_created"] == 2  # the charge and one rebate
    assert requests(mews_sim, "orderItems/cancel") == 0  # Mews would refuse: not tried
    [row] = await cancel_ledger(str(publisher.settings.database.url), command.reference)
    assert (row["method"], row["state"], row["mews_order_id"]) == (
        "rebate",
        "cancelled",
        result.rebate_order_id,
    )


async def test_without_the_restricted_cancel_every_charge_is_rebated(
    nats_url: str, jetstream: JetStreamContext, publisher_url: str, gross: Hotel, mews_sim
) -> None:
    app = create_app(settings_for(nats_url, publisher_url, mews_sim, order_items_cancel=False))
    task, stop = await running(app)
    try:
        command, order_id = await posted(jetstream, gross)
        await send(jetstream, cancel_of(command, order_id))
        [result] = await wait_cancellations(jetstream, 1)
    finally:
        stop.set()
        await task
    assert result.method is CancellationMethod.REBATED
    original, rebate = sorted(
        await items_of(mews_sim, command.reference), key=lambda i: i.external_identifier or ""
    )
    assert original.accounting_state == "Open"
    assert rebate.amount is not None
    assert rebate.amount.gross_value < 0
    assert requests(mews_sim, "orderItems/cancel") == 0


@pytest.mark.parametrize("status", [401, 403])
async def test_a_refused_cancel_falls_back_to_a_rebate(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim, status: int
) -> None:
    """Mews answers 401 (the Restricted operation is not granted) or 403 (the property does
    not allow it): the item is offset instead, and the token is not taken for a bad one."""
    command, order_id = await posted(jetstream, gross)
    mews_sim.control.fail_next(1, status=status, path="orderItems/cancel")
    await send(jetstream, cancel_of(command, order_id))
    [result] = await wait_cancellations(jetstream, 1)
    assert result.method is CancellationMethod.REBATED
    rows = await cancel_ledger(str(publisher.settings.database.url), command.reference)
    assert [(r["method"], r["state"]) for r in rows] == [
        ("cancel", "refused"),
        ("rebate", "cancelled"),
    ]


async def test_a_charge_that_never_reached_mews_is_cancelled_without_it(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    never = charge(gross, 0)
    failed = charge(gross, 1, account_id=str(uuid.uuid4()))  # Mews refuses it for good
    await send(jetstream, failed)
    [refused] = await wait_results(jetstream, 1)
    assert not refused.posted
    before = sum(mews_sim.control.counters()["requests_by_path"].values())
    for command in (never, failed):
        await send(jetstream, cancel_of(command, None))
    found = await wait_cancellations(jetstream, 2)
    assert [(r.cancelled, r.method) for r in found] == [(True, CancellationMethod.NOT_IN_MEWS)] * 2
    assert sum(mews_sim.control.counters()["requests_by_path"].values()) == before


async def test_without_the_order_id_the_posting_ledger_or_a_lookup_finds_it(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    """vendors may not know the order (it gave up waiting): the ledger knows it, or the
    reference finds it in Mews when the posting's answer was lost."""
    known, _ = await posted(jetstream, gross, 0)
    mews_sim.control.fail_next(30, status=503, path="orderItems/getAll")  # lookups fail
    mews_sim.control.lose_response(path="orders/add", mode="drop")
    lost = charge(gross, 1)
    await send(jetstream, lost)
    url = str(publisher.settings.database.url)

    async def in_doubt() -> bool:
        rows = await ledger(url, lost.reference)
        return bool(rows) and rows[-1]["state"] == "unknown"

    await wait_for(in_doubt, what="the posting's answer lost")
    mews_sim.control.clear_faults()
    for command in (known, lost):
        await send(jetstream, cancel_of(command, None))
    found = await wait_cancellations(jetstream, 2)
    assert {r.charge_id: r.method for r in found} == {
        known.charge_id: CancellationMethod.ORDER_ITEMS_CANCELLED,
        lost.charge_id: CancellationMethod.ORDER_ITEMS_CANCELLED,
    }
    items = await items_of(mews_sim, known.reference, lost.reference)
    assert sorted(i.accounting_state for i in items) == ["Canceled", "Canceled"]
    assert mews_sim.control.counters()["orders_created"] == 2


async def test_cancellations_through_a_kill_9_mid_way_are_each_made_once(
    nats_url: str, jetstream: JetStreamContext, publisher_url: str, gross: Hotel, mews_sim
) -> None:
    """The publisher runs as its own process and is killed with SIGKILL while Mews holds
    the answers to a cancel and to a rebate it already applied; a new process settles both by
    reading Mews, and sends neither again."""
    await ensure_streams(jetstream)
    env = process_env(nats_url, publisher_url, mews_sim)
    charges = [charge(gross, n) for n in range(12)]  # three guests, four charges each
    first = start_publisher(env)
    second = None
    try:
        for command in charges:
            await send(jetstream, command)
        order_of = {r.charge_id: r.mews_order_id for r in await wait_results(jetstream, 12)}
        # The first guest's bill is closed: those charges can only be offset.
        items = await items_of(mews_sim, *(c.reference for c in charges))
        closed = {i.bill_id for i in items if i.account_id == gross.accounts[0]}
        for bill_id in closed:
            assert bill_id
            mews_sim.control.close_bill(bill_id)
        before = mews_sim.control.counters()["faults_injected"]
        mews_sim.control.lose_response(path="orderItems/cancel", mode="hold", hold_s=30.0)
        mews_sim.control.lose_response(path="orders/add", mode="hold", hold_s=30.0)
        for command in charges:
            await send(jetstream, cancel_of(command, order_of[command.charge_id]))

        async def both_held() -> bool:
            return mews_sim.control.counters()["faults_injected"] >= before + 2

        await wait_for(both_held, what="a cancel and a rebate applied, their answers held")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        in_doubt = [r for r in await cancel_ledger(publisher_url) if r["state"] == "sending"]
        # The held two, and any other whose request was on its way.
        assert {r["method"] for r in in_doubt} == {"cancel", "rebate"}

        second = start_publisher(env)
        found = await wait_cancellations(jetstream, 12, timeout=60)
    finally:
        stop(first)
        if second is not None:
            stop(second)
    offset = {c.charge_id for c in charges if c.account_id == gross.accounts[0]}
    assert len(found) == 12
    for result in found:
        assert result.cancelled, result.failure_reason
        assert result.method is (
            CancellationMethod.REBATED
            if result.charge_id in offset
            else CancellationMethod.ORDER_ITEMS_CANCELLED
        )
    items = await items_of(mews_sim, *(c.reference for c in charges))
    for command in charges:
        mine = sorted(
            (i for i in items if (i.external_identifier or "").startswith(command.reference)),
            key=lambda i: i.external_identifier or "",
        )
        if command.charge_id in offset:
            original, rebate = mine  # exactly one rebate
            assert original.accounting_state == "Closed"
            assert rebate.external_identifier == f"{command.reference}:rebate"
        else:
            [original] = mine
            assert original.accounting_state == "Canceled"
    counters = mews_sim.control.counters()
    assert counters["order_items_canceled"] == 8
    assert counters["requests_by_path"]["orderItems/cancel"] == 8  # the held one not re-sent
    assert counters["orders_created"] == 12 + 4  # the charges and one rebate each
    rows = await cancel_ledger(publisher_url)
    last = {r["reference"]: r for r in rows}  # ordered by reference, attempt
    assert {r["state"] for r in last.values()} == {"cancelled"}
    settled = {(r["reference"], r["attempt"]): r for r in rows}
    after = [settled[(r["reference"], r["attempt"])] for r in in_doubt]
    assert {r["state"] for r in after} <= {"cancelled", "not_sent"}
    # The two held were applied: read back (or found) as done, not sent again.
    assert {r["method"] for r in after if r["state"] == "cancelled"} == {"cancel", "rebate"}


def start_publisher(env: dict[str, str]) -> Any:
    return spawn(
        [sys.executable, "-m", "attendandt.mews_publisher", "serve"], env={**os.environ, **env}
    )

"""Posting charges to the simulator: once, with its order id, whatever goes wrong on the way."""

import asyncio
import uuid

import asyncpg
from nats.js import JetStreamContext
from publisher_testkit import (
    Hotel,
    charge,
    ledger,
    orders_in_mews,
    result_count,
    results,
    send,
    wait_for,
    wait_results,
)

from attendandt.contracts.outbound import POST_CHARGE, UPDATE_CUSTOMER, UpdateCustomer
from attendandt.mews_publisher.app import PublisherApp
from attendandt.platform.messaging import publish


async def test_a_charge_is_posted_once_and_reported_with_its_order(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    command = charge(gross, 0)
    await send(jetstream, command)
    [result] = await wait_results(jetstream, 1)
    assert result.posted
    assert result.charge_id == command.charge_id
    assert result.command_id == f"charge-result:{command.command_id}"
    [item] = await orders_in_mews(mews_sim, gross)
    assert item.external_identifier == command.reference
    assert item.service_order_id == result.mews_order_id
    assert item.account_id == command.account_id
    url = str(publisher.settings.database.url)
    [row] = await ledger(url, command.reference)
    assert (row["state"], row["mews_order_id"], row["attempt"]) == (
        "posted",
        item.service_order_id,
        1,
    )

    # The same command again (a redelivery with another message id): nothing new at all.
    await publish(
        jetstream,
        POST_CHARGE,
        command,
        msg_id=f"{command.command_id}:again",
        enterprise=command.enterprise_id,
    )
    # A re-sent PostCharge (a new command for the same reference): posted again, same order.
    again = charge(gross, 0, charge_id=command.charge_id, attempt=2)
    await send(jetstream, again)
    both = await wait_results(jetstream, 2)
    assert [r.mews_order_id for r in both] == [item.service_order_id] * 2
    assert both[1].command_id == f"charge-result:{again.command_id}"
    await asyncio.sleep(0.5)  # give a wrong extra result the time to show up
    assert await result_count(jetstream) == 2
    assert len(await orders_in_mews(mews_sim, gross)) == 1
    assert len(await ledger(url, command.reference)) == 1


async def test_a_lost_answer_is_looked_up_not_sent_again(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    mews_sim.control.lose_response(path="orders/add", mode="drop")
    command = charge(gross, 0)
    await send(jetstream, command)
    [result] = await wait_results(jetstream, 1)
    [item] = await orders_in_mews(mews_sim, gross)
    assert result.posted
    assert result.mews_order_id == item.service_order_id
    [row] = await ledger(str(publisher.settings.database.url), command.reference)
    assert row["state"] == "posted"  # the one attempt, found by the lookup
    assert mews_sim.control.counters()["orders_created"] == 1


async def test_a_timed_out_write_is_looked_up_not_sent_again(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    # Mews commits, then answers after the client gave up (timeout 1.5 s).
    mews_sim.control.lose_response(path="orders/add", mode="hold", hold_s=3.0)
    command = charge(gross, 0)
    await send(jetstream, command)
    [result] = await wait_results(jetstream, 1)
    [item] = await orders_in_mews(mews_sim, gross)
    assert result.mews_order_id == item.service_order_id
    [row] = await ledger(str(publisher.settings.database.url), command.reference)
    assert row["state"] == "posted"


async def test_a_5xx_is_looked_up_then_sent_again(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    mews_sim.control.fail_next(1, status=503, path="orders/add")
    mews_sim.control.fail_next(1, status=500, path="orderItems/getAll")  # the lookup too
    command = charge(gross, 0)
    await send(jetstream, command)
    [result] = await wait_results(jetstream, 1)
    [item] = await orders_in_mews(mews_sim, gross)
    assert result.mews_order_id == item.service_order_id
    rows = await ledger(str(publisher.settings.database.url), command.reference)
    assert [(r["attempt"], r["state"]) for r in rows] == [(1, "not_sent"), (2, "posted")]
    assert rows[0]["mews_message"] == "not found in Mews when looked up"


async def test_a_charge_for_a_missing_account_fails_permanently_with_mews_message(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    command = charge(gross, 0, account_id=str(uuid.uuid4()))
    await send(jetstream, command)
    [result] = await wait_results(jetstream, 1)
    assert not result.posted
    assert result.permanent
    assert result.failure_reason == "Invalid AccountId. The account does not exist."
    [row] = await ledger(str(publisher.settings.database.url), command.reference)
    assert row["state"] == "failed"
    assert row["mews_message"] == result.failure_reason
    assert row["mews_request_id"]
    assert await orders_in_mews(mews_sim, gross) == []


async def test_a_manager_retry_of_a_failed_charge_is_a_new_attempt(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    charge_id = str(uuid.uuid4())
    first = charge(gross, 0, charge_id=charge_id, account_id=str(uuid.uuid4()))
    await send(jetstream, first)
    [failed] = await wait_results(jetstream, 1)
    assert not failed.posted

    # vendors re-sends the charge with the same reference (here to a valid account).
    retry = charge(gross, 0, charge_id=charge_id, attempt=2)
    await send(jetstream, retry)
    second = (await wait_results(jetstream, 2))[1]
    assert second.posted
    [item] = await orders_in_mews(mews_sim, gross)
    assert item.service_order_id == second.mews_order_id
    rows = await ledger(str(publisher.settings.database.url), retry.reference)
    assert [(r["attempt"], r["state"]) for r in rows] == [(1, "failed"), (2, "posted")]


async def test_429s_with_and_without_retry_after_delay_but_never_duplicate(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    commands = [charge(gross, n) for n in range(30)]
    mews_sim.control.rate_limit(limit=8, window_s=1.0, retry_after=False)
    for command in commands[:15]:
        await send(jetstream, command)
    await wait_results(jetstream, 15, timeout=60)
    mews_sim.control.rate_limit(limit=8, window_s=1.0, retry_after=True)
    for command in commands[15:]:
        await send(jetstream, command)
    found = await wait_results(jetstream, 30, timeout=60)
    counters = mews_sim.control.counters()
    assert counters["rate_limited"] > 0
    assert all(r.posted for r in found)
    items = await orders_in_mews(mews_sim, gross)
    assert len(items) == 30
    by_reference = {i.external_identifier: i.service_order_id for i in items}
    assert {r.mews_order_id for r in found} == set(by_reference.values())


async def test_a_crash_between_the_write_and_the_ledger_update_is_resolved_by_lookup(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim, database_url: str
) -> None:
    """The outcome cannot be recorded (the transaction fails as if the process died): the row
    stays "sending", and the next delivery finds the order instead of sending again."""
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(
            """
            create function publisher.fail_now() returns trigger language plpgsql as
              $$ begin raise exception 'disk full'; end $$;
            create trigger fail_posted before update on publisher.charge_attempts for each row
              when (new.state = 'posted') execute function publisher.fail_now();
            """
        )
        command = charge(gross, 0)
        await send(jetstream, command)

        async def redelivered() -> bool:
            info = await jetstream.consumer_info("MEWS_OUTBOX", "mews-publisher-post-charge")
            return info.delivered.consumer_seq >= 3  # sent, then found but not recordable

        await wait_for(redelivered, what="redeliveries")
        assert await result_count(jetstream) == 0  # the failed transaction published nothing
        await admin.execute(
            "drop trigger fail_posted on publisher.charge_attempts;"
            " drop function publisher.fail_now();"
        )
        [result] = await wait_results(jetstream, 1)
    finally:
        await admin.close()
    [item] = await orders_in_mews(mews_sim, gross)
    assert result.mews_order_id == item.service_order_id
    [row] = await ledger(str(publisher.settings.database.url), command.reference)
    assert (row["attempt"], row["state"]) == (1, "posted")
    assert mews_sim.control.counters()["orders_created"] == 1


async def test_a_charge_for_an_enterprise_without_a_usable_token_waits(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    """No token for the net enterprise (as after a 401): its charge is not failed, it waits
    in the stream, and the readiness probe says Mews is not fine."""
    net = Hotel(mews_sim.net.id, gross.service_id, gross.accounts, gross.currency)
    command = charge(net, 0)
    await send(jetstream, command)

    async def held_back() -> bool:
        info = await jetstream.consumer_info("MEWS_OUTBOX", "mews-publisher-post-charge")
        return info.num_pending + info.num_ack_pending == 1 and info.delivered.consumer_seq >= 1

    await wait_for(held_back, what="the charge to be held back")
    assert await results(jetstream) == []
    assert mews_sim.control.counters()["requests_by_path"].get("orders/add", 0) == 0


async def test_update_customer_changes_the_profile_and_records_the_outcome(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    from datetime import UTC, datetime

    from publisher_testkit import sim_client

    from attendandt.mews.models.customers import CustomersGetAll

    good = UpdateCustomer(
        command_id="upd-1",
        enterprise_id=gross.enterprise_id,
        customer_id=gross.accounts[0],
        email="new.address@example.com",
        requested_at=datetime.now(UTC),
    )
    missing = UpdateCustomer(
        command_id="upd-2",
        enterprise_id=gross.enterprise_id,
        customer_id=str(uuid.uuid4()),
        email="x@example.com",
        requested_at=datetime.now(UTC),
    )
    for command in (good, missing):
        await publish(
            jetstream,
            UPDATE_CUSTOMER,
            command,
            msg_id=command.command_id,
            enterprise=gross.enterprise_id,
        )
    url = str(publisher.settings.database.url)

    async def both_done() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "select command_id, state, mews_message from publisher.customer_updates"
                " where state in ('applied', 'failed') order by command_id"
            )
        finally:
            await conn.close()
        return rows if len(rows) == 2 else []

    rows = await wait_for(both_done, what="both updates")
    assert [(r["command_id"], r["state"]) for r in rows] == [
        ("upd-1", "applied"),
        ("upd-2", "failed"),
    ]
    assert rows[1]["mews_message"]
    async with sim_client(mews_sim) as mews:
        [customer] = await mews.get_customers(
            CustomersGetAll(customer_ids=[gross.accounts[0]])
        ).collect()
    assert customer.email == "new.address@example.com"

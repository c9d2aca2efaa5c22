"""Staff edits of a guest written to the simulator: once, field by field against what the user
saw, whatever goes wrong on the way (a lost answer, a killed publisher)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from publisher_testkit import Hotel, hotel, process_env, sim_client, wait_for

from attendandt.contracts.base import decode
from attendandt.contracts.commands import RECORD_GUEST_EDIT_RESULT, RecordGuestEditResult
from attendandt.contracts.outbound import UPDATE_CUSTOMER, CustomerFieldChange, UpdateCustomer
from attendandt.mews.models.customers import Customer, CustomersGetAll
from attendandt.mews_publisher.app import PublisherApp
from attendandt.platform.messaging import publish
from attendandt.testing.processes import spawn, stop


def edit(
    h: Hotel, customer_id: str, *changes: tuple[str, Any, Any], edit_round: int = 1
) -> UpdateCustomer:
    edit_id = str(uuid.uuid4())
    return UpdateCustomer(
        command_id=f"guest-edit:{edit_id}:{edit_round}",
        enterprise_id=h.enterprise_id,
        customer_id=customer_id,
        requested_at=datetime.now(UTC),
        edit_id=edit_id,
        edit_round=edit_round,
        changes=tuple(CustomerFieldChange(field=f, value=v, base=b) for f, v, b in changes),
    )


async def send(js: JetStreamContext, command: UpdateCustomer, msg_id: str | None = None) -> None:
    await publish(
        js,
        UPDATE_CUSTOMER,
        command,
        msg_id=msg_id or command.command_id,
        enterprise=command.enterprise_id,
    )


async def edit_results(js: JetStreamContext) -> list[RecordGuestEditResult]:
    try:
        info = await js.stream_info("DOMAIN_COMMANDS")
    except NotFoundError:
        return []
    found: list[RecordGuestEditResult] = []
    if not info.state.messages:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg("DOMAIN_COMMANDS", seq)
        except NotFoundError:
            continue
        if msg.subject == RECORD_GUEST_EDIT_RESULT.format():
            found.append(decode(msg.data or b"", RecordGuestEditResult))
    return found


async def result_of(
    js: JetStreamContext, command: UpdateCustomer, timeout: float = 20
) -> RecordGuestEditResult:
    async def found() -> RecordGuestEditResult | None:
        return next((r for r in await edit_results(js) if r.edit_id == command.edit_id), None)

    result: RecordGuestEditResult = await wait_for(found, timeout=timeout, what="the edit's result")
    return result


async def in_mews(mews_sim: Any, customer_id: str) -> Customer:
    async with sim_client(mews_sim) as mews:
        [customer] = await mews.get_customers(CustomersGetAll(customer_ids=[customer_id])).collect()
    return customer


def outcomes(result: RecordGuestEditResult) -> dict[str, tuple[str, Any]]:
    return {o.field: (o.outcome, o.mews_value) for o in result.outcomes}


async def test_an_edit_is_written_once_and_reported_field_by_field(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    customer = gross.accounts[0]
    before = mews_sim.control.counters()["customers_updated"]
    command = edit(
        gross,
        customer,
        ("phone", "+44 20 7946 0001", None),
        ("notes", "Prefers a quiet room", None),
        ("classifications", ("Important", "Returning"), ()),
    )
    await send(jetstream, command)
    result = await result_of(jetstream, command)
    assert result.written
    assert outcomes(result) == {
        "phone": ("applied", "+44 20 7946 0001"),
        "notes": ("applied", "Prefers a quiet room"),
        "classifications": ("applied", ("Important", "Returning")),
    }
    mews = await in_mews(mews_sim, customer)
    assert (mews.phone, mews.notes, sorted(mews.classifications or [])) == (
        "+44 20 7946 0001",
        "Prefers a quiet room",
        ["Important", "Returning"],
    )
    assert result.mews_updated_utc == mews.updated_utc
    assert mews_sim.control.counters()["customers_updated"] == before + 1

    # The same command delivered again (another message id): no second write, no second result.
    await send(jetstream, command, msg_id=f"{command.command_id}:again")
    await asyncio.sleep(0.5)  # the time a wrong second write would take
    assert mews_sim.control.counters()["customers_updated"] == before + 1
    assert len([r for r in await edit_results(jetstream) if r.edit_id == command.edit_id]) == 1


async def test_a_field_mews_changed_meanwhile_is_a_conflict_and_the_others_merge(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    customer = gross.accounts[1]
    await asyncio.to_thread(
        mews_sim.control.update_customer,
        customer,
        Phone="+420 111 222 333",
        Email="old@example.com",
    )
    # Hotel staff change the phone in Mews after our user loaded the guest.
    await asyncio.to_thread(mews_sim.control.update_customer, customer, Phone="+420 999 888 777")
    before = mews_sim.control.counters()["customers_updated"]
    command = edit(
        gross,
        customer,
        ("phone", "+44 7700 900123", "+420 111 222 333"),
        ("email", "new@example.com", "old@example.com"),
    )
    await send(jetstream, command)
    result = await result_of(jetstream, command)
    assert outcomes(result) == {
        "phone": ("conflict", "+420 999 888 777"),
        "email": ("applied", "new@example.com"),
    }
    mews = await in_mews(mews_sim, customer)
    assert (mews.phone, mews.email) == ("+420 999 888 777", "new@example.com")
    assert mews_sim.control.counters()["customers_updated"] == before + 1

    # Every field in conflict: nothing is written at all.
    command = edit(gross, customer, ("phone", "+44 7700 900123", "+420 111 222 333"))
    await send(jetstream, command)
    result = await result_of(jetstream, command)
    assert not result.written
    assert outcomes(result) == {"phone": ("conflict", "+420 999 888 777")}
    assert mews_sim.control.counters()["customers_updated"] == before + 1


async def test_edits_due_together_are_looked_up_in_one_read_and_each_written_once(
    publisher: PublisherApp, jetstream: JetStreamContext, mews_sim
) -> None:
    many = await hotel(mews_sim, accounts=12)
    counters = mews_sim.control.counters()
    reads_before = counters["requests_by_path"].get("customers/getAll", 0)
    writes_before = counters["customers_updated"]
    commands = [
        edit(many, customer, ("phone", f"+44 7700 9001{n:02d}", None))
        for n, customer in enumerate(many.accounts)
    ]
    await asyncio.gather(*(send(jetstream, c) for c in commands))
    results = [await result_of(jetstream, c) for c in commands]

    for n, result in enumerate(results):
        assert outcomes(result) == {"phone": ("applied", f"+44 7700 9001{n:02d}")}
    counters = mews_sim.control.counters()
    assert counters["customers_updated"] == writes_before + len(commands)
    reads = counters["requests_by_path"].get("customers/getAll", 0) - reads_before
    # Every edit was looked up before its write, in reads shared by the edits in hand.
    assert 1 <= reads < len(commands)
    assert publisher.customers.customer_reads.reads >= len(commands)


async def test_a_lost_answer_is_read_back_not_written_again(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    customer = gross.accounts[2]
    before = mews_sim.control.counters()["customers_updated"]
    mews_sim.control.lose_response(path="customers/update", mode="drop")
    mews_sim.control.fail_next(1, status=502, path="customers/getAll")
    command = edit(gross, customer, ("email", "lost.answer@example.com", None))
    await send(jetstream, command)
    result = await result_of(jetstream, command)
    assert outcomes(result) == {"email": ("applied", "lost.answer@example.com")}
    assert not result.written  # found in Mews when read back
    assert mews_sim.control.counters()["customers_updated"] == before + 1
    assert (await in_mews(mews_sim, customer)).email == "lost.answer@example.com"


async def test_mews_refusing_an_edit_reports_it_failed(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    taken = await asyncio.to_thread(
        mews_sim.control.add_customer, LastName="Other", Email="taken@example.com"
    )
    assert taken["Email"] == "taken@example.com"
    command = edit(gross, gross.accounts[0], ("email", "taken@example.com", None))
    await send(jetstream, command)
    result = await result_of(jetstream, command)
    assert result.permanent
    assert result.failure_reason
    assert outcomes(result)["email"][0] == "failed"

    missing = edit(gross, str(uuid.uuid4()), ("phone", "+44 1", None))
    await send(jetstream, missing)
    result = await result_of(jetstream, missing)
    assert (result.permanent, result.failure_reason) == (True, "the customer is not in Mews")


def start_publisher(env: dict[str, str]) -> Any:
    return spawn(
        [sys.executable, "-m", "attendandt.mews_publisher", "serve"], env={**os.environ, **env}
    )


async def test_a_publisher_killed_after_sending_leaves_one_write(
    nats_url: str, jetstream: JetStreamContext, publisher_url: str, gross: Hotel, mews_sim
) -> None:
    from attendandt.contracts.streams import ensure_streams

    await ensure_streams(jetstream)
    env = process_env(nats_url, publisher_url, mews_sim)
    customer = gross.accounts[1]
    before = mews_sim.control.counters()["customers_updated"]
    # The write is committed in Mews and its answer held: the writer is killed right then.
    mews_sim.control.lose_response(path="customers/update", mode="hold", hold_s=30.0)
    first = start_publisher(env)
    second = None
    try:
        command = edit(gross, customer, ("phone", "+44 7700 900999", None))
        await send(jetstream, command)

        async def held() -> bool:
            return mews_sim.control.counters()["customers_updated"] > before

        await wait_for(held, timeout=30, what="the write to reach Mews")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        second = start_publisher(env)
        result = await result_of(jetstream, command, timeout=60)
    finally:
        stop(first)
        if second is not None:
            stop(second)
    assert outcomes(result) == {"phone": ("applied", "+44 7700 900999")}
    assert mews_sim.control.counters()["customers_updated"] == before + 1
    assert (await in_mews(mews_sim, customer)).phone == "+44 7700 900999"

"""Charges on the in-memory unit of work: the same request or command twice has one effect
(the idempotency key, the inbox), the billing rules decide what is posted, and the outbox
keeps only what a unit of work committed. On Postgres and NATS: test_charges.py."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from vendors_fakes import FakeDatabase
from vendors_world import (
    ENT,
    FRONT_DESK,
    GUEST,
    MANAGER,
    NOW,
    OFFERING,
    STAY,
    service,
    store,
    subjects,
)

from attendandt.contracts.commands import RecordChargeResult
from attendandt.contracts.events import ChargeEvent
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import ChargeState
from attendandt.platform.rpc import Invalid
from attendandt.vendors.inbound import RECORD_CHARGE_RESULT_CONSUMER


def charge_request(key: str | None = "key-1", **changes: object) -> rpc.CreateChargeRequest:
    values: dict[str, object] = {
        "offering_id": OFFERING,
        "guest_id": GUEST,
        "stay_id": STAY,
        "quantity": 2,
        "idempotency_key": key,
    }
    return rpc.CreateChargeRequest(**{**values, **changes})  # type: ignore[arg-type]


def posted(charge_id: str, command_id: str = "result-1") -> RecordChargeResult:
    return RecordChargeResult(
        command_id=command_id,
        enterprise_id=ENT,
        issued_at=NOW,
        charge_id=charge_id,
        posted=True,
        mews_order_id="order-1",
    )


async def test_the_same_charge_request_twice_makes_one_charge() -> None:
    database = FakeDatabase(store())
    vendors = service(database)
    first = await vendors.create_charge(charge_request(), MANAGER)
    again = await vendors.create_charge(charge_request(), MANAGER)

    assert again.charge == first.charge
    [charge] = database.committed.charges.values()
    assert (charge.id, charge.amount, charge.state) == (
        first.charge.charge_id,
        Decimal("40.00"),
        "pending",
    )
    assert subjects(database.committed.outbox) == ["charge.created", "outbound.post_charge"]
    assert database.committed.keys[(MANAGER.user_id, "key-1")].resource_id == charge.id
    # Another caller's key is another key: a second charge.
    await vendors.create_charge(charge_request(), FRONT_DESK)
    assert len(database.committed.charges) == 2


async def test_the_key_with_another_request_is_refused_and_changes_nothing() -> None:
    database = FakeDatabase(store())
    vendors = service(database)
    await vendors.create_charge(charge_request(), MANAGER)
    before = copy.deepcopy(database.committed)

    with pytest.raises(Invalid, match="Idempotency-Key was used for another request"):
        await vendors.create_charge(charge_request(quantity=3), MANAGER)
    assert database.committed == before


async def test_a_refused_creation_frees_its_key() -> None:
    database = FakeDatabase(store())
    vendors = service(database)
    too_much = charge_request(unit_amount=Decimal("600"))  # 1200 > the 1000 per charge
    with pytest.raises(Invalid, match="above this property's limit"):
        await vendors.create_charge(too_much, MANAGER)
    assert database.committed.keys == {}
    assert database.committed.charges == {}
    assert database.queued == []  # refused before anything was made

    fine = charge_request(unit_amount=Decimal("10"))
    made = await vendors.create_charge(fine, MANAGER)
    assert made.charge.amount == Decimal("20")


async def test_an_ad_hoc_charge_by_the_front_desk_waits_for_a_manager() -> None:
    database = FakeDatabase(store())
    made = await service(database).create_charge(charge_request(key=None), FRONT_DESK)

    assert made.charge.state is ChargeState.PENDING_APPROVAL
    assert subjects(database.committed.outbox) == ["charge.created"]  # nothing for Mews
    [charge] = database.committed.charges.values()
    assert charge.approval_reason == "an ad-hoc charge without a booking"


async def test_the_same_posting_result_twice_posts_the_charge_once() -> None:
    database = FakeDatabase(store())
    vendors = service(database)
    made = await vendors.create_charge(charge_request(key=None), MANAGER)
    charge_id = made.charge.charge_id
    database.committed.outbox.clear()

    await vendors.record_charge_result(posted(charge_id))
    after_first = copy.deepcopy(database.committed)
    await vendors.record_charge_result(posted(charge_id))  # redelivered

    assert database.committed.charges == after_first.charges
    assert database.committed.charges[charge_id].state == "posted"
    assert database.committed.charges[charge_id].version == 2  # changed once
    [event] = database.committed.outbox
    assert isinstance(event.payload, ChargeEvent)
    assert (event.payload.event, event.msg_id) == ("posted", f"charge:{charge_id}:2")
    assert database.committed.inbox == {(RECORD_CHARGE_RESULT_CONSUMER, "result-1")}
    # The second delivery's claim was refused: it is still refused.
    async with database.unit() as uow:
        assert not await uow.claim("result-1", consumer=RECORD_CHARGE_RESULT_CONSUMER)
        assert await uow.claim("result-1", consumer="another-consumer")


async def test_a_unit_of_work_left_without_commit_keeps_nothing() -> None:
    database = FakeDatabase(store())
    before = copy.deepcopy(database.committed)
    made = await service(database).create_charge(charge_request(key=None), MANAGER)
    charge = database.committed.charges[made.charge.charge_id]
    database.committed = copy.deepcopy(before)

    async with database.unit() as uow:
        assert await uow.claim("result-1", consumer=RECORD_CHARGE_RESULT_CONSUMER)
        await uow.queue("attendandt.v1.ent-1.charge.posted", posted(charge.id), msg_id="m-1")
        assert [q.msg_id for q in uow.working.outbox] == ["m-1"]
    assert database.committed == before

    async with database.unit() as uow:  # the claim was forgotten with the message
        assert await uow.claim("result-1", consumer=RECORD_CHARGE_RESULT_CONSUMER)
        await uow.queue("attendandt.v1.ent-1.charge.posted", posted(charge.id), msg_id="m-1")
        await uow.commit()
    assert [q.msg_id for q in database.committed.outbox] == ["m-1"]
    assert (RECORD_CHARGE_RESULT_CONSUMER, "result-1") in database.committed.inbox

"""Writes, retries, rate limiting and lost answers against the Mews simulator."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from attendandt.mews import (
    LocalTokenBucket,
    MewsBadRequest,
    MewsClient,
    MewsForbidden,
    MewsOutcomeUnknown,
    MewsRateLimited,
    MewsUnauthorized,
    RetryPolicy,
)
from attendandt.mews.environments import Credentials
from attendandt.mews.models import (
    AmountParameters,
    CustomersAdd,
    CustomersGetAll,
    CustomersUpdate,
    OrderItemParameters,
    OrderItemsCancel,
    OrderItemsGetAll,
    OrdersAdd,
    ServicesGetAll,
    ServiceType,
)

Counter = Callable[[str], int]
MakeClient = Callable[..., MewsClient]


async def new_customer(mews: MewsClient) -> str:
    customer = await mews.add_customer(
        CustomersAdd(
            last_name="Okafor",
            first_name="Ada",
            email=f"ada-{uuid.uuid4().hex[:8]}@example.com",
            overwrite_existing=False,
        )
    )
    return customer.id


async def spa_order(mews: MewsClient, account_id: str, external_id: str) -> OrdersAdd:
    services = await mews.get_services(
        ServicesGetAll(service_type=ServiceType.ADDITIONAL)
    ).collect()
    return OrdersAdd(
        service_id=services[0].id,
        account_id=account_id,
        notes="Massage 60 min",
        items=[
            OrderItemParameters(
                name="Massage 60 min",
                unit_count=1,
                unit_amount=AmountParameters(
                    currency="GBP", gross_value=Decimal("80.00"), tax_codes=["UK-S"]
                ),
                external_identifier=external_id,
            )
        ],
    )


async def items_with_external_id(mews: MewsClient, account_id: str, external_id: str) -> list[Any]:
    items = await mews.get_order_items(OrderItemsGetAll(account_ids=[account_id])).collect()
    return [i for i in items if i.external_identifier == external_id]


async def test_customers_add_and_update(mews: MewsClient) -> None:
    email = f"grace-{uuid.uuid4().hex[:8]}@example.com"
    added = await mews.add_customer(
        CustomersAdd(last_name="Hopper", first_name="Grace", email=email, overwrite_existing=False)
    )
    assert added.last_name == "Hopper"
    assert added.email == email
    assert added.created_utc is not None
    # Mews documents only "an error response" for a duplicate email without overwrite.
    with pytest.raises((MewsBadRequest, MewsForbidden)) as duplicate:
        await mews.add_customer(
            CustomersAdd(last_name="Hopper", email=email, overwrite_existing=False)
        )
    assert duplicate.value.request_id
    updated = await mews.update_customer(
        CustomersUpdate(customer_id=added.id, phone="+44 20 7946 0000", notes="VIP")
    )
    assert updated.phone == "+44 20 7946 0000"
    assert updated.first_name == "Grace"  # untouched
    (read,) = await mews.get_customers(CustomersGetAll(customer_ids=[added.id])).collect()
    assert read.notes == "VIP"
    assert read.updated_utc is not None
    assert added.updated_utc is not None
    assert read.updated_utc >= added.updated_utc


async def test_orders_add_posts_a_charge(mews: MewsClient) -> None:
    account_id = await new_customer(mews)
    external_id = f"charge-{uuid.uuid4()}"
    result = await mews.add_order(await spa_order(mews, account_id, external_id))
    assert result.order_id
    (item,) = await items_with_external_id(mews, account_id, external_id)
    assert item.service_order_id == result.order_id
    assert item.amount is not None
    assert item.amount.gross_value == Decimal("80.00")
    assert item.amount.currency == "GBP"


async def test_write_that_timed_out_after_commit_is_outcome_unknown(
    mews_sim: Any, make_sim_client: MakeClient, sim_requests: Counter
) -> None:
    async with make_sim_client(timeout=httpx.Timeout(10.0)) as setup:
        account_id = await new_customer(setup)
        order = await spa_order(setup, account_id, external_id := f"charge-{uuid.uuid4()}")
    mews_sim.control.lose_response(path="orders/add", mode="hold", hold_s=5.0)
    async with make_sim_client(timeout=httpx.Timeout(10.0, read=0.5)) as impatient:
        with pytest.raises(MewsOutcomeUnknown) as caught:
            await impatient.add_order(order)
    assert isinstance(caught.value.cause, httpx.ReadTimeout)
    assert sim_requests("orders/add") == 1  # never retried
    async with make_sim_client() as check:
        # ...and it did happen: the caller must look it up before sending it again.
        assert len(await items_with_external_id(check, account_id, external_id)) == 1


async def test_write_whose_connection_dropped_is_outcome_unknown(
    mews_sim: Any, mews: MewsClient, sim_requests: Counter
) -> None:
    account_id = await new_customer(mews)
    order = await spa_order(mews, account_id, external_id := f"charge-{uuid.uuid4()}")
    mews_sim.control.lose_response(path="orders/add", mode="drop")
    with pytest.raises(MewsOutcomeUnknown):
        await mews.add_order(order)
    assert sim_requests("orders/add") == 1
    assert len(await items_with_external_id(mews, account_id, external_id)) == 1


async def test_write_answered_with_500_is_outcome_unknown_and_not_retried(
    mews_sim: Any, mews: MewsClient, sim_requests: Counter
) -> None:
    account_id = await new_customer(mews)
    mews_sim.control.fail_next(1, status=500, path="customers/update")
    with pytest.raises(MewsOutcomeUnknown) as caught:
        await mews.update_customer(CustomersUpdate(customer_id=account_id, notes="x"))
    assert caught.value.status == 500
    assert caught.value.request_id
    assert sim_requests("customers/update") == 1


async def test_cancel_order_items_and_its_lost_answer(
    mews_sim: Any, mews: MewsClient, sim_requests: Counter
) -> None:
    account_id = await new_customer(mews)
    kept, lost = (f"charge-{uuid.uuid4()}" for _ in range(2))
    for external_id in (kept, lost):
        await mews.add_order(await spa_order(mews, account_id, external_id))
    (first,) = await items_with_external_id(mews, account_id, kept)
    (second,) = await items_with_external_id(mews, account_id, lost)
    await mews.cancel_order_items(OrderItemsCancel(order_item_ids=[first.id]))
    (read,) = await items_with_external_id(mews, account_id, kept)
    assert read.accounting_state == "Canceled"
    assert read.canceled_utc is not None
    with pytest.raises(MewsBadRequest):  # already canceled
        await mews.cancel_order_items(OrderItemsCancel(order_item_ids=[first.id]))
    mews_sim.control.lose_response(path="orderItems/cancel", mode="drop")
    with pytest.raises(MewsOutcomeUnknown):
        await mews.cancel_order_items(OrderItemsCancel(order_item_ids=[second.id]))
    assert sim_requests("orderItems/cancel") == 3  # never retried
    (read,) = await items_with_external_id(mews, account_id, lost)
    assert read.accounting_state == "Canceled"  # it happened: read before sending again
    with pytest.raises(ValueError, match="1 to 10 ids"):
        OrderItemsCancel(order_item_ids=[str(uuid.uuid4()) for _ in range(11)])


async def test_reads_retry_server_errors(
    mews_sim: Any, mews: MewsClient, sim_requests: Counter
) -> None:
    mews_sim.control.fail_next(2, status=503, path="services/getAll")
    services = await mews.get_services().collect()
    assert services
    assert sim_requests("services/getAll") == 3


async def test_read_429_with_retry_after_waits_and_pauses_the_limiter(
    mews_sim: Any, make_sim_client: MakeClient, recording_limiter: Any, sim_requests: Counter
) -> None:
    mews_sim.control.rate_limit(limit=3, window_s=1.0, retry_after=True)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)

    async with make_sim_client(limiter=recording_limiter, sleep=sleep) as mews:
        for _ in range(5):
            await mews.get_configuration()
    assert mews_sim.control.counters()["rate_limited"] >= 1
    assert recording_limiter.limited
    assert all(value is not None and value >= 1 for value in recording_limiter.limited)
    assert waits == recording_limiter.limited  # waited exactly what Retry-After said
    assert sim_requests("configuration/get") == 5 + len(waits)


async def test_read_429_without_retry_after_backs_off(
    mews_sim: Any, make_sim_client: MakeClient, recording_limiter: Any
) -> None:
    mews_sim.control.rate_limit(limit=2, window_s=0.5, retry_after=False)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)

    policy = RetryPolicy(max_attempts=8, backoff_initial=0.1, backoff_max=1.0, jitter=0.05)
    async with make_sim_client(limiter=recording_limiter, retry=policy, sleep=sleep) as mews:
        for _ in range(4):
            await mews.get_configuration()
    assert recording_limiter.limited
    assert all(value is None for value in recording_limiter.limited)
    assert len(waits) == len(recording_limiter.limited)
    assert all(0.1 <= w <= 1.05 for w in waits)


async def test_write_429_is_raised_not_retried(
    mews_sim: Any, make_sim_client: MakeClient, recording_limiter: Any, sim_requests: Counter
) -> None:
    async with make_sim_client() as setup:
        account_id = await new_customer(setup)
    mews_sim.control.rate_limit(limit=1, window_s=30.0, retry_after=True)
    async with make_sim_client(limiter=recording_limiter) as mews:
        await mews.get_configuration()  # uses the only slot
        with pytest.raises(MewsRateLimited) as caught:
            await mews.update_customer(CustomersUpdate(customer_id=account_id, notes="later"))
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0
    assert recording_limiter.limited == [caught.value.retry_after]
    assert recording_limiter.acquired == [False, True]
    assert sim_requests("customers/update") == 1


async def test_local_bucket_keeps_a_burst_under_the_simulated_limit(
    mews_sim: Any, make_sim_client: MakeClient
) -> None:
    mews_sim.control.rate_limit(limit=10, window_s=1.0, retry_after=True)
    bucket = LocalTokenBucket(requests=7, per=1.0, burst=2)
    async with make_sim_client(limiter=bucket) as mews:
        await asyncio.gather(*(mews.get_configuration() for _ in range(20)))
    assert mews_sim.control.counters()["rate_limited"] == 0


async def test_wrong_token_is_unauthorized(mews_sim: Any) -> None:
    wrong = Credentials(mews_sim.gross.token.client_token, "NOT-A-TOKEN")
    async with MewsClient(wrong, environment=mews_sim.base_url) as mews:
        with pytest.raises(MewsUnauthorized) as caught:
            await mews.get_configuration()
    assert caught.value.request_id

"""Every read operation against the Mews simulator: decoding, paging, id batching, windows."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from attendandt.mews import MewsClient, TimeInterval
from attendandt.mews.batching import add_months
from attendandt.mews.models import (
    BillsGetAll,
    CompaniesGetAll,
    CustomersGetAll,
    CustomersSearch,
    EnterprisesGetAll,
    OrderItemsGetAll,
    PaymentsGetAll,
    ProductServiceOrdersGetAll,
    ProductsGetAll,
    ReservationsGetAll,
    ResourceCategoriesGetAll,
    ResourceCategoryAssignmentsGetAll,
    ResourcesGetAll,
    ServicesGetAll,
    ServiceType,
)

Counter = Callable[[str], int]


def random_ids(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


async def all_customer_ids(mews: MewsClient) -> list[str]:
    config = await mews.get_configuration()
    assert config.now_utc is not None
    window = TimeInterval(config.now_utc - timedelta(days=80), config.now_utc + timedelta(days=1))
    # CreatedUtc within the window: the small seed creates its customers recently.
    request = CustomersGetAll(updated_utc=window)
    return [c.id for c in await mews.get_customers(request).collect()]


async def test_configuration_get(mews: MewsClient, mews_sim: Any) -> None:
    config = await mews.get_configuration()
    assert config.enterprise is not None
    assert config.enterprise.id == mews_sim.gross.id
    assert config.enterprise.pricing == "Gross"
    assert config.enterprise.time_zone_identifier
    assert config.now_utc is not None
    assert config.now_utc.utcoffset() == timedelta(0)


async def test_enterprises_get_all(mews: MewsClient, mews_sim: Any) -> None:
    enterprises = await mews.get_enterprises().collect()
    assert [e.id for e in enterprises] == [mews_sim.gross.id]
    again = mews.get_enterprises(EnterprisesGetAll(enterprise_ids=[mews_sim.gross.id]))
    assert [e.id async for e in again] == [mews_sim.gross.id]


async def test_customers_paging_over_several_pages(mews: MewsClient, sim_requests: Counter) -> None:
    config = await mews.get_configuration()
    assert config.now_utc is not None
    window = TimeInterval(config.now_utc - timedelta(days=80), config.now_utc + timedelta(days=1))
    everything = await mews.get_customers(CustomersGetAll(updated_utc=window)).collect()
    assert len(everything) > 15
    before = sim_requests("customers/getAll")
    paged = await mews.get_customers(CustomersGetAll(updated_utc=window), page_size=7).collect()
    pages = sim_requests("customers/getAll") - before
    assert [c.id for c in paged] == [c.id for c in everything]  # same order, no gaps, no repeats
    assert pages == len(everything) // 7 + 1
    assert all(c.last_name for c in paged)
    assert all(c.updated_utc is not None and c.updated_utc.tzinfo for c in paged)


async def test_customer_ids_past_1000_are_batched(mews: MewsClient, sim_requests: Counter) -> None:
    known = await all_customer_ids(mews)
    ids = random_ids(1200) + known
    before = sim_requests("customers/getAll")
    found = await mews.get_customers(CustomersGetAll(customer_ids=ids)).collect()
    assert sim_requests("customers/getAll") - before == 2  # 1000 + 200+known ids
    assert sorted(c.id for c in found) == sorted(known)


async def test_company_ids_are_sent_one_per_request(
    mews: MewsClient, sim_requests: Counter
) -> None:
    companies = await mews.get_companies(CompaniesGetAll()).collect()
    assert len(companies) >= 2
    company_ids = [c.id for c in companies]
    before = sim_requests("customers/getAll")
    found = await mews.get_customers(CustomersGetAll(company_ids=company_ids)).collect()
    assert sim_requests("customers/getAll") - before == len(company_ids)
    assert all(c.company_id in company_ids for c in found)


async def test_updated_range_longer_than_three_months_is_split(
    mews: MewsClient, sim_requests: Counter
) -> None:
    config = await mews.get_configuration()
    assert config.now_utc is not None
    end = config.now_utc + timedelta(days=1)
    start = add_months(end, -12)
    long_range = TimeInterval(start, end)
    before = sim_requests("customers/getAll")
    found = await mews.get_customers(CustomersGetAll(updated_utc=long_range)).collect()
    assert sim_requests("customers/getAll") - before == 4  # four 3-month windows
    # the windows together return exactly the customers updated in the whole range
    everyone = mews.get_customers(CustomersGetAll(customer_ids=[c.id for c in found]))
    expected = [c async for c in everyone if c.updated_utc and start <= c.updated_utc < end]
    assert sorted(c.id for c in found) == sorted(c.id for c in expected)
    assert len(found) == len({c.id for c in found})


async def test_customers_search_finds_in_house_guests(mews: MewsClient) -> None:
    config = await mews.get_configuration()
    assert config.now_utc is not None
    window = TimeInterval(config.now_utc - timedelta(days=60), config.now_utc + timedelta(days=60))
    started = await mews.get_reservations(
        ReservationsGetAll(colliding_utc=window, states=["Started"])
    ).collect()
    assert started, "the small seed has guests in house"
    owner = started[0].account_id
    customers = await mews.get_customers(CustomersGetAll(customer_ids=[owner or ""])).collect()
    results = await mews.search_customers(CustomersSearch(name=customers[0].last_name))
    matching = [r for r in results if r.customer.id == owner]
    assert matching
    assert matching[0].reservation is not None
    assert matching[0].reservation.state == "Started"


async def test_reservations_paging_and_window(mews: MewsClient, sim_requests: Counter) -> None:
    config = await mews.get_configuration()
    assert config.now_utc is not None
    window = TimeInterval(config.now_utc - timedelta(days=80), config.now_utc + timedelta(days=1))
    everything = await mews.get_reservations(ReservationsGetAll(updated_utc=window)).collect()
    assert len(everything) > 20
    before = sim_requests("reservations/getAll/2023-06-06")
    paged = await mews.get_reservations(
        ReservationsGetAll(updated_utc=window), page_size=20
    ).collect()
    assert sim_requests("reservations/getAll/2023-06-06") - before == len(everything) // 20 + 1
    assert [r.id for r in paged] == [r.id for r in everything]
    assert all(r.state for r in paged)
    assert all(r.scheduled_start_utc and r.scheduled_start_utc.tzinfo for r in paged)


async def test_reservations_colliding_over_a_year_is_split_and_deduplicated(
    mews: MewsClient,
) -> None:
    config = await mews.get_configuration()
    assert config.now_utc is not None
    start = config.now_utc - timedelta(days=180)
    end = config.now_utc + timedelta(days=180)
    split = await mews.get_reservations(
        ReservationsGetAll(colliding_utc=TimeInterval(start, end))
    ).collect()
    assert len(split) == len({r.id for r in split})
    for r in split:
        assert r.scheduled_start_utc is not None
        assert r.scheduled_end_utc is not None
        assert r.scheduled_start_utc < end
        assert r.scheduled_end_utc > start


async def test_resources_get_all(mews: MewsClient, sim_requests: Counter) -> None:
    before = sim_requests("resources/getAll")
    rooms = await mews.get_resources(page_size=5).collect()
    assert len(rooms) >= 10
    assert sim_requests("resources/getAll") - before == len(rooms) // 5 + 1
    assert all(r.name for r in rooms)
    assert {r.data.discriminator for r in rooms if r.data} <= {"Space", "Object", "Person"}
    by_id = await mews.get_resources(ResourcesGetAll(resource_ids=[rooms[0].id])).collect()
    assert [r.id for r in by_id] == [rooms[0].id]


async def test_resource_categories_and_which_rooms_are_in_them(
    mews: MewsClient, sim_requests: Counter
) -> None:
    config = await mews.get_configuration()
    assert config.enterprise is not None
    language = config.enterprise.default_language_code
    assert language
    bookable = await mews.get_services(ServicesGetAll(service_type=ServiceType.BOOKABLE)).collect()
    categories = await mews.get_resource_categories(
        ResourceCategoriesGetAll(service_ids=[s.id for s in bookable])
    ).collect()
    assert categories
    assert all(c.names and c.names.get(language) for c in categories)
    assert {c.service_id for c in categories} <= {s.id for s in bookable}
    rooms = await mews.get_resources().collect()
    before = sim_requests("resourceCategoryAssignments/getAll")
    assignments = await mews.get_resource_category_assignments(
        ResourceCategoryAssignmentsGetAll(
            resource_category_ids=[c.id for c in categories], resource_ids=[r.id for r in rooms]
        ),
        page_size=5,
    ).collect()
    # One assignment per room, in pages of 5 until a short one.
    assert sim_requests("resourceCategoryAssignments/getAll") - before == len(rooms) // 5 + 1
    assert sorted(a.resource_id or "" for a in assignments) == sorted(r.id for r in rooms)
    assert {a.category_id for a in assignments} <= {c.id for c in categories}
    assert all(a.is_active and a.updated_utc for a in assignments)


async def test_services_and_products(mews: MewsClient) -> None:
    services = await mews.get_services().collect()
    assert services
    additional = await mews.get_services(
        ServicesGetAll(service_type=ServiceType.ADDITIONAL)
    ).collect()
    assert additional
    assert all(s.data and s.data.discriminator == "Additional" for s in additional)
    products = await mews.get_products(
        ProductsGetAll(service_ids=[s.id for s in services])
    ).collect()
    assert products
    assert {p.service_id for p in products} <= {s.id for s in services}
    priced = [p for p in products if p.price is not None]
    assert priced
    assert priced[0].price is not None
    assert priced[0].price.currency


async def test_order_items_account_ids_past_100_are_batched(
    mews: MewsClient, sim_requests: Counter
) -> None:
    known = await all_customer_ids(mews)
    ids = random_ids(150) + known
    before = sim_requests("orderItems/getAll")
    items = await mews.get_order_items(OrderItemsGetAll(account_ids=ids)).collect()
    expected_requests = -(-len(ids) // 100)
    assert sim_requests("orderItems/getAll") - before == expected_requests
    assert items, "the small seed has charges on guest accounts"
    assert {i.account_id for i in items} <= set(known)
    assert all(i.amount is not None and i.amount.currency for i in items)


async def test_bills_get_all(mews: MewsClient) -> None:
    known = await all_customer_ids(mews)
    bills = await mews.get_bills(BillsGetAll(customer_ids=known)).collect()
    assert bills
    assert {b.account_id for b in bills} <= set(known)
    assert all(b.state in {"Open", "Closed"} for b in bills)
    by_id = await mews.get_bills(BillsGetAll(bill_ids=[bills[0].id])).collect()
    assert [b.id for b in by_id] == [bills[0].id]


async def test_payments_and_a_stays_linked_orders(
    mews: MewsClient, mews_sim: Any, sim_requests: Counter
) -> None:
    stay = next(
        r for r in mews_sim.control.reservations(mews_sim.gross.id) if r["State"] == "Started"
    )
    paid = mews_sim.control.add_payment(stay["Id"], 12.5)
    ids = [*random_ids(150), stay["AccountId"]]
    before = sim_requests("payments/getAll")
    by_account = await mews.get_payments(PaymentsGetAll(account_ids=ids)).collect()
    assert sim_requests("payments/getAll") - before == 2  # AccountIds: at most 100 a call
    assert paid["Id"] in {p.id for p in by_account}
    by_stay = await mews.get_payments(PaymentsGetAll(reservation_ids=[stay["Id"]])).collect()
    payment = next(p for p in by_stay if p.id == paid["Id"])
    assert payment.amount is not None
    assert payment.amount.gross_value == Decimal("-12.5")
    assert (payment.reservation_id, payment.state) == (stay["Id"], "Charged")

    services = await mews.get_services().collect()
    reservations = [r["Id"] for r in mews_sim.control.reservations(mews_sim.gross.id)]
    orders = await mews.get_product_service_orders(
        ProductServiceOrdersGetAll(
            service_ids=[s.id for s in services], linked_reservation_ids=reservations
        )
    ).collect()
    assert orders, "the small seed has charges linked to stays"
    assert {o.linked_reservation_id for o in orders} <= set(reservations)

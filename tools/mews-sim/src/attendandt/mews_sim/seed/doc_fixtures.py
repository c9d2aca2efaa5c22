"""Entities with the ids and values of the official documentation examples.

They live in the Gross demo enterprise (the one the documentation's token pair maps to), so
the example requests of `connector-api/operations/*.md`, sent verbatim, find real data and a
client can be checked against the documented example responses field for field. Where an
example response contradicts its own request filters, the fixture follows the request.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from attendandt.mews_sim import clock, money, shapes
from attendandt.mews_sim.store import EnterpriseInfo, Store

GROSS = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
ACCOMMODATION = "bd26d8db-86da-4f96-9efc-e5a4654a4a94"
JOHN_SMITH = "fadd5bb6-b428-45d5-94f8-fd0d89fece6d"
THEA_CARBONE = "99b4f0af-9558-463b-8452-07a9bc414708"
JANE_DOE = "fe795f96-0b64-445b-89ed-c032563f2bac"
ACME = "c6f5c82d-621a-4c8a-903b-1b0a9a23b71f"
CARBONE_MEDIA = "f3b4f0af-9558-463b-8452-07a9bc414708"
AC_COMPANY = "3ed9e2f3-4bba-4df6-8d41-ab1b009b6425"
DELUXE = "773d5e42-de1e-43a0-9ce6-f940faf2303f"
ROOMS = (
    ("20e00c32-d561-4008-8609-82d8aa525714", "101"),
    ("5ee074b1-6c86-48e8-915f-c7aa4702086f", "102"),
    ("c32386aa-1cd2-414a-a823-489325842fbe", "103"),
    ("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "Suite 1"),
)
RATE = "ed4b660b-19d0-434b-9360-a4de2ea42eda"
RATE_GROUP = "c8b866b3-be2e-4a47-9486-034318e9f393"
BREAKFAST = "198bc308-c1f2-4a1c-a827-c41d99d52f3d"
LATE_CHECKOUT = "2eb7ad8b-8dfb-4381-aba5-ab58009f2993"
MINIBAR = "90eff5aa-36b4-4689-80c0-ab3a00bb412e"
RESERVATION = "0f515589-99b4-423d-b83a-b237009f0509"
OPEN_BILL = "ea087d64-3901-4eee-b0b7-9fce4c58a005"
CLOSED_INVOICE = "e654f217-d1b5-46be-a820-e93ba568dfac"
CURSOR_BILL = "e7f26210-10e7-462e-9da8-ae8300be8ab7"
CANCEL_EXAMPLE_ITEMS = (
    "f5c6b7a8-9d4f-4e2a-8a3b-2f3b8b9e6a1f",
    "a6b7c8d9-0e1f-4d2a-9b3c-5d6e7f8a9b0c",
)
NS = uuid.UUID("0d2b7f0e-76a5-4c8e-9a1c-0b5f5d1f2a77")


def _id(name: str) -> str:
    return str(uuid.uuid5(NS, name))


def add(store: Store, anchor: datetime) -> None:
    """The documentation examples' entities, added to the seeded Gross enterprise."""
    info = store.info[GROSS]
    _add_companies(store, info.chain_id)
    _add_customers(store, info.chain_id)
    _add_catalogue(store, info)
    _add_rooms(store)
    _add_reservations(store, anchor)
    _add_bills(store, info)
    _add_orders(store, info)


def _add_companies(store: Store, chain: str) -> None:
    for company_id, name, created, updated, external in (
        (ACME, "Acme, Inc.", "2019-05-01T09:00:00Z", "2019-05-01T09:00:00Z", "acme"),
        (CARBONE_MEDIA, "Carbone Media", "2021-02-01T09:00:00Z", "2021-02-01T09:00:00Z", None),
        (AC_COMPANY, "AC Company", "2019-12-06T09:00:00Z", "2019-12-11T09:00:00Z", "12345"),
    ):
        entity = shapes.company(
            id=company_id,
            chain_id=chain,
            name=name,
            number=9000 + len(store.companies),
            created=created,
            updated=updated,
            external_identifier=external,
            invoicing_email="billing@acme.example" if company_id == ACME else None,
            telephone="+420123456789",
            contact_person="Sample Person",
            department="Billing",
        )
        if company_id == ACME:
            entity["TaxIdentifier"] = "CZ24227781"
            entity["DunsNumber"] = "150483782"
        store.companies.add(entity, chain)


def _add_customers(store: Store, chain: str) -> None:
    john_address = shapes.address(
        "f8495413-bf49-45dd-843c-44be7f365569",
        {
            "Line1": "Somerford Road Hello House/135",
            "City": "Christchurch",
            "PostalCode": "BH23 3PY",
            "CountryCode": "GB",
            "CountrySubdivisionCode": "GB-ENG",
        },
    )
    store.customers.add(
        shapes.customer(
            id=JOHN_SMITH,
            chain_id=chain,
            number="12345",
            title="Mister",
            sex="Male",
            first_name="John",
            last_name="Smith",
            second_last_name="Williams",
            nationality="US",
            preferred_language="en-GB",
            birth_date="1983-12-31",
            birth_place="New York City, NY",
            occupation="Carpenter",
            email="j.smith@example.com",
            phone="00420123456789",
            tax_id="123456789",
            loyalty_code="LL810213",
            accounting_code="AC123",
            notes="",
            car="1A2 3456",
            address_entity=john_address,
            classifications=["Returning"],
            options=["SendMarketingEmails"],
            company_id=ACME,
            features=["OceanView"],
            created="2018-01-01T00:00:00Z",
            updated="2018-01-02T00:00:00Z",
        ),
        chain,
    )
    store.customers.add(
        shapes.customer(
            id=THEA_CARBONE,
            chain_id=chain,
            number="390881",
            title="Miss",
            first_name="Thea",
            last_name="Carbone",
            email="thea.carbone@old.example",
            created="2024-09-17T12:22:33Z",
            updated="2024-10-12T09:45:00Z",
        ),
        chain,
    )
    store.customers.add(
        shapes.customer(
            id=JANE_DOE,
            chain_id=chain,
            number="573204",
            first_name="Jane",
            last_name="Doe",
            email="jane.doe@example.com",
            created="2020-01-10T08:00:00Z",
            updated="2020-01-10T08:00:00Z",
        ),
        chain,
    )


def _add_catalogue(store: Store, info: EnterpriseInfo) -> None:
    store.accounting_categories.add(
        shapes.accounting_category(
            id=MINIBAR,
            enterprise_id=GROSS,
            name="Minibar",
            code="MINI",
            classification="FoodAndBeverage",
            created="2020-01-01T00:00:00Z",
        ),
        GROSS,
    )
    for product_id, name, short, updated, price in (
        (BREAKFAST, "Continental breakfast", "CBFST", "2023-10-28T11:48:57Z", "25"),
        (LATE_CHECKOUT, "Late checkout", "LATE", "2022-01-10T10:00:00Z", "20"),
    ):
        store.products.add(
            shapes.product(
                id=product_id,
                service_id=ACCOMMODATION,
                name=name,
                short_name=short,
                accounting_category_id=MINIBAR if product_id == LATE_CHECKOUT else None,
                price=money.amount(info.currency, info.default_tax_code, gross=Decimal(price)),
                created="2022-01-10T10:00:00Z",
                updated=updated,
                charging="PerPersonPerTimeUnit" if product_id == BREAKFAST else "Once",
                food=product_id == BREAKFAST,
                external_identifier=f"PROD-{short}",
            ),
            GROSS,
        )

    store.rate_groups.add(
        shapes.rate_group(id=RATE_GROUP, service_id=ACCOMMODATION, name="Documentation"), GROSS
    )
    store.rates.add(
        shapes.rate(
            id=RATE,
            service_id=ACCOMMODATION,
            group_id=RATE_GROUP,
            name="Long Stay Flexible",
            short_name="LSF",
            updated="2022-10-17T10:00:00Z",
            external_identifier="Rate-001",
        ),
        GROSS,
    )


def _add_rooms(store: Store) -> None:
    store.resource_categories.add(
        shapes.resource_category(
            id=DELUXE,
            enterprise_id=GROSS,
            service_id=ACCOMMODATION,
            name="Deluxe",
            short_name="DLX",
            type="Room",
            capacity=2,
            ordering=9,
            language="en-GB",
            translations={"en-US": "Deluxe"},
        ),
        GROSS,
    )
    for room_id, name in ROOMS:
        room = shapes.resource(
            id=room_id,
            enterprise_id=GROSS,
            name=name,
            floor="1",
            state="Inspected",
            created="2023-01-15T10:30:00Z",
            updated="2023-06-15T14:20:00Z",
        )
        store.resources.add(room, GROSS)
        store.assign_category(
            shapes.resource_category_assignment(
                id=_id(f"category-assignment-{room_id}"),
                resource_id=room_id,
                category_id=DELUXE,
                created="2023-01-15T10:30:00Z",
                updated="2023-11-10T09:00:00Z",
            ),
            GROSS,
        )


def _add_reservations(store: Store, anchor: datetime) -> None:
    adult = store.age_categories[GROSS][0]
    store.reservations.add(
        shapes.reservation(
            id=RESERVATION,
            service_id=ACCOMMODATION,
            account_id=JOHN_SMITH,
            number="52",
            state="Confirmed",
            created="2023-04-01T10:00:00Z",
            updated="2023-04-22T17:00:00Z",
            rate_id=RATE,
            group_id="94843f6f-3be3-481b-a1c7-06458774c3df",
            category_id=DELUXE,
            start="2023-04-23T14:00:00Z",
            end="2023-04-25T12:00:00Z",
            person_counts=[{"AgeCategoryId": adult, "Count": 2}],
            assigned_resource_id=ROOMS[1][0],
            booker_id="ebd507c5-6bfd-4ca9-96aa-ffed6fa94f72",
            partner_company_id="c021013e-4930-4592-8e32-91b0b1fc9663",
            travel_agency_id="a793d381-65a2-4fa6-9514-00c4c5bfe607",
            availability_block_id="5ee074b1-6c86-48e8-915f-c7aa4702086f",
            channel_number="TW48ZP",
        ),
        GROSS,
    )
    # John Smith is in house now, so customers/search finds him as the example shows.
    arrival = anchor - timedelta(days=1) + timedelta(hours=14)
    store.reservations.add(
        shapes.reservation(
            id=_id("john-in-house"),
            service_id=ACCOMMODATION,
            account_id=JOHN_SMITH,
            number="53",
            state="Started",
            created=clock.fmt(arrival - timedelta(days=10)),
            updated=clock.fmt(arrival + timedelta(hours=1)),
            rate_id=RATE,
            group_id=_id("john-group"),
            category_id=DELUXE,
            start=clock.fmt(arrival),
            end=clock.fmt(arrival + timedelta(days=3, hours=-2)),
            person_counts=[{"AgeCategoryId": adult, "Count": 1}],
            assigned_resource_id=ROOMS[0][0],
            actual_start=clock.fmt(arrival + timedelta(hours=1)),
        ),
        GROSS,
    )


def _add_bills(store: Store, info: EnterpriseInfo) -> None:
    john = store.customers.items[JOHN_SMITH]
    acme = store.companies.items[ACME]
    jane = store.customers.items[JANE_DOE]
    invoice = shapes.bill(
        id=CLOSED_INVOICE,
        enterprise_id=GROSS,
        account_id=ACME,
        account_type="Company",
        number="29",
        created="2020-02-06T10:48:06Z",
        state="Closed",
        name="Accommodation Charges",
        associated_account_ids=[JANE_DOE],
        issued="2020-02-07T10:58:06Z",
        updated="2020-02-07T10:58:06Z",
    )
    invoice["Type"] = "Invoice"
    invoice["PurchaseOrderNumber"] = "XX-123"
    invoice["OwnerData"] = shapes.bill_account_data(acme, "Company")
    associated = shapes.bill_account_data(jane, "Customer")
    invoice["AssociatedAccountData"] = [
        {
            "Discriminator": associated["Discriminator"],
            "BillCustomerData": associated["Value"],
            "BillCompanyData": None,
        }
    ]
    invoice["EnterpriseData"] = {
        "AdditionalTaxIdentifier": "XY00112233445",
        "CompanyName": info.name,
        "BankAccount": "GB33BUKB20201555555555",
        "BankName": "Simulated Bank",
        "Iban": "GB33BUKB20201555555555",
        "Bic": "BUKBGB22",
    }
    store.bills.add(invoice, GROSS)
    open_bill = shapes.bill(
        id=OPEN_BILL,
        enterprise_id=GROSS,
        account_id=JOHN_SMITH,
        account_type="Customer",
        number=None,
        created="2023-01-15T10:00:00Z",
        name="John Smith",
    )
    open_bill["OwnerData"] = shapes.bill_account_data(john, "Customer")
    store.bills.add(open_bill, GROSS)
    thea_bill = shapes.bill(
        id=CURSOR_BILL,
        enterprise_id=GROSS,
        account_id=THEA_CARBONE,
        account_type="Customer",
        number=None,
        created="2024-09-17T12:30:00Z",
    )
    thea_bill["OwnerData"] = shapes.bill_account_data(
        store.customers.items[THEA_CARBONE], "Customer"
    )
    store.bills.add(thea_bill, GROSS)


def _add_orders(store: Store, info: EnterpriseInfo) -> None:
    order_id = _id("john-minibar-order")
    restaurant = "fc79a518-bc69-45b8-93bd-83326201bd14"
    store.orders.add(
        {
            "Id": order_id,
            "EnterpriseId": GROSS,
            "ServiceId": restaurant,
            "AccountId": JOHN_SMITH,
            "AccountType": "Customer",
            "LinkedReservationId": None,
            "State": "Confirmed",
            "Notes": "Additional note",
            "CreatedUtc": "2023-01-15T10:05:00Z",
            "UpdatedUtc": "2023-01-15T10:05:00Z",
        },
        GROSS,
    )
    late = store.products.items[LATE_CHECKOUT]
    lines: tuple[tuple[str | None, str, str], ...] = (
        (None, "Minibar", "5"),
        (LATE_CHECKOUT, "Late checkout", "20"),
    )
    for n, (item_product, name, gross) in enumerate(lines):
        unit = money.amount(info.currency, info.default_tax_code, gross=Decimal(gross))
        store.order_items.add(
            shapes.order_item(
                id=_id(f"john-item-{n}"),
                enterprise_id=GROSS,
                account_id=JOHN_SMITH,
                account_type="Customer",
                service_id=restaurant if item_product is None else ACCOMMODATION,
                order_id=order_id,
                bill_id=OPEN_BILL,
                accounting_category_id=MINIBAR
                if item_product is None
                else late["AccountingCategoryId"],
                billing_name=name,
                external_identifier=f"DOC-ITEM-{n + 1}",
                unit_count=1,
                unit_amount=unit,
                amount=unit,
                revenue_type="Additional" if item_product is None else "Product",
                item_type="CustomItem" if item_product is None else "ProductOrder",
                created=f"2023-01-15T10:0{5 + n}:00Z",
                consumed="2023-01-15T12:00:00Z",
                notes="Additional note",
                product_id=item_product,
            ),
            GROSS,
        )
    # The two items the `orderItems/cancel` example cancels: John's, on his open bill, made
    # before the month the `orderItems/getAll` example reads.
    for n, item_id in enumerate(CANCEL_EXAMPLE_ITEMS):
        unit = money.amount(info.currency, info.default_tax_code, gross=Decimal("8"))
        store.order_items.add(
            shapes.order_item(
                id=item_id,
                enterprise_id=GROSS,
                account_id=JOHN_SMITH,
                account_type="Customer",
                service_id=restaurant,
                order_id=order_id,
                bill_id=OPEN_BILL,
                accounting_category_id=MINIBAR,
                billing_name="Sparkling water",
                external_identifier=f"DOC-CANCEL-{n + 1}",
                unit_count=1,
                unit_amount=unit,
                amount=unit,
                revenue_type="Additional",
                item_type="CustomItem",
                created="2022-12-20T18:00:00Z",
                consumed="2022-12-20T18:00:00Z",
                notes=None,
                product_id=None,
            ),
            GROSS,
        )

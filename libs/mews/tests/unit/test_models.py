"""Decoding Mews answers and encoding requests: wire names, tolerance, time and money values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import msgspec
import pytest

from attendandt.mews.models import (
    AmountParameters,
    Configuration,
    CustomerClassification,
    CustomersAdd,
    CustomersGetAll,
    CustomersPage,
    CustomersSearchResponse,
    CustomersUpdate,
    OrderItemParameters,
    OrderItemsPage,
    OrdersAdd,
    ReservationsPage,
    ResourcesPage,
    ServiceOrderState,
    StringUpdateValue,
    TimeInterval,
    format_utc,
)
from attendandt.mews.models.companies import CompaniesPage

CUSTOMER = b"""{
  "Customers": [{
    "Id": "35d4b117-4e60-44a3-9580-c582117eff98",
    "ChainId": "1df21f06-0cfc-4960-9c58-a3bf1261663e",
    "Number": "12345", "Title": "Mister", "Sex": "Male",
    "FirstName": "John", "LastName": "Smith",
    "BirthDate": "1983-12-31", "Email": "j.smith@example.com", "HasOtaEmail": false,
    "CreatedUtc": "2018-01-01T00:00:00Z", "UpdatedUtc": "2024-02-01T23:00:00.000Z",
    "Classifications": ["Returning", "SomethingMewsAddsTomorrow"],
    "Options": ["SendMarketingEmails"],
    "Address": {"Id": "f8495413-bf49-45dd-843c-44be7f365569", "Line1": "Somerford Road",
                "Line2": null, "City": "Christchurch", "Latitude": null},
    "ActivityState": "Active", "IsActive": true, "MergeTargetId": null,
    "PreferredSpaceFeatures": ["OceanView"],
    "BrandNewField": {"Nested": [1, 2, 3]}
  }],
  "Cursor": "35d4b117-4e60-44a3-9580-c582117eff98"
}"""


def test_customer_decodes_tolerating_unknown_fields_and_values() -> None:
    page = msgspec.json.decode(CUSTOMER, type=CustomersPage)
    assert page.cursor == "35d4b117-4e60-44a3-9580-c582117eff98"
    (customer,) = page.customers or []
    assert customer.last_name == "Smith"
    assert customer.birth_date == date(1983, 12, 31)
    assert customer.classifications == [
        CustomerClassification.RETURNING,
        "SomethingMewsAddsTomorrow",
    ]
    assert customer.address is not None
    assert customer.address.city == "Christchurch"
    assert customer.phone is None  # absent optional field


def test_time_values_decode_to_aware_utc() -> None:
    customer = (msgspec.json.decode(CUSTOMER, type=CustomersPage).customers or [])[0]
    assert customer.created_utc == datetime(2018, 1, 1, tzinfo=UTC)
    assert customer.updated_utc is not None
    assert customer.updated_utc.utcoffset() == timedelta(0)
    assert customer.updated_utc == datetime(2024, 2, 1, 23, tzinfo=UTC)


def test_null_collections_and_unknown_state_decode() -> None:
    body = b"""{"Reservations": [{"Id": "r1", "State": "Teleported", "PersonCounts": null,
        "ScheduledStartUtc": "2024-05-01T13:00:00Z", "Options": {"OwnerCheckedIn": true}}],
        "Cursor": null}"""
    page = msgspec.json.decode(body, type=ReservationsPage)
    (reservation,) = page.reservations or []
    assert reservation.state == "Teleported"
    assert reservation.person_counts is None
    assert reservation.options is not None
    assert reservation.options.owner_checked_in is True
    assert ServiceOrderState.INQUIRED == "Inquired"
    empty = msgspec.json.decode(b'{"Reservations": null, "Cursor": null}', type=ReservationsPage)
    assert empty.reservations is None


def test_missing_id_is_a_decode_error() -> None:
    with pytest.raises(msgspec.ValidationError, match="Id"):
        msgspec.json.decode(b'{"Customers": [{"LastName": "x"}]}', type=CustomersPage)


def test_amounts_decode_as_decimal_and_order_item_data() -> None:
    body = b"""{"OrderItems": [{"Id": "i1", "UnitCount": 1,
        "UnitAmount": {"Currency": "EUR", "NetValue": 93.46, "GrossValue": 100,
            "TaxValues": [{"Code": "DE-2020-1-L", "Value": 6.54}],
            "Breakdown": {"Items": [{"TaxRateCode": "DE-2020-1-L", "NetValue": 93.46,
                                     "TaxValue": 6.54}]}},
        "AccountingState": "Open", "Type": "ProductOrder",
        "Data": {"Discriminator": "Product", "Rebate": null,
                 "Product": {"ProductId": "p1", "AgeCategoryId": null}}}],
        "Cursor": "i1"}"""
    (item,) = msgspec.json.decode(body, type=OrderItemsPage).order_items or []
    assert item.unit_amount is not None
    assert item.unit_amount.net_value == Decimal("93.46")
    assert item.unit_amount.gross_value == Decimal(100)
    assert item.unit_amount.tax_values is not None
    assert item.unit_amount.tax_values[0].value == Decimal("6.54")
    assert item.data is not None
    assert item.data.product is not None
    assert item.data.product.product_id == "p1"


def test_resource_coproduct_and_company_contact_spellings() -> None:
    body = b"""{"Resources": [{"Id": "x", "Name": "101", "State": "Dirty",
        "Data": {"Discriminator": "Space", "Value": {"FloorNumber": "1"}}}], "Cursor": "x"}"""
    (resource,) = msgspec.json.decode(body, type=ResourcesPage).resources or []
    assert resource.data is not None
    assert resource.data.discriminator == "Space"
    assert resource.data.value == {"FloorNumber": "1"}
    companies = msgspec.json.decode(
        b'{"Companies": [{"Id": "c", "ContacPerson": "Ann"}, {"Id": "d", "ContactPerson": "Bo"}]}',
        type=CompaniesPage,
    )
    names = [c.contact_person_name for c in companies.companies or []]
    assert names == ["Ann", "Bo"]


def test_search_result_carries_legacy_reservation() -> None:
    body = b"""{"Customers": [{"Customer": {"Id": "c", "LastName": "Smith"},
        "Reservation": {"Id": "r", "State": "Started", "StartUtc": "2024-01-01T14:00:00Z",
                        "CustomerId": "c"}}], "Documents": null}"""
    (result,) = msgspec.json.decode(body, type=CustomersSearchResponse).customers or []
    assert result.customer.last_name == "Smith"
    assert result.reservation is not None
    assert result.reservation.start_utc == datetime(2024, 1, 1, 14, tzinfo=UTC)


def test_configuration_decodes_enterprise() -> None:
    body = b"""{"NowUtc": "2026-01-10T08:00:00Z", "Enterprise": {"Id": "e",
        "TimeZoneIdentifier": "Europe/London", "Pricing": "Gross",
        "Currencies": [{"Currency": "GBP", "IsDefault": true, "IsEnabled": true}]}}"""
    config = msgspec.json.decode(body, type=Configuration)
    assert config.now_utc == datetime(2026, 1, 10, 8, tzinfo=UTC)
    assert config.enterprise is not None
    assert config.enterprise.pricing == "Gross"
    assert config.enterprise.currencies is not None
    assert config.enterprise.currencies[0].is_default is True


def test_time_interval_encodes_canonical_utc_form() -> None:
    plus_two = timezone(timedelta(hours=2))
    interval = TimeInterval(
        datetime(2024, 3, 1, 2, 0, 0, 250_000, tzinfo=plus_two),
        datetime(2024, 3, 2, tzinfo=UTC),
    )
    assert msgspec.json.encode(interval) == (
        b'{"StartUtc":"2024-03-01T00:00:00Z","EndUtc":"2024-03-02T00:00:00Z"}'
    )
    assert format_utc(datetime(2024, 3, 1, 2, 0, 5, 999, tzinfo=plus_two)) == (
        "2024-03-01T00:00:05Z"
    )


def test_request_encodes_pascal_names_omits_unset_and_always_sends_extent() -> None:
    request = CustomersGetAll(
        customer_ids=["a"],
        updated_utc=TimeInterval(
            datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)
        ),
    )
    assert msgspec.json.decode(msgspec.json.encode(request)) == {
        "Extent": {"Customers": True, "Addresses": False},
        "CustomerIds": ["a"],
        "UpdatedUtc": {"StartUtc": "2024-01-01T00:00:00Z", "EndUtc": "2024-02-01T00:00:00Z"},
    }


def test_write_requests_keep_required_false_and_update_value_null() -> None:
    add = msgspec.json.decode(
        msgspec.json.encode(CustomersAdd(last_name="Smith", overwrite_existing=False))
    )
    assert add == {"LastName": "Smith", "OverwriteExisting": False}
    update = CustomersUpdate(
        customer_id="c", email="new@example.com", italian_fiscal_code=StringUpdateValue(None)
    )
    assert msgspec.json.decode(msgspec.json.encode(update)) == {
        "CustomerId": "c",
        "Email": "new@example.com",
        "ItalianFiscalCode": {"Value": None},
    }


def test_order_request_shape_and_amount_validation() -> None:
    order = OrdersAdd(
        service_id="s",
        account_id="a",
        linked_reservation_id="r",
        consumption_utc=datetime(2024, 5, 1, 10, 30, 15, 123_456, tzinfo=UTC),
        items=[
            OrderItemParameters(
                name="Spa",
                unit_count=2,
                unit_amount=AmountParameters(
                    currency="GBP", gross_value=Decimal("45.50"), tax_codes=["UK-S"]
                ),
                accounting_category_id="ac",
                external_identifier="charge-1",
            )
        ],
    )
    encoded = msgspec.json.Encoder(decimal_format="number").encode(order)
    assert msgspec.json.decode(encoded) == {
        "ServiceId": "s",
        "AccountId": "a",
        "Items": [
            {
                "Name": "Spa",
                "UnitCount": 2,
                "UnitAmount": {"Currency": "GBP", "GrossValue": 45.5, "TaxCodes": ["UK-S"]},
                "AccountingCategoryId": "ac",
                "ExternalIdentifier": "charge-1",
            }
        ],
        "ConsumptionUtc": "2024-05-01T10:30:15Z",
        "LinkedReservationId": "r",
    }
    with pytest.raises(ValueError, match="exactly one"):
        AmountParameters(currency="GBP")
    with pytest.raises(ValueError, match="exactly one"):
        AmountParameters(currency="GBP", gross_value=Decimal(1), net_value=Decimal(1))

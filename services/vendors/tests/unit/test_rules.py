"""Unit tests (no I/O): access rules, money validation, the order sent to Mews, the
booking transitions."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from attendandt.contracts.caller import Caller
from attendandt.contracts.snapshots import BookingState, UserRole
from attendandt.platform.rpc import Forbidden, Invalid, NotFound
from attendandt.vendors import access, bookings, outgoing, validation, views
from attendandt.vendors.records import BookingRecord, ChargeRecord

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
SPA_USER = Caller(user_id="u", role=UserRole.VENDOR, vendor_id="v-spa", enterprise_ids=("ent-1",))
MANAGER = Caller(user_id="m", role=UserRole.MANAGER, enterprise_ids=("ent-1",))
ADMIN = Caller(user_id="a", role=UserRole.ADMIN)

CHARGE = ChargeRecord(
    id="c-1",
    enterprise_id="ent-1",
    vendor_id="v-spa",
    offering_id="o-1",
    booking_id="b-1",
    guest_id="g-1",
    stay_id="s-1",
    description="Massage",
    quantity=2,
    unit_amount=Decimal("85.50"),
    currency="EUR",
    amount=Decimal("171.00"),
    tax_codes=["AT-S"],
    amount_is_gross=True,
    mews_service_id="svc",
    mews_product_id=None,
    accounting_category_id="acc",
    mews_account_id="cust",
    mews_reservation_id="res",
    consumed_at=NOW,
    notes=None,
    reference=outgoing.charge_reference("c-1"),
    state="pending",
    mews_order_id=None,
    failure_reason=None,
    attempts=1,
    created_by="u",
    version=1,
    created_at=NOW,
    updated_at=NOW,
    posted_at=None,
)

BOOKING_FULFILLED = BookingRecord(
    id="b-1",
    enterprise_id="ent-1",
    vendor_id="v-spa",
    offering_id="o-1",
    guest_id="g-1",
    stay_id="s-1",
    quantity=1,
    scheduled_for=None,
    notes=None,
    state=BookingState.FULFILLED.value,
    state_reason=None,
    unit_price=Decimal("85.50"),
    currency="EUR",
    created_by="u",
    version=3,
    created_at=NOW,
    updated_at=NOW,
)


def test_a_vendor_user_sees_only_its_vendor() -> None:
    access.visible(SPA_USER, "ent-1", "v-spa", "booking", "b-1")
    access.visible(MANAGER, "ent-1", "v-other", "booking", "b-1")
    with pytest.raises(NotFound):
        access.visible(SPA_USER, "ent-1", "v-other", "booking", "b-1")
    assert access.scope_filter(SPA_USER, None) == "v-spa"
    assert access.scope_filter(MANAGER, None) is None
    with pytest.raises(Forbidden):
        access.scope_filter(SPA_USER, "v-other")
    with pytest.raises(Forbidden):
        access.own_vendor(Caller(user_id="u", role=UserRole.VENDOR))


def test_staff_see_only_their_properties() -> None:
    """Another property's object is absent (not forbidden), for staff and vendor users; a
    portfolio-wide caller sees every property."""
    for caller in (MANAGER, SPA_USER):
        with pytest.raises(NotFound):
            access.visible(caller, "ent-2", "v-spa", "booking", "b-1")
    access.visible(ADMIN, "ent-2", "v-spa", "booking", "b-1")
    assert access.enterprises(MANAGER, None) == ("ent-1",)
    assert access.enterprises(MANAGER, "ent-1") == ("ent-1",)
    with pytest.raises(NotFound):
        access.enterprises(MANAGER, "ent-2")
    assert access.enterprises(ADMIN, None) is None
    assert access.enterprises(ADMIN, "ent-2") == ("ent-2",)


@pytest.mark.parametrize("text", ["-1", "NaN", "Infinity", "0.00001", "10000000000"])
def test_amounts_that_are_refused(text: str) -> None:
    with pytest.raises(Invalid):
        validation.amount(Decimal(text), "unit_price")


@pytest.mark.parametrize("text", ["0", "85.5", "9999999999.9999"])
def test_amounts_that_are_accepted(text: str) -> None:
    assert validation.amount(Decimal(text), "unit_price") == Decimal(text)


def test_every_attempt_of_a_charge_carries_the_same_reference_and_lines() -> None:
    first = outgoing.post_charge(CHARGE, NOW)
    second = outgoing.post_charge(replace(CHARGE, attempts=2, state="pending"), NOW)
    assert first.reference == second.reference == "attendandt:charge:c-1"
    assert first.command_id == "post_charge:c-1:1"
    assert second.command_id == "post_charge:c-1:2"
    assert first.lines == second.lines
    [line] = first.lines
    assert (line.unit_count, line.unit_amount, line.tax_codes) == (2, Decimal("85.50"), ("AT-S",))
    assert (first.account_id, first.linked_reservation_id) == ("cust", "res")


def test_next_offset() -> None:
    assert views.next_offset(0, 2, 5) == 2
    assert views.next_offset(4, 1, 5) is None
    assert views.next_offset(0, 0, 0) is None


def test_a_booking_becomes_only_what_the_transition_table_allows() -> None:
    """Every state a booking may reach has one entry; a refund follows only a fulfilment and
    a confirmed booking can no longer be declined or expire."""
    assert set(bookings.TRANSITIONS) == set(BookingState) - {BookingState.REQUESTED}
    assert bookings.may_become(BOOKING_FULFILLED, BookingState.REFUNDED)
    confirmed = replace(BOOKING_FULFILLED, state=BookingState.CONFIRMED.value)
    assert not bookings.may_become(confirmed, BookingState.REFUNDED)
    assert not bookings.may_become(confirmed, BookingState.DECLINED)
    assert not bookings.may_become(confirmed, BookingState.EXPIRED)
    assert bookings.may_become(confirmed, BookingState.CANCELLED)

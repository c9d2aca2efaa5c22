"""The billing rules on their own (no I/O): post, hold for approval, or refuse, and why."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from attendandt.contracts.snapshots import StayState, UserRole
from attendandt.vendors.billing import (
    DEFAULT_LIMITS,
    ChargeFacts,
    Limits,
    Refused,
    decide,
    validate_limits,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

BOOKED_IN_HOUSE = ChargeFacts(
    role=UserRole.VENDOR,
    booked=True,
    agreed_unit_amount=Decimal("85.50"),
    unit_amount=Decimal("85.50"),
    quantity=2,
    currency="GBP",
    stay_id="s-1",
    stay_state=StayState.STARTED,
    stay_end_utc=NOW + timedelta(days=2),
    now=NOW,
    vendor_day_total=Decimal(0),
)


def test_defaults_are_a_hotels() -> None:
    expected = Limits(
        max_charge_amount=Decimal(1000),
        max_daily_amount_per_vendor=Decimal(5000),
        checkout_grace_hours=24,
    )
    assert expected == DEFAULT_LIMITS


@pytest.mark.parametrize("role", list(UserRole))
def test_a_booked_charge_at_its_price_for_a_stay_in_house_is_posted(role: UserRole) -> None:
    assert decide(replace(BOOKED_IN_HOUSE, role=role), DEFAULT_LIMITS).approval_reason is None


def test_within_the_grace_period_after_check_out_a_vendor_may_still_charge() -> None:
    checked_out = replace(
        BOOKED_IN_HOUSE,
        stay_state=StayState.PROCESSED,
        stay_end_utc=NOW - timedelta(hours=23, minutes=59),
    )
    assert not decide(checked_out, DEFAULT_LIMITS).needs_approval


@pytest.mark.parametrize("role", list(UserRole))
def test_beyond_the_grace_period_nobody_charges(role: UserRole) -> None:
    late = replace(
        BOOKED_IN_HOUSE,
        role=role,
        stay_state=StayState.PROCESSED,
        stay_end_utc=NOW - timedelta(hours=24, seconds=1),
    )
    with pytest.raises(Refused, match="checked out more than 24 hours ago") as refused:
        decide(late, DEFAULT_LIMITS)
    assert refused.value.conflict
    # A longer grace period, set by a manager, lets it through.
    assert not decide(late, replace(DEFAULT_LIMITS, checkout_grace_hours=48)).needs_approval


def test_a_checked_out_stay_without_an_end_time_is_refused() -> None:
    unknown_end = replace(BOOKED_IN_HOUSE, stay_state=StayState.PROCESSED, stay_end_utc=None)
    with pytest.raises(Refused):
        decide(unknown_end, DEFAULT_LIMITS)


@pytest.mark.parametrize("role", [UserRole.VENDOR, UserRole.FRONT_DESK])
def test_what_a_vendor_or_the_front_desk_needs_approval_for(role: UserRole) -> None:
    base = replace(BOOKED_IN_HOUSE, role=role)
    ad_hoc = decide(replace(base, booked=False), DEFAULT_LIMITS)
    assert ad_hoc.approval_reason == "an ad-hoc charge without a booking"
    other_price = decide(replace(base, unit_amount=Decimal("99")), DEFAULT_LIMITS)
    assert other_price.approval_reason == (
        "a unit price of GBP 99.00 instead of the booking's GBP 85.50"
    )
    ad_hoc_other_price = decide(
        replace(base, booked=False, unit_amount=Decimal("99")), DEFAULT_LIMITS
    )
    assert ad_hoc_other_price.approval_reason == (
        "an ad-hoc charge without a booking; "
        "a unit price of GBP 99.00 instead of the offering's GBP 85.50"
    )
    not_arrived = decide(replace(base, stay_state=StayState.CONFIRMED), DEFAULT_LIMITS)
    assert not_arrived.approval_reason == "the stay is confirmed, not in house"
    everything = decide(replace(base, booked=False, stay_state=StayState.CONFIRMED), DEFAULT_LIMITS)
    assert everything.approval_reason == (
        "an ad-hoc charge without a booking; the stay is confirmed, not in house"
    )


@pytest.mark.parametrize("role", [UserRole.MANAGER, UserRole.ADMIN])
def test_managers_post_what_others_would_need_approval_for(role: UserRole) -> None:
    facts = replace(BOOKED_IN_HOUSE, role=role, booked=False, stay_state=StayState.CONFIRMED)
    assert not decide(facts, DEFAULT_LIMITS).needs_approval


@pytest.mark.parametrize("role", list(UserRole))
def test_the_per_charge_cap_is_a_hard_refusal_for_everyone(role: UserRole) -> None:
    at_cap = replace(BOOKED_IN_HOUSE, role=role, unit_amount=Decimal(500), booked=False)
    decide(at_cap, DEFAULT_LIMITS)  # 2 x 500 is exactly the cap: allowed
    the_incident = replace(at_cap, quantity=1000, unit_amount=Decimal("9999999.9999"))
    with pytest.raises(Refused) as refused:
        decide(the_incident, DEFAULT_LIMITS)
    assert not refused.value.conflict
    assert refused.value.detail == (
        "the charge of GBP 9,999,999,999.90 is above this property's limit of "
        "GBP 1,000.00 per charge"
    )


@pytest.mark.parametrize("role", list(UserRole))
def test_the_daily_cap_counts_what_the_vendor_charged_already(role: UserRole) -> None:
    facts = replace(BOOKED_IN_HOUSE, role=role, vendor_day_total=Decimal("4829"))  # + 171
    decide(facts, DEFAULT_LIMITS)
    over = replace(facts, vendor_day_total=Decimal("4829.01"))
    with pytest.raises(Refused, match=r"daily limit of GBP 5,000\.00 per vendor") as refused:
        decide(over, DEFAULT_LIMITS)
    assert refused.value.conflict


def test_a_cancelled_stay_takes_no_charge() -> None:
    with pytest.raises(Refused, match="is cancelled"):
        decide(
            replace(BOOKED_IN_HOUSE, role=UserRole.ADMIN, stay_state=StayState.CANCELED),
            DEFAULT_LIMITS,
        )


@pytest.mark.parametrize(
    ("limits", "error"),
    [
        (Limits(max_charge_amount=Decimal(0)), "max_charge_amount must be above 0"),
        (Limits(max_charge_amount=Decimal("1.00001")), "more than 4 decimal places"),
        (
            Limits(max_charge_amount=Decimal(100), max_daily_amount_per_vendor=Decimal(99)),
            "must be at least max_charge_amount",
        ),
        (Limits(checkout_grace_hours=721), "between 0 and 720"),
        (Limits(max_daily_amount_per_vendor=Decimal("1e10")), "below"),
    ],
)
def test_settings_that_make_no_sense_are_refused(limits: Limits, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        validate_limits(limits, Decimal("10000000000"))
    validate_limits(DEFAULT_LIMITS, Decimal("10000000000"))

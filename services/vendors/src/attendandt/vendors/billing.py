"""Billing controls: when a charge goes to the guest's bill at once, when it waits for a
manager, and when it is refused. Plain Python, no I/O: the service gathers the facts (who
asks, the stay as Mews reports it, the agreed price, what the vendor charged today) and
asks `decide`.

The rules, as a hotel runs them:
- A charge is refused outright when it is above the property's per-charge cap, or when it
  would take the vendor's charges of the last 24 hours above the daily cap: caps are hard,
  an approval does not lift them (a manager raises the cap instead, on purpose).
- A stay checked out longer ago than the grace period, or cancelled, takes no new charge
  from anyone: its bill is closed; the refusal says a manager may lengthen the grace period.
- Managers and admins (who approve charges) post any other charge directly.
- A vendor or the front desk posts directly only a charge for a booking, at the booking's
  agreed price, for a stay in house (Mews `Started`) or checked out (`Processed`) within the
  grace period. Anything else (an ad-hoc charge without a booking, another price, a stay not
  yet checked in) waits for a manager's approval, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from attendandt.contracts.snapshots import StayState, UserRole

#: Who may post any charge without an approval (they are the approvers).
APPROVERS = frozenset({UserRole.ADMIN, UserRole.MANAGER})


@dataclass(frozen=True)
class Limits:
    """A property's billing settings (the defaults until a manager changes them)."""

    max_charge_amount: Decimal = Decimal("1000")
    max_daily_amount_per_vendor: Decimal = Decimal("5000")
    checkout_grace_hours: int = 24

    @property
    def grace(self) -> timedelta:
        return timedelta(hours=self.checkout_grace_hours)


DEFAULT_LIMITS = Limits()
#: The window of the daily cap: the last 24 hours (no midnight to game, no time zone needed).
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class ChargeFacts:
    role: UserRole
    #: False for an ad-hoc charge (no booking).
    booked: bool
    #: The booking's unit price, or the offering's for an ad-hoc charge.
    agreed_unit_amount: Decimal
    unit_amount: Decimal
    quantity: int
    currency: str
    stay_id: str
    stay_state: StayState
    #: When the stay ended (checked out) or is due to end.
    stay_end_utc: datetime | None
    now: datetime
    #: The vendor's charges of the last 24 hours in this currency (not counting rejected).
    vendor_day_total: Decimal

    @property
    def amount(self) -> Decimal:
        return self.unit_amount * self.quantity


class Refused(Exception):
    """The charge may not be made at all. `conflict`: it depends on the current state (a
    stay, today's total), else the request itself is out of bounds."""

    def __init__(self, detail: str, *, conflict: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.conflict = conflict


@dataclass(frozen=True)
class Decision:
    #: None: post it now; else why a manager must approve it first.
    approval_reason: str | None

    @property
    def needs_approval(self) -> bool:
        return self.approval_reason is not None


def _money(value: Decimal, currency: str) -> str:
    return f"{currency} {value:,.2f}"


def checked_out_beyond_grace(
    state: StayState, end_utc: datetime | None, now: datetime, limits: Limits
) -> bool:
    if state is not StayState.PROCESSED:
        return False
    # A checked-out stay without an end time cannot be shown to be within the grace period.
    return end_utc is None or now > end_utc + limits.grace


def decide(facts: ChargeFacts, limits: Limits) -> Decision:
    """Post, hold for approval, or raise Refused (with the reason a person can act on)."""
    amount = facts.amount
    if amount > limits.max_charge_amount:
        raise Refused(
            f"the charge of {_money(amount, facts.currency)} is above this property's limit "
            f"of {_money(limits.max_charge_amount, facts.currency)} per charge",
            conflict=False,
        )
    if facts.vendor_day_total + amount > limits.max_daily_amount_per_vendor:
        so_far = _money(facts.vendor_day_total, facts.currency)
        raise Refused(
            f"the vendor's charges of the last 24 hours ({so_far}) and this one "
            f"({_money(amount, facts.currency)}) would be above "
            f"this property's daily limit of "
            f"{_money(limits.max_daily_amount_per_vendor, facts.currency)} per vendor",
            conflict=True,
        )
    if facts.stay_state is StayState.CANCELED:
        raise Refused(f"stay {facts.stay_id} is cancelled", conflict=True)
    if checked_out_beyond_grace(facts.stay_state, facts.stay_end_utc, facts.now, limits):
        raise Refused(
            f"stay {facts.stay_id} checked out more than {limits.checkout_grace_hours} hours "
            "ago: its bill takes no new charges (a manager can lengthen the grace period)",
            conflict=True,
        )
    if facts.role in APPROVERS:
        return Decision(None)
    reasons: list[str] = []
    if not facts.booked:
        reasons.append("an ad-hoc charge without a booking")
    if facts.unit_amount != facts.agreed_unit_amount:
        whose = "booking's" if facts.booked else "offering's"
        reasons.append(
            f"a unit price of {_money(facts.unit_amount, facts.currency)} instead of the "
            f"{whose} {_money(facts.agreed_unit_amount, facts.currency)}"
        )
    if facts.stay_state not in (StayState.STARTED, StayState.PROCESSED):
        reasons.append(f"the stay is {facts.stay_state.value}, not in house")
    return Decision("; ".join(reasons) if reasons else None)


def validate_limits(limits: Limits, ceiling: Decimal) -> None:
    """Raise ValueError with the reason when settings make no sense."""
    for name, value in (
        ("max_charge_amount", limits.max_charge_amount),
        ("max_daily_amount_per_vendor", limits.max_daily_amount_per_vendor),
    ):
        if not value.is_finite() or value <= 0 or value >= ceiling:
            raise ValueError(f"{name} must be above 0 and below {ceiling}")
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int) or exponent < -4:
            raise ValueError(f"{name} has more than 4 decimal places")
    if limits.max_daily_amount_per_vendor < limits.max_charge_amount:
        raise ValueError(
            "max_daily_amount_per_vendor must be at least max_charge_amount "
            "(else no charge at the per-charge limit could ever be made)"
        )
    if not 0 <= limits.checkout_grace_hours <= 720:
        raise ValueError("checkout_grace_hours must be between 0 and 720")

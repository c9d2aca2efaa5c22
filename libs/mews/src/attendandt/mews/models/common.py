"""Shared wire shapes: base classes, time intervals, amounts, addresses, update values.

Field names are Mews' own: Python attributes are snake_case and ``rename="pascal"`` maps them to
the PascalCase wire names (``customer_ids`` <-> ``CustomerIds``). Unknown fields are ignored when
decoding, so Mews can add fields without breaking us. Enum-like values are plain ``str`` (Mews marks
several enums "not exhaustive"); the constant classes name the values known today.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import msgspec


class MewsModel(msgspec.Struct, rename="pascal", kw_only=True):
    """Base of every decoded Mews object. Unknown fields are tolerated; optional ones are None."""


class MewsRequest(msgspec.Struct, rename="pascal", kw_only=True, omit_defaults=True):
    """Base of every request body. Fields left at their default are not sent."""


def ensure_utc(value: datetime) -> datetime:
    """An aware datetime converted to UTC; naive datetimes are rejected (they are ambiguous)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: Mews time values must be timezone-aware")
    return value.astimezone(UTC)


def floor_second(value: datetime) -> datetime:
    """UTC, truncated to the whole second (the canonical Mews form has no fraction)."""
    return ensure_utc(value).replace(microsecond=0)


def ceil_second(value: datetime) -> datetime:
    """UTC, rounded up to the next whole second when it has a fraction."""
    utc = ensure_utc(value)
    if utc.microsecond:
        return utc.replace(microsecond=0) + timedelta(seconds=1)
    return utc


def format_utc(value: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ``, the canonical Mews date-time form."""
    return floor_second(value).strftime("%Y-%m-%dT%H:%M:%SZ")


class TimeInterval(msgspec.Struct, rename="pascal"):
    """A time filter ``{StartUtc, EndUtc}``: half-open ``StartUtc <= value < EndUtc``.

    ``StartUtc == EndUtc`` matches that exact instant. Both ends are converted to UTC and widened
    to whole seconds (start down, end up) so nothing inside the requested range is lost when the
    values are sent in the canonical ``YYYY-MM-DDThh:mm:ssZ`` form.
    """

    start_utc: datetime
    end_utc: datetime

    def __post_init__(self) -> None:
        self.start_utc = floor_second(self.start_utc)
        self.end_utc = ceil_second(self.end_utc)
        if self.end_utc < self.start_utc:
            raise ValueError(f"EndUtc {self.end_utc} is before StartUtc {self.start_utc}")


class Coproduct(MewsModel):
    """A discriminated union ``{Discriminator, Value}``; the ``Value`` shape depends on the type."""

    discriminator: str | None = None
    value: dict[str, Any] | None = None


class TaxValue(MewsModel):
    code: str | None = None
    value: Decimal | None = None


class TaxBreakdownItem(MewsModel):
    tax_rate_code: str | None = None
    net_value: Decimal | None = None
    tax_value: Decimal | None = None


class TaxBreakdown(MewsModel):
    items: list[TaxBreakdownItem] | None = None


class Amount(MewsModel):
    """A price as Mews reports it (``Amount`` / ``Extended amount``)."""

    currency: str | None = None
    net_value: Decimal | None = None
    gross_value: Decimal | None = None
    tax_values: list[TaxValue] | None = None
    breakdown: TaxBreakdown | None = None


class AmountParameters(MewsRequest):
    """A price sent to Mews: ``GrossValue`` in Gross-pricing enterprises, ``NetValue`` in Net ones.

    ``TaxCodes`` are tax-rate codes such as ``UK-S``; with ``GrossValue`` only one is allowed.
    """

    currency: str
    gross_value: Decimal | None = None
    net_value: Decimal | None = None
    tax_codes: list[str] | None = None

    def __post_init__(self) -> None:
        if (self.gross_value is None) == (self.net_value is None):
            raise ValueError("exactly one of GrossValue and NetValue must be given")


class Address(MewsModel):
    id: str | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    country_subdivision_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class AddressParameters(MewsRequest):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    country_subdivision_code: str | None = None


class StringUpdateValue(msgspec.Struct, rename="pascal"):
    """``{"Value": x}`` sets a value, ``{"Value": null}`` clears it; omit the field to keep it."""

    value: str | None


class AccountType:
    CUSTOMER: Final = "Customer"
    COMPANY: Final = "Company"


class ActivityState:
    ACTIVE: Final = "Active"
    DELETED: Final = "Deleted"


__all__ = [
    "AccountType",
    "ActivityState",
    "Address",
    "AddressParameters",
    "Amount",
    "AmountParameters",
    "Coproduct",
    "MewsModel",
    "MewsRequest",
    "StringUpdateValue",
    "TaxBreakdown",
    "TaxBreakdownItem",
    "TaxValue",
    "TimeInterval",
    "ceil_second",
    "ensure_utc",
    "floor_second",
    "format_utc",
]

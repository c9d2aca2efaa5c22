"""What a request's values must be before a use case acts on them (Invalid, 422, else)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from msgspec import UNSET

from attendandt.platform.consumer import Rejected
from attendandt.platform.rpc import Invalid

#: A unit price or amount above this is a typo, and would overflow quantity x price.
MAX_UNIT_AMOUNT = Decimal("10000000000")
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]+$")


def amount(value: Decimal, field: str) -> Decimal:
    if not value.is_finite() or value < 0 or value >= MAX_UNIT_AMOUNT:
        raise Invalid(f"{field} must be at least 0 and below {MAX_UNIT_AMOUNT}")
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -4:
        raise Invalid(f"{field} has more than 4 decimal places")
    return value


def blank_to_none(value: str | None) -> str | None:
    return value if value is None or value.strip() else None


def not_blank(value: str, field: str) -> str:
    if not value.strip():
        raise Invalid(f"{field} must not be blank")
    return value.strip()


def enterprise(value: str) -> str:
    if not _TOKEN.match(value):
        raise Invalid(f"enterprise_id {value!r} is not a plain id")
    return value


def commanded_enterprise(value: str) -> str:
    """A command's property: one that is not a plain id can never apply (a dead letter)."""
    try:
        return enterprise(value)
    except Invalid as exc:
        raise Rejected(str(exc)) from exc


def set_fields(request: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields an update request sets (left-out fields keep their value)."""
    return {name: getattr(request, name) for name in names if getattr(request, name) is not UNSET}

"""Typed, defensive reading of request bodies.

Every getter turns a wrong type, a null where a value is required or a limit overrun into a
400 naming the parameter, so a malformed request can never reach the store and end in a 500.
Unknown fields are ignored, as Mews does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from attendandt.mews_sim import clock
from attendandt.mews_sim.errors import BadRequest, invalid

MAX_PAGE = 1000


@dataclass(frozen=True)
class Interval:
    """A `Time interval` filter as canonical strings; half-open unless both ends are equal."""

    start: str
    end: str

    def contains(self, value: str | None) -> bool:
        if value is None:
            return False
        if self.start == self.end:
            return value == self.start
        return self.start <= value < self.end

    def collides(self, start: str | None, end: str | None) -> bool:
        """Whether [start, end] intersects the interval (for `CollidingUtc`)."""
        if start is None or end is None:
            return False
        return (
            start < self.end and end > self.start
            if self.start != self.end
            else (start <= self.start <= end)
        )


@dataclass(frozen=True)
class Limitation:
    count: int
    cursor: str | None


def is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


class Params:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def has(self, name: str) -> bool:
        return self.body.get(name) is not None

    # scalars -----------------------------------------------------------------------------
    def opt_str(self, name: str, *, max_len: int | None = None) -> str | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise invalid(name, "Expected a string.")
        if max_len is not None and len(value) > max_len:
            raise invalid(name, f"Maximum length is {max_len} characters.")
        return value

    def req_str(self, name: str, *, max_len: int | None = None) -> str:
        value = self.opt_str(name, max_len=max_len)
        if value is None or value == "":
            raise invalid(name, "The value is required.")
        return value

    def opt_id(self, name: str) -> str | None:
        value = self.opt_str(name)
        if value is None:
            return None
        if not is_guid(value):
            raise invalid(name, "Expected a unique identifier.")
        return value.lower()

    def req_id(self, name: str) -> str:
        value = self.opt_id(name)
        if value is None:
            raise invalid(name, "The value is required.")
        return value

    def opt_bool(self, name: str) -> bool | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise invalid(name, "Expected a boolean.")
        return value

    def req_bool(self, name: str) -> bool:
        value = self.opt_bool(name)
        if value is None:
            raise invalid(name, "The value is required.")
        return value

    def opt_int(self, name: str, *, low: int | None = None, high: int | None = None) -> int | None:
        value = self.body.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(name, "Expected an integer.")
        if (low is not None and value < low) or (high is not None and value > high):
            raise invalid(name, f"Expected a value between {low} and {high}.")
        return value

    def opt_enum(self, name: str, allowed: frozenset[str]) -> str | None:
        value = self.opt_str(name)
        if value is not None and value not in allowed:
            raise invalid(name, f"Unknown value '{value[:50]}'.")
        return value

    def opt_datetime(self, name: str) -> str | None:
        value = self.opt_str(name)
        if value is None:
            return None
        try:
            return clock.fmt(clock.parse(value))
        except (ValueError, OverflowError):
            raise invalid(name, "Expected an ISO 8601 date-time.") from None

    def req_datetime(self, name: str) -> str:
        value = self.opt_datetime(name)
        if value is None:
            raise invalid(name, "The value is required.")
        return value

    def opt_obj(self, name: str) -> Params | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise invalid(name, "Expected an object.")
        return Params(value)

    def req_obj(self, name: str) -> Params:
        value = self.opt_obj(name)
        if value is None:
            raise invalid(name, "The value is required.")
        return value

    # arrays ------------------------------------------------------------------------------
    def opt_list(self, name: str, *, max_items: int = 1000) -> list[Any] | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise invalid(name, "Expected an array.")
        if len(value) > max_items:
            raise invalid(name, f"Maximum count of items is {max_items}.")
        return value

    def opt_strs(self, name: str, *, max_items: int = 1000) -> list[str] | None:
        values = self.opt_list(name, max_items=max_items)
        if values is None:
            return None
        if not all(isinstance(v, str) for v in values):
            raise invalid(name, "Expected an array of strings.")
        return values

    def opt_ids(self, name: str, *, max_items: int = 1000) -> list[str] | None:
        values = self.opt_strs(name, max_items=max_items)
        if values is None:
            return None
        if not all(is_guid(v) for v in values):
            raise invalid(name, "Expected an array of unique identifiers.")
        return [v.lower() for v in values]

    def req_ids(self, name: str, *, max_items: int = 1000) -> list[str]:
        values = self.opt_ids(name, max_items=max_items)
        if not values:
            raise invalid(name, "The value is required.")
        return values

    def opt_enums(self, name: str, allowed: frozenset[str]) -> list[str] | None:
        values = self.opt_strs(name)
        if values is None:
            return None
        for v in values:
            if v not in allowed:
                raise invalid(name, f"Unknown value '{v[:50]}'.")
        return values

    def opt_objs(self, name: str, *, max_items: int = 1000) -> list[Params] | None:
        values = self.opt_list(name, max_items=max_items)
        if values is None:
            return None
        if not all(isinstance(v, dict) for v in values):
            raise invalid(name, "Expected an array of objects.")
        return [Params(v) for v in values]

    # Mews objects ------------------------------------------------------------------------
    def interval(self, name: str, *, max_months: int = 3) -> Interval | None:
        value = self.opt_obj(name)
        if value is None:
            return None
        start = _interval_end(value, name, "StartUtc")
        end = _interval_end(value, name, "EndUtc")
        if end < start:
            raise invalid(name, "EndUtc must not be before StartUtc.")
        if end > clock.add_months(start, max_months):
            raise invalid(name, f"The maximum length of the interval is {max_months} months.")
        return Interval(clock.fmt(start), clock.fmt(end))

    def limitation(self) -> Limitation:
        value = self.opt_obj("Limitation")
        if value is None:
            raise invalid("Limitation", "The value is required.")
        count = value.body.get("Count")
        if isinstance(count, bool) or not isinstance(count, int):
            raise invalid("Limitation", "Count is required and must be an integer.")
        if not 1 <= count <= MAX_PAGE:
            raise invalid("Limitation", f"Count must be between 1 and {MAX_PAGE}.")
        cursor = value.body.get("Cursor")
        if cursor is not None and (not isinstance(cursor, str) or not is_guid(cursor)):
            raise invalid("Limitation", "Cursor must be a unique identifier.")
        return Limitation(count, cursor.lower() if isinstance(cursor, str) else None)


def _interval_end(value: Params, name: str, part: str) -> datetime:
    raw = value.body.get(part)
    if not isinstance(raw, str):
        raise invalid(name, f"{part} is required.")
    try:
        return clock.parse(raw)
    except (ValueError, OverflowError):
        raise invalid(name, f"{part} is not a valid date-time.") from None


def require_any(params: Params, names: tuple[str, ...], first: str) -> None:
    """'Required if no other filter is provided': at least one of `names`."""
    if not any(params.has(n) for n in names):
        raise BadRequest(f"Invalid {first}. At least one filter is required.")

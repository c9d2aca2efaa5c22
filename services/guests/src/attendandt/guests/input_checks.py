"""Checks of what callers and commands send, shared by the service's parts: each refuses bad
input with `Invalid` (a clear reason), never a crash."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attendandt.platform.rpc import Invalid

_TOKEN = re.compile(r"^[A-Za-z0-9_\-]+$")


def valid_uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise Invalid(f"{what} {value!r} is not a valid id") from exc


def require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(f"{what} has no time zone: send UTC times with an offset or Z")


def require_one_of(first: str | None, second: str | None, names: str) -> None:
    if (first is None) == (second is None):
        raise Invalid(f"give exactly one of {names}")


def hotel_zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise Invalid(
            f"unknown time zone {timezone!r}: use an IANA name like Europe/Prague"
        ) from exc


def require_enterprise(enterprise_id: str) -> None:
    """A property's id goes into subjects: it must be a single subject token."""
    if not _TOKEN.match(enterprise_id):
        raise Invalid(f"enterprise_id {enterprise_id!r} is not a single subject token")


def check_mews_command(enterprise_id: str, mews_id: str, updated: datetime) -> None:
    """What every command applying a Mews record must carry: its property, the record's Mews
    id and an aware UpdatedUtc."""
    require_enterprise(enterprise_id)
    if not mews_id.strip():
        raise Invalid("mews_id is empty")
    require_aware(updated, "mews_updated_utc")

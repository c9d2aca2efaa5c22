"""What the request bodies share: the field constraints and the base that refuses unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=2000)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=1000)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class Body(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A request body: unknown fields are refused, so a typo is not silently ignored."""

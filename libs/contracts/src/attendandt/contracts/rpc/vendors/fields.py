"""The constrained field types of the vendors requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=2000)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
#: A client's `Idempotency-Key` (printable ASCII; a UUID is typical).
IdempotencyKey = Annotated[
    str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$")
]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=1000)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
Limit = Annotated[int, msgspec.Meta(ge=1, le=200)]
Offset = Annotated[int, msgspec.Meta(ge=0)]

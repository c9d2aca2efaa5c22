"""What every guests contract shares: the page size and the base of the views
(`attendandt.contracts.rpc.guests`)."""

from __future__ import annotations

from typing import Annotated

import msgspec

Limit = Annotated[int, msgspec.Meta(ge=1, le=200)]


class _Part(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    pass

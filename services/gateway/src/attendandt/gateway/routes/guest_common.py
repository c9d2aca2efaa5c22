"""What the guests, edits and stays routes share: their query and path parameters, and who gets
the staff views."""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from attendandt.contracts.rpc.users import Principal
from attendandt.gateway.permissions import Permission, has

EnterpriseQuery = Annotated[
    str | None,
    QueryParameter(
        name="enterprise_id",
        min_length=1,
        max_length=100,
        description="Required for portfolio-wide users; others default to (and may only "
        "ask for) their own property.",
    ),
]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Cursor = Annotated[str | None, QueryParameter(max_length=1000)]
IdPath = Annotated[str, PathParameter(min_length=1, max_length=100)]
TimeZone = Annotated[
    str | None,
    QueryParameter(
        min_length=1,
        max_length=64,
        description="An IANA time zone to take the day in; left out, the hotel's own "
        "(Mews's, UTC only until the hotel is known)",
    ),
]


def is_staff(principal: Principal) -> bool:
    """Whether the principal gets the staff views (with contact details)."""
    return has(principal, Permission.GUESTS_CONTACT_READ)

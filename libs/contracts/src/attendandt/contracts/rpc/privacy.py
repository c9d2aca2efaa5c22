"""Request-reply contracts of a guest's personal data under control, answered by the guests
service (`rpc.v1.guests.<method>`): erasure requests with their receipts
(`contracts.erasure`), and the log of who read a guest's personal data.

All are answered for the caller in the `Attendandt-Caller` header:
- `request_erasure`, `list_erasures`, `get_erasure`: callers holding `ERASE` for a property
  they act for (an admin: every property; a manager: their own). Another property's guest or
  request is "not found"; a list names only the caller's properties.
- `guest_access_log`, `retention_runs`: callers holding `AUDIT_READ` (admins), scoped to
  their properties.

Asking to erase a guest already asked for answers the request already made (`created`
False): one request per guest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.erasure import ErasureSource

#: Ask for and read erasures of a property's guests.
ERASE = "guests:erase"
#: Read who accessed a guest's personal data.
AUDIT_READ = "audit:read"

Limit = Annotated[int, msgspec.Meta(ge=1, le=200)]
ErasureState = Literal["pending", "done"]
#: What a staff member or vendor did with a guest's personal data.
AccessAction = Literal["detail", "export", "search"]


class RequestErasureRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.request_erasure_request"
    enterprise_id: str
    guest_id: str
    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=500)]


class ErasureReceiptView(msgspec.Struct, frozen=True, kw_only=True):
    """One part of an erasure: its receipt once in (`done_at` set), else still awaited."""

    part: str
    done_at: datetime | None = None
    removed: dict[str, int] = {}
    pseudonymised: dict[str, int] = {}


class ErasureView(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.erasure"
    request_id: str
    enterprise_id: str
    guest_id: str
    pseudonym: str
    source: ErasureSource
    #: A user id for a staff request; `mews` or `retention` otherwise.
    requested_by: str
    requested_at: datetime
    reason: str
    state: ErasureState
    completed_at: datetime | None = None
    receipts: tuple[ErasureReceiptView, ...] = ()
    #: The parts whose receipt is not in yet.
    waiting_for: tuple[str, ...] = ()
    #: False when the guest had been asked for already (this is that request).
    created: bool = False


class ListErasuresRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.list_erasures_request"
    enterprise_id: str | None = None
    state: ErasureState | None = None
    limit: Limit = 50
    offset: Annotated[int, msgspec.Meta(ge=0)] = 0


class ErasurePage(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.erasure_page"
    items: tuple[ErasureView, ...] = ()
    next_offset: int | None = None


class GetErasureRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.get_erasure_request"
    enterprise_id: str | None = None
    request_id: str


class GuestAccessRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.guest_access_request"
    enterprise_id: str | None = None
    guest_id: str | None = None
    limit: Limit = 100
    offset: Annotated[int, msgspec.Meta(ge=0)] = 0


class GuestAccess(msgspec.Struct, frozen=True, kw_only=True):
    """A staff member or vendor read a guest's personal data."""

    enterprise_id: str
    guest_id: str
    user_id: str
    role: str
    vendor_id: str | None = None
    action: AccessAction
    at: datetime


class GuestAccessPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.guest_access_page"
    items: tuple[GuestAccess, ...] = ()
    next_offset: int | None = None


class RetentionRunsRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.retention_runs_request"
    enterprise_id: str | None = None
    limit: Limit = 50
    offset: Annotated[int, msgspec.Meta(ge=0)] = 0


class RetentionRun(msgspec.Struct, frozen=True, kw_only=True):
    """One retention sweep of a property that erased anyone: guests whose last stay ended
    before `cutoff` (`months` before `ran_at`), one erasure request each."""

    run_id: str
    enterprise_id: str
    ran_at: datetime
    months: int
    cutoff: datetime
    erased: int
    request_ids: tuple[str, ...] = ()


class RetentionRunPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.retention_run_page"
    items: tuple[RetentionRun, ...] = ()
    next_offset: int | None = None


REQUEST_ERASURE = RpcMethod("guests", "request_erasure", RequestErasureRequest, ErasureView)
LIST_ERASURES = RpcMethod("guests", "list_erasures", ListErasuresRequest, ErasurePage)
GET_ERASURE = RpcMethod("guests", "get_erasure", GetErasureRequest, ErasureView)
GUEST_ACCESS_LOG = RpcMethod("guests", "guest_access_log", GuestAccessRequest, GuestAccessPage)
RETENTION_RUNS = RpcMethod("guests", "retention_runs", RetentionRunsRequest, RetentionRunPage)

METHODS: tuple[RpcMethod[Payload, Payload], ...] = (
    REQUEST_ERASURE,
    LIST_ERASURES,
    GET_ERASURE,
    GUEST_ACCESS_LOG,
    RETENTION_RUNS,
)  # type: ignore[assignment]

# --------------------------------------------------------------------------- examples

_NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
EXAMPLE_ERASURE = ErasureView(
    request_id="5f0c8a52-3a8e-4d0e-9b1c-6f2d7e8a9b0c",
    enterprise_id="8a1f3b0e-1c2d-4e5f-9a8b-7c6d5e4f3a2b",
    guest_id="0b7e5c1a-9f43-4d8e-8a57-3c2b1a0f9e8d",
    pseudonym="Erased guest 5f0c8a52",
    source="staff",
    requested_by="u-admin",
    requested_at=_NOW,
    reason="the guest asked by email",
    state="pending",
    receipts=(
        ErasureReceiptView(
            part="guests", done_at=_NOW, removed={"guest_edits": 1}, pseudonymised={"guests": 1}
        ),
        ErasureReceiptView(part="event-streams"),
        ErasureReceiptView(part="vendors"),
    ),
    waiting_for=("event-streams", "vendors"),
    created=True,
)

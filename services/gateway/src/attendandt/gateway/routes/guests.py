"""Guests and stays, from the guests service, in the caller's view: staff with contact
details (`guests:contact:read`) get the full views, everyone else the vendor-safe ones.

Every call carries the caller (`caller_of`), and the guests service answers for it: another
property's guest or stay is 404, a vendor sees only the guests and stays it has bookings
with, with the personal fields already empty. The vendor-safe shapes here narrow it again."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol, TypeVar

from litestar import Request, Response, Router, get
from litestar.params import FromQuery, QueryParameter

from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.gateway.permissions import Permission
from attendandt.gateway.routes.common import BackendDep, caller, enterprise_for, needs, principal_of
from attendandt.gateway.routes.guest_common import (
    Cursor,
    EnterpriseQuery,
    IdPath,
    Limit,
    TimeZone,
    is_staff,
)
from attendandt.gateway.schemas.guests import (
    GuestExport,
    StaffGuestDetail,
    StaffGuestPage,
    VendorGuestDetail,
    VendorGuestPage,
    vendor_safe_guest,
    vendor_safe_stay,
)

log = logging.getLogger(__name__)


@get("/guests", **needs(Permission.GUESTS_READ))
async def search_guests(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    enterprise_id: EnterpriseQuery = None,
    q: Annotated[str, QueryParameter(max_length=200)] = "",
    include_inactive: FromQuery[bool] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
    timezone: TimeZone = None,
) -> StaffGuestPage | VendorGuestPage:
    """Guests by name, email, phone, room or reservation number (see the guests service).
    A room finds everyone on the stay in it now or due in today: the hotel's today unless
    `timezone` names another zone."""
    principal = principal_of(request)
    page = await backend.call(
        guests_rpc.SEARCH,
        guests_rpc.SearchGuestsRequest(
            enterprise_id=enterprise_for(principal, enterprise_id),
            query=q,
            include_inactive=include_inactive,
            limit=limit,
            cursor=cursor,
            # Left out: the hotel's own zone (the guests service knows it).
            timezone=timezone,
        ),
        caller=caller(request),
    )
    if is_staff(principal):
        return StaffGuestPage(items=list(page.items), next_cursor=page.next_cursor)
    return VendorGuestPage(
        items=[vendor_safe_guest(g) for g in page.items], next_cursor=page.next_cursor
    )


@get("/guests/{guest_id:str}", **needs(Permission.GUESTS_READ))
async def get_guest(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    guest_id: IdPath,
    enterprise_id: EnterpriseQuery = None,
) -> StaffGuestDetail | VendorGuestDetail:
    """One guest with their stays (newest first); staff also get the timeline."""
    principal = principal_of(request)
    detail = await backend.call(
        guests_rpc.GET_GUEST,
        guests_rpc.GetGuestRequest(
            enterprise_id=enterprise_for(principal, enterprise_id), guest_id=guest_id
        ),
        caller=caller(request),
    )
    if is_staff(principal):
        return StaffGuestDetail(
            guest=detail.guest,
            stays=list(detail.stays),
            timeline=list(detail.timeline),
            edits=list(detail.edits),
        )
    return VendorGuestDetail(
        guest=vendor_safe_guest(detail.guest), stays=[vendor_safe_stay(s) for s in detail.stays]
    )


#: An export gathers at most this many bookings and this many charges (pages of 200).
EXPORT_MAX_ITEMS = 10_000

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class _Page(Protocol[T_co]):
    @property
    def items(self) -> tuple[T_co, ...]: ...

    @property
    def next_offset(self) -> int | None: ...


async def _export_pages(page_at: Callable[[int], Awaitable[_Page[T]]]) -> list[T]:
    """The items of a list's pages, from offset 0 until the last page or EXPORT_MAX_ITEMS."""
    items: list[T] = []
    while len(items) < EXPORT_MAX_ITEMS:
        page = await page_at(len(items))
        items += page.items
        if page.next_offset is None or not page.items:
            break
    return items


@get("/guests/{guest_id:str}/export", **needs(Permission.GUESTS_EXPORT))
async def export_guest(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    guest_id: IdPath,
    enterprise_id: EnterpriseQuery = None,
) -> Response[GuestExport]:
    """Everything held about the guest, from each service that holds some, as one JSON
    document to download (a guest's access request). Managers and admins of the property."""
    principal = principal_of(request)
    enterprise = enterprise_for(principal, enterprise_id)
    who = caller(request)
    detail = await backend.call(
        guests_rpc.GET_GUEST,
        guests_rpc.GetGuestRequest(enterprise_id=enterprise, guest_id=guest_id, purpose="export"),
        caller=who,
    )
    bookings = await _export_pages(
        lambda offset: backend.call(
            vendors_rpc.LIST_BOOKINGS,
            vendors_rpc.ListBookingsRequest(
                enterprise_id=enterprise, guest_id=guest_id, limit=200, offset=offset
            ),
            caller=who,
        )
    )
    charges = await _export_pages(
        lambda offset: backend.call(
            vendors_rpc.LIST_CHARGES,
            vendors_rpc.ListChargesRequest(
                enterprise_id=enterprise, guest_id=guest_id, limit=200, offset=offset
            ),
            caller=who,
        )
    )
    # Who read a guest's whole file, and when: an access a data protection officer asks about.
    log.info("guest data exported", extra={"guest_id": guest_id, "user_id": principal.user_id,
                                            "enterprise_id": enterprise})  # fmt: skip
    document = GuestExport(
        exported_at=datetime.now(UTC),
        enterprise_id=enterprise,
        guest=detail.guest,
        stays=list(detail.stays),
        timeline=list(detail.timeline),
        bookings=bookings,
        charges=charges,
        sources=["guests", "vendors"],
    )
    # A header is Latin-1: the file is named by the id only when it is a plain one.
    name = f"guest-{guest_id}.json" if re.fullmatch(r"[A-Za-z0-9_-]+", guest_id) else "guest.json"
    return Response(
        document,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


guests_router = Router(
    path="/",
    route_handlers=[
        search_guests,
        get_guest,
        export_guest,
    ],
    tags=["guests"],
)

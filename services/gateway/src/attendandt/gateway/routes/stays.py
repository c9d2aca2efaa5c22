"""Stays in the caller's view: one stay, its bill, and the hotel's day lists (arrivals,
departures, in house)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Router, get
from litestar.params import FromQuery

from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.gateway.backend import Backend
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
    StaffStay,
    StaffStayPage,
    VendorStay,
    VendorStayPage,
    vendor_safe_stay,
)


@get("/stays/{stay_id:str}", **needs(Permission.GUESTS_READ))
async def get_stay(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    stay_id: IdPath,
    enterprise_id: EnterpriseQuery = None,
) -> StaffStay | VendorStay:
    principal = principal_of(request)
    detail = await backend.call(
        guests_rpc.GET_STAY,
        guests_rpc.GetStayRequest(
            enterprise_id=enterprise_for(principal, enterprise_id), stay_id=stay_id
        ),
        caller=caller(request),
    )
    if is_staff(principal):
        return StaffStay(stay=detail.stay, note_writes=list(detail.note_writes))
    return VendorStay(stay=vendor_safe_stay(detail.stay))


@get("/stays/{stay_id:str}/bill", **needs(Permission.STAYS_BILL_READ))
async def get_stay_bill(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    stay_id: IdPath,
    enterprise_id: EnterpriseQuery = None,
) -> guests_rpc.StayBillReply:
    """What was charged and paid for the stay, as last read from Mews: its items (ours and
    others'), bills, payments and balance; `bill` is null until sync has read it. Hotel
    staff only; a stay of another property is 404."""
    return await backend.call(
        guests_rpc.STAY_BILL,
        guests_rpc.StayBillRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id), stay_id=stay_id
        ),
        caller=caller(request),
    )


async def _day(
    method: Any,
    *,
    request: Request[Any, Any, Any],
    backend: Backend,
    enterprise_id: str | None,
    day: date,
    timezone: str | None,
    include_cancelled: bool,
    limit: int,
    cursor: str | None,
) -> StaffStayPage | VendorStayPage:
    principal = principal_of(request)
    page: guests_rpc.StayPage = await backend.call(
        method,
        guests_rpc.DayStaysRequest(
            enterprise_id=enterprise_for(principal, enterprise_id),
            date=day,
            timezone=timezone,
            include_cancelled=include_cancelled,
            limit=limit,
            cursor=cursor,
        ),
        caller=caller(request),
    )
    if is_staff(principal):
        return StaffStayPage(
            items=list(page.items),
            next_cursor=page.next_cursor,
            window_start_utc=page.window_start_utc,
            window_end_utc=page.window_end_utc,
            timezone=page.timezone,
        )
    return VendorStayPage(
        items=[vendor_safe_stay(s) for s in page.items],
        next_cursor=page.next_cursor,
        window_start_utc=page.window_start_utc,
        window_end_utc=page.window_end_utc,
        timezone=page.timezone,
    )


@get("/arrivals", **needs(Permission.GUESTS_READ))
async def arrivals(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    date: FromQuery[date],
    enterprise_id: EnterpriseQuery = None,
    timezone: TimeZone = None,
    include_cancelled: FromQuery[bool] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> StaffStayPage | VendorStayPage:
    """Arrivals of the hotel's local `date`: due in that day (confirmed or optional) and
    those already checked in, by scheduled start; no checked-out or cancelled stays."""
    return await _day(
        guests_rpc.ARRIVALS,
        request=request,
        backend=backend,
        enterprise_id=enterprise_id,
        day=date,
        timezone=timezone,
        include_cancelled=include_cancelled,
        limit=limit,
        cursor=cursor,
    )


@get("/departures", **needs(Permission.GUESTS_READ))
async def departures(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    date: FromQuery[date],
    enterprise_id: EnterpriseQuery = None,
    timezone: TimeZone = None,
    include_cancelled: FromQuery[bool] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> StaffStayPage | VendorStayPage:
    """Departures of the hotel's local `date`: checked in or already checked out, by scheduled
    end; for a future date also the confirmed stays due out."""
    return await _day(
        guests_rpc.DEPARTURES,
        request=request,
        backend=backend,
        enterprise_id=enterprise_id,
        day=date,
        timezone=timezone,
        include_cancelled=include_cancelled,
        limit=limit,
        cursor=cursor,
    )


@get("/in-house", **needs(Permission.GUESTS_READ))
async def in_house(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    date: FromQuery[date],
    enterprise_id: EnterpriseQuery = None,
    timezone: TimeZone = None,
    include_cancelled: FromQuery[bool] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> StaffStayPage | VendorStayPage:
    """In house the night of the hotel's local `date`: today exactly the checked-in stays; a
    past date, who was checked in that night; a future date, who is expected that night
    (checked in, confirmed or optional)."""
    return await _day(
        guests_rpc.IN_HOUSE,
        request=request,
        backend=backend,
        enterprise_id=enterprise_id,
        day=date,
        timezone=timezone,
        include_cancelled=include_cancelled,
        limit=limit,
        cursor=cursor,
    )


stays_router = Router(
    path="/",
    route_handlers=[
        get_stay,
        get_stay_bill,
        arrivals,
        departures,
        in_house,
    ],
    tags=["guests"],
)

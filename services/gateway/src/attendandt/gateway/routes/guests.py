"""Guests and stays, from the guests service, in the caller's view: staff with contact
details (`guests:contact:read`) get the full views, everyone else the vendor-safe ones.

Every call carries the caller (`caller_of`), and the guests service answers for it: another
property's guest or stay is 404, a vendor sees only the guests and stays it has bookings
with, with the personal fields already empty. The vendor-safe shapes here narrow it again."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get, patch, post, put
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.contracts.rpc.users import Principal
from attendandt.gateway.backend import Backend
from attendandt.gateway.permissions import Permission, has
from attendandt.gateway.problems import ProblemException
from attendandt.gateway.routes.common import (
    BackendDep,
    caller,
    enterprise_for,
    needs,
    principal_of,
)
from attendandt.gateway.schemas.guest_edits import (
    ConflictResolution,
    EditRulesUpdate,
    GuestEdit,
    StayNoteWrite,
)
from attendandt.gateway.schemas.guests import (
    GuestExport,
    StaffGuestDetail,
    StaffGuestPage,
    StaffStay,
    StaffStayPage,
    VendorGuestDetail,
    VendorGuestPage,
    VendorStay,
    VendorStayPage,
    vendor_safe_guest,
    vendor_safe_stay,
)

log = logging.getLogger(__name__)

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


def _staff(principal: Principal) -> bool:
    return has(principal, Permission.GUESTS_CONTACT_READ)


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
    if _staff(principal):
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
    if _staff(principal):
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
    bookings: list[vendors_rpc.BookingView] = []
    charges: list[vendors_rpc.ChargeView] = []
    while len(bookings) < EXPORT_MAX_ITEMS:
        booking_page = await backend.call(
            vendors_rpc.LIST_BOOKINGS,
            vendors_rpc.ListBookingsRequest(
                enterprise_id=enterprise, guest_id=guest_id, limit=200, offset=len(bookings)
            ),
            caller=who,
        )
        bookings += booking_page.items
        if booking_page.next_offset is None or not booking_page.items:
            break
    while len(charges) < EXPORT_MAX_ITEMS:
        charge_page = await backend.call(
            vendors_rpc.LIST_CHARGES,
            vendors_rpc.ListChargesRequest(
                enterprise_id=enterprise, guest_id=guest_id, limit=200, offset=len(charges)
            ),
            caller=who,
        )
        charges += charge_page.items
        if charge_page.next_offset is None or not charge_page.items:
            break
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


@patch("/guests/{guest_id:str}", **needs(Permission.GUESTS_EDIT))
async def edit_guest(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    guest_id: IdPath,
    data: JSONBody[GuestEdit],
    enterprise_id: EnterpriseQuery = None,
) -> guests_rpc.GuestEditReply:
    """Change a guest: recorded with its author and written to Mews once. The reply's edit
    says per field whether it is on its way (`saving`), already so (`unchanged`) or in
    `conflict` with a newer value in Mews (both values shown); the guest's `sync_state` is
    `saving` until Mews has every field, then `in_step`."""
    changes = tuple(
        guests_rpc.FieldChange(
            field=name, value=tuple(value) if isinstance(value, list) else str(value)
        )
        for name in data.__struct_fields__
        if name != "base_version" and (value := getattr(data, name)) is not msgspec.UNSET
    )
    if not changes:
        raise ProblemException(422, "name at least one field to change")
    return await backend.call(
        guests_rpc.EDIT_GUEST,
        guests_rpc.EditGuestRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id),
            guest_id=guest_id,
            base_version=data.base_version,
            changes=changes,
        ),
        caller=caller(request),
    )


@post(
    "/guests/{guest_id:str}/conflicts/resolve",
    status_code=HTTP_200_OK,
    **needs(Permission.GUESTS_EDIT),
)
async def resolve_conflicts(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    guest_id: IdPath,
    data: JSONBody[ConflictResolution],
    enterprise_id: EnterpriseQuery = None,
) -> guests_rpc.GuestEditReply:
    """Settle an edit's fields in conflict, one choice per field: `ours` writes our value
    over the Mews value shown (a newer one by then is a new conflict), `mews` keeps Mews's.
    Audited with who chose what."""
    return await backend.call(
        guests_rpc.RESOLVE_CONFLICTS,
        guests_rpc.ResolveConflictsRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id),
            guest_id=guest_id,
            edit_id=data.edit_id,
            choices=tuple(
                guests_rpc.ConflictChoice(field=c.field, keep=c.keep) for c in data.choices
            ),
        ),
        caller=caller(request),
    )


@get(
    "/properties/{enterprise_id:str}/edit-rules",
    **needs(Permission.GUESTS_EDIT, Permission.GUESTS_EDIT_RULES),
)
async def edit_rules(
    *, request: Request[Any, Any, Any], backend: BackendDep, enterprise_id: IdPath
) -> guests_rpc.EditRules:
    """What the hotel does when an edit here meets a newer value in Mews, per field: `ask`
    (the user chooses), `mews_wins`, `we_win`, `newest_wins`."""
    return await backend.call(
        guests_rpc.GET_EDIT_RULES,
        guests_rpc.EditRulesRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id)
        ),
        caller=caller(request),
    )


@put("/properties/{enterprise_id:str}/edit-rules", **needs(Permission.GUESTS_EDIT_RULES))
async def set_edit_rules(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    enterprise_id: IdPath,
    data: JSONBody[EditRulesUpdate],
) -> guests_rpc.EditRules:
    """Set the rules named (a field left out keeps its rule); every field's rule back."""
    return await backend.call(
        guests_rpc.SET_EDIT_RULES,
        guests_rpc.SetEditRulesRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id),
            rules=tuple(data.rules),
        ),
        caller=caller(request),
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
    if _staff(principal):
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


async def _write_note(
    request: Request[Any, Any, Any],
    backend: Backend,
    stay_id: str,
    data: StayNoteWrite,
    *,
    note_id: str | None,
    enterprise_id: str | None,
) -> guests_rpc.StayNoteWriteReply:
    return await backend.call(
        guests_rpc.WRITE_STAY_NOTE,
        guests_rpc.WriteStayNoteRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id),
            stay_id=stay_id,
            note_mews_id=note_id,
            text=data.text,
            base_text=data.base_text,
        ),
        caller=caller(request),
    )


@post(
    "/stays/{stay_id:str}/notes",
    status_code=HTTP_202_ACCEPTED,
    **needs(Permission.STAY_NOTES_WRITE),
)
async def add_stay_note(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    stay_id: IdPath,
    data: JSONBody[StayNoteWrite],
    enterprise_id: EnterpriseQuery = None,
) -> guests_rpc.StayNoteWriteReply:
    """Add a note to a stay: recorded with its author and written to Mews once. The reply's
    write is `saving` until Mews has it, then `in_step` (read the stay again)."""
    return await _write_note(
        request, backend, stay_id, data, note_id=None, enterprise_id=enterprise_id
    )


@put(
    "/stays/{stay_id:str}/notes/{note_id:str}",
    status_code=HTTP_202_ACCEPTED,
    **needs(Permission.STAY_NOTES_WRITE),
)
async def change_stay_note(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    stay_id: IdPath,
    note_id: IdPath,
    data: JSONBody[StayNoteWrite],
    enterprise_id: EnterpriseQuery = None,
) -> guests_rpc.StayNoteWriteReply:
    """Change a stay's note (`note_id`: its Mews id) as the user saw it (`base_text`):
    written to Mews once, unless Mews holds another text by then (`conflict`, with Mews's
    text; nothing is overwritten)."""
    return await _write_note(
        request, backend, stay_id, data, note_id=note_id, enterprise_id=enterprise_id
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
    if _staff(principal):
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


guests_router = Router(
    path="/",
    route_handlers=[
        search_guests,
        get_guest,
        export_guest,
        edit_guest,
        resolve_conflicts,
        add_stay_note,
        change_stay_note,
        edit_rules,
        set_edit_rules,
        get_stay,
        get_stay_bill,
        arrivals,
        departures,
        in_house,
    ],
    tags=["guests"],
)

"""Vendors, their offerings, bookings and charges: the vendors service, called for the
signed-in user (`caller(request)`, in the call's header). The service scopes everything by
it: only the caller's properties (another property's object, or a list naming another
property, is not found), and a vendor user only ever reaches its own vendor (another
vendor's object is not found; a list filter naming another vendor is refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

import msgspec
from litestar import Request, Response, Router, get, patch, post
from litestar.params import FromQuery, HeaderParameter, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import BookingState, ChargeState
from attendandt.gateway.permissions import Permission
from attendandt.gateway.routes.common import (
    BackendDep,
    caller,
    needs,
    own_vendor_filter,
    principal_of,
)
from attendandt.gateway.schemas.vendors import (
    BookingCreate,
    ChargeCreate,
    OfferingCreate,
    OfferingUpdate,
    Reason,
    VendorCreate,
    VendorUpdate,
)
from attendandt.gateway.settlement import Settlement, csv_filename, settlement_for, to_csv

IdPath = Annotated[str, PathParameter(min_length=1, max_length=100)]
IdQuery = Annotated[str | None, QueryParameter(min_length=1, max_length=100)]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]
#: The IETF httpapi draft's `Idempotency-Key`: the same key with the same body answers what the
#: first request made (one booking, one charge); with another body, 422.
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="A new random key (a UUID) per form submission; the same key to retry it.",
    ),
]
Req = Request[Any, Any, Any]

P = Permission


def _fields(body: msgspec.Struct) -> dict[str, Any]:
    return {f: getattr(body, f) for f in body.__struct_fields__}


def _tuples(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}


# --- vendors -----------------------------------------------------------------------------


@get("/vendors", **needs(P.VENDORS_READ, P.VENDORS_READ_OWN))
async def list_vendors(
    *,
    request: Req,
    backend: BackendDep,
    enterprise_id: IdQuery = None,
    category: Annotated[str | None, QueryParameter(min_length=1, max_length=200)] = None,
    include_inactive: FromQuery[bool] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> rpc.VendorPage:
    """Every vendor for staff; a vendor user's own only."""
    return await backend.call(
        rpc.LIST_VENDORS,
        rpc.ListVendorsRequest(
            enterprise_id=enterprise_id,
            category=category,
            include_inactive=include_inactive,
            limit=limit,
            offset=offset,
        ),
        caller=caller(request),
    )


@post("/vendors", status_code=HTTP_201_CREATED, **needs(P.VENDORS_WRITE))
async def create_vendor(
    *, request: Req, data: JSONBody[VendorCreate], backend: BackendDep
) -> rpc.VendorView:
    reply = await backend.call(
        rpc.CREATE_VENDOR, rpc.CreateVendorRequest(**_fields(data)), caller=caller(request)
    )
    return reply.vendor


@get("/vendors/{vendor_id:str}", **needs(P.VENDORS_READ, P.VENDORS_READ_OWN))
async def get_vendor(request: Req, vendor_id: IdPath, backend: BackendDep) -> rpc.VendorView:
    reply = await backend.call(
        rpc.GET_VENDOR, rpc.GetVendorRequest(vendor_id=vendor_id), caller=caller(request)
    )
    return reply.vendor


@patch("/vendors/{vendor_id:str}", **needs(P.VENDORS_WRITE))
async def update_vendor(
    *, request: Req, vendor_id: IdPath, data: JSONBody[VendorUpdate], backend: BackendDep
) -> rpc.VendorView:
    reply = await backend.call(
        rpc.UPDATE_VENDOR,
        rpc.UpdateVendorRequest(vendor_id=vendor_id, **_fields(data)),
        caller=caller(request),
    )
    return reply.vendor


@post("/vendors/{vendor_id:str}/deactivate", status_code=HTTP_200_OK, **needs(P.VENDORS_WRITE))
async def deactivate_vendor(request: Req, vendor_id: IdPath, backend: BackendDep) -> rpc.VendorView:
    reply = await backend.call(
        rpc.DEACTIVATE_VENDOR,
        rpc.DeactivateVendorRequest(vendor_id=vendor_id),
        caller=caller(request),
    )
    return reply.vendor


@get("/vendors/{vendor_id:str}/settlement", **needs(P.CHARGES_READ, P.CHARGES_READ_OWN))
async def settlement(
    *,
    request: Req,
    vendor_id: IdPath,
    backend: BackendDep,
    from_utc: Annotated[datetime, QueryParameter(name="from")],
    to_utc: Annotated[datetime, QueryParameter(name="to")],
) -> Response[Settlement]:
    """The vendor's charges posted in [from, to): a line per charge (the guest as the caller
    may see them, service, quantity, total, posting state, Mews order, whether the guest's
    bill is paid) and the totals per currency of those still posted. With
    `Accept: text/csv`, the lines as a CSV file to download."""
    who = caller(request)
    answer = await backend.call(
        rpc.SETTLEMENT,
        rpc.SettlementRequest(vendor_id=vendor_id, from_utc=from_utc, to_utc=to_utc),
        caller=who,
    )
    document = await settlement_for(backend, who, answer)
    if "text/csv" in request.headers.get("accept", ""):
        csv_file: Response[Any] = Response(
            to_csv(document),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{csv_filename(document)}"'},
        )
        return cast(Response[Settlement], csv_file)
    return Response(document)


# --- offerings ---------------------------------------------------------------------------


@get("/vendors/{vendor_id:str}/offerings", **needs(P.VENDORS_READ, P.VENDORS_READ_OWN))
async def list_offerings(
    *,
    request: Req,
    vendor_id: IdPath,
    backend: BackendDep,
    include_inactive: FromQuery[bool] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> rpc.OfferingPage:
    return await backend.call(
        rpc.LIST_OFFERINGS,
        rpc.ListOfferingsRequest(
            vendor_id=vendor_id,
            include_inactive=include_inactive,
            limit=limit,
            offset=offset,
        ),
        caller=caller(request),
    )


@post(
    "/vendors/{vendor_id:str}/offerings",
    status_code=HTTP_201_CREATED,
    **needs(P.OFFERINGS_WRITE, P.OFFERINGS_WRITE_OWN),
)
async def create_offering(
    *, request: Req, vendor_id: IdPath, data: JSONBody[OfferingCreate], backend: BackendDep
) -> rpc.OfferingView:
    reply = await backend.call(
        rpc.CREATE_OFFERING,
        rpc.CreateOfferingRequest(vendor_id=vendor_id, **_tuples(_fields(data))),
        caller=caller(request),
    )
    return reply.offering


@get("/offerings/{offering_id:str}", **needs(P.VENDORS_READ, P.VENDORS_READ_OWN))
async def get_offering(request: Req, offering_id: IdPath, backend: BackendDep) -> rpc.OfferingView:
    reply = await backend.call(
        rpc.GET_OFFERING,
        rpc.GetOfferingRequest(offering_id=offering_id),
        caller=caller(request),
    )
    return reply.offering


@patch("/offerings/{offering_id:str}", **needs(P.OFFERINGS_WRITE, P.OFFERINGS_WRITE_OWN))
async def update_offering(
    *, request: Req, offering_id: IdPath, data: JSONBody[OfferingUpdate], backend: BackendDep
) -> rpc.OfferingView:
    reply = await backend.call(
        rpc.UPDATE_OFFERING,
        rpc.UpdateOfferingRequest(offering_id=offering_id, **_tuples(_fields(data))),
        caller=caller(request),
    )
    return reply.offering


@post(
    "/offerings/{offering_id:str}/deactivate",
    status_code=HTTP_200_OK,
    **needs(P.OFFERINGS_WRITE, P.OFFERINGS_WRITE_OWN),
)
async def deactivate_offering(
    *, request: Req, offering_id: IdPath, backend: BackendDep
) -> rpc.OfferingView:
    reply = await backend.call(
        rpc.DEACTIVATE_OFFERING,
        rpc.DeactivateOfferingRequest(offering_id=offering_id),
        caller=caller(request),
    )
    return reply.offering


# --- bookings ----------------------------------------------------------------------------


@post("/bookings", status_code=HTTP_201_CREATED, **needs(P.BOOKINGS_CREATE))
async def create_booking(
    *,
    request: Req,
    data: JSONBody[BookingCreate],
    backend: BackendDep,
    idempotency_key: IdempotencyKey = None,
) -> rpc.BookingView:
    reply = await backend.call(
        rpc.CREATE_BOOKING,
        rpc.CreateBookingRequest(**_fields(data), idempotency_key=idempotency_key),
        caller=caller(request),
    )
    return reply.booking


@get("/bookings", **needs(P.BOOKINGS_READ, P.BOOKINGS_READ_OWN))
async def list_bookings(
    *,
    request: Req,
    backend: BackendDep,
    enterprise_id: IdQuery = None,
    vendor_id: IdQuery = None,
    guest_id: IdQuery = None,
    stay_id: IdQuery = None,
    state_filter: Annotated[BookingState | None, QueryParameter(name="state")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> rpc.BookingPage:
    user = principal_of(request)
    return await backend.call(
        rpc.LIST_BOOKINGS,
        rpc.ListBookingsRequest(
            enterprise_id=enterprise_id,
            vendor_id=own_vendor_filter(user, vendor_id, P.BOOKINGS_READ),
            guest_id=guest_id,
            stay_id=stay_id,
            state=state_filter,
            limit=limit,
            offset=offset,
        ),
        caller=caller(request),
    )


@get("/bookings/{booking_id:str}", **needs(P.BOOKINGS_READ, P.BOOKINGS_READ_OWN))
async def get_booking(request: Req, booking_id: IdPath, backend: BackendDep) -> rpc.BookingView:
    reply = await backend.call(
        rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id=booking_id), caller=caller(request)
    )
    return reply.booking


def _manage() -> dict[str, Any]:
    return needs(P.BOOKINGS_MANAGE, P.BOOKINGS_MANAGE_OWN, status_code=HTTP_200_OK)


@post("/bookings/{booking_id:str}/confirm", **_manage())
async def confirm_booking(request: Req, booking_id: IdPath, backend: BackendDep) -> rpc.BookingView:
    reply = await backend.call(
        rpc.CONFIRM_BOOKING,
        rpc.ConfirmBookingRequest(booking_id=booking_id),
        caller=caller(request),
    )
    return reply.booking


@post("/bookings/{booking_id:str}/decline", **_manage())
async def decline_booking(
    *, request: Req, booking_id: IdPath, backend: BackendDep, data: JSONBody[Reason | None] = None
) -> rpc.BookingView:
    reply = await backend.call(
        rpc.DECLINE_BOOKING,
        rpc.DeclineBookingRequest(
            booking_id=booking_id,
            reason=data.reason if data else None,
        ),
        caller=caller(request),
    )
    return reply.booking


@post("/bookings/{booking_id:str}/fulfil", **_manage())
async def fulfil_booking(
    *, request: Req, booking_id: IdPath, backend: BackendDep
) -> rpc.FulfilBookingResponse:
    """Done: the booking is fulfilled and its charge (pending) goes to the guest's bill; for a
    stay not in house, by a vendor or the front desk, the charge waits for a manager's
    approval (`pending_approval`); for a stay checked out beyond the grace period, 409."""
    return await backend.call(
        rpc.FULFIL_BOOKING,
        rpc.FulfilBookingRequest(booking_id=booking_id),
        caller=caller(request),
    )


@post("/bookings/{booking_id:str}/cancel", **_manage())
async def cancel_booking(
    *, request: Req, booking_id: IdPath, backend: BackendDep, data: JSONBody[Reason | None] = None
) -> rpc.BookingView:
    reply = await backend.call(
        rpc.CANCEL_BOOKING,
        rpc.CancelBookingRequest(
            booking_id=booking_id,
            reason=data.reason if data else None,
        ),
        caller=caller(request),
    )
    return reply.booking


# --- charges -----------------------------------------------------------------------------


@post("/charges", status_code=HTTP_201_CREATED, **needs(P.CHARGES_CREATE, P.CHARGES_CREATE_OWN))
async def create_charge(
    *,
    request: Req,
    data: JSONBody[ChargeCreate],
    backend: BackendDep,
    idempotency_key: IdempotencyKey = None,
) -> rpc.ChargeView:
    """An ad-hoc charge (no booking) of an offering, posted to the guest's Mews bill; a
    vendor's or the front desk's waits for a manager's approval (`pending_approval`). Above
    the property's caps it is refused (422 per charge, 409 per vendor and day)."""
    reply = await backend.call(
        rpc.CREATE_CHARGE,
        rpc.CreateChargeRequest(**_fields(data), idempotency_key=idempotency_key),
        caller=caller(request),
    )
    return reply.charge


@get("/charges", **needs(P.CHARGES_READ, P.CHARGES_READ_OWN))
async def list_charges(
    *,
    request: Req,
    backend: BackendDep,
    enterprise_id: IdQuery = None,
    vendor_id: IdQuery = None,
    guest_id: IdQuery = None,
    stay_id: IdQuery = None,
    booking_id: IdQuery = None,
    state_filter: Annotated[ChargeState | None, QueryParameter(name="state")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> rpc.ChargePage:
    user = principal_of(request)
    return await backend.call(
        rpc.LIST_CHARGES,
        rpc.ListChargesRequest(
            enterprise_id=enterprise_id,
            vendor_id=own_vendor_filter(user, vendor_id, P.CHARGES_READ),
            guest_id=guest_id,
            stay_id=stay_id,
            booking_id=booking_id,
            state=state_filter,
            limit=limit,
            offset=offset,
        ),
        caller=caller(request),
    )


@get("/charges/{charge_id:str}", **needs(P.CHARGES_READ, P.CHARGES_READ_OWN))
async def get_charge(request: Req, charge_id: IdPath, backend: BackendDep) -> rpc.ChargeView:
    reply = await backend.call(
        rpc.GET_CHARGE, rpc.GetChargeRequest(charge_id=charge_id), caller=caller(request)
    )
    return reply.charge


@post("/charges/{charge_id:str}/retry", status_code=HTTP_200_OK, **needs(P.CHARGES_RETRY))
async def retry_charge(request: Req, charge_id: IdPath, backend: BackendDep) -> rpc.ChargeView:
    """Send a failed charge to Mews again (same reference: never posted twice)."""
    reply = await backend.call(
        rpc.RETRY_CHARGE, rpc.RetryChargeRequest(charge_id=charge_id), caller=caller(request)
    )
    return reply.charge


vendors_router = Router(
    path="/",
    route_handlers=[
        list_vendors,
        create_vendor,
        get_vendor,
        update_vendor,
        deactivate_vendor,
        settlement,
        list_offerings,
        create_offering,
        get_offering,
        update_offering,
        deactivate_offering,
        create_booking,
        list_bookings,
        get_booking,
        confirm_booking,
        decline_booking,
        fulfil_booking,
        cancel_booking,
        create_charge,
        list_charges,
        get_charge,
        retry_charge,
    ],
    tags=["vendors"],
)

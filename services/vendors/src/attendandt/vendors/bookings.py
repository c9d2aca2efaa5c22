"""Bookings: a guest's request for an offering, which the vendor confirms or declines and
fulfils (its charge is made in the same unit of work). Every state change goes through
`move`, against the one table of the transitions a booking may make; each announces a
`booking.<state>` event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import BookingState
from attendandt.platform.rpc import Conflict, Invalid
from attendandt.vendors import access, idempotency, validation
from attendandt.vendors.charges import Charges
from attendandt.vendors.core import Core, new_id
from attendandt.vendors.records import BookingRecord
from attendandt.vendors.stays import CLOSED_STAYS_FOR_BOOKINGS, Stays
from attendandt.vendors.unit_of_work import UnitOfWork
from attendandt.vendors.views import booking_view, charge_view, page_of

EXPIRY_BATCH = 200

_REQUESTED, _CONFIRMED = BookingState.REQUESTED, BookingState.CONFIRMED
#: The state a booking may become (key), and the states it may become it from. A refund
#: follows the cancellation of a fulfilled booking's charge (`charge_cancellation`).
TRANSITIONS: dict[BookingState, tuple[BookingState, ...]] = {
    BookingState.CONFIRMED: (_REQUESTED,),
    BookingState.DECLINED: (_REQUESTED,),
    BookingState.EXPIRED: (_REQUESTED,),
    BookingState.CANCELLED: (_REQUESTED, _CONFIRMED),
    BookingState.FULFILLED: (_CONFIRMED,),
    BookingState.REFUNDED: (BookingState.FULFILLED,),
}


def may_become(booking: BookingRecord, to: BookingState) -> bool:
    return booking.state in TRANSITIONS[to]


async def move(
    core: Core,
    uow: UnitOfWork,
    booking: BookingRecord,
    *,
    to: BookingState,
    reason: str | None = None,
) -> BookingRecord:
    """One state transition and its event (named like the new state)."""
    allowed_from = TRANSITIONS[to]
    if booking.state not in allowed_from:
        raise Conflict(
            f"booking {booking.id} is {booking.state}: only a "
            f"{' or '.join(s.value for s in allowed_from)} booking can become {to.value}"
        )
    moved = await uow.bookings.change_booking(
        booking.id, {"state": to.value, "state_reason": validation.blank_to_none(reason)}
    )
    await core.announce.booking(uow, moved, to.value)
    return moved


@dataclass(frozen=True)
class Bookings:
    core: Core
    stays: Stays
    charges: Charges

    async def create_booking(
        self, request: rpc.CreateBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        return await self.stays.with_fresh_stay(
            lambda: self._create_booking(request, caller), caller
        )

    async def _create_booking(
        self, request: rpc.CreateBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        now = self.core.clock()
        async with self.core.units() as uow:
            claimed = await idempotency.claim_key(uow.keys, caller.user_id, request, "booking")
            if isinstance(claimed, str):
                booking = await access.booking(uow, caller, claimed)
                charge_ids = await uow.charges.charge_ids_of_bookings([booking.id])
                return rpc.BookingResponse(
                    booking=booking_view(booking, charge_ids.get(booking.id))
                )
            if request.scheduled_for is not None and request.scheduled_for < now:
                raise Invalid("scheduled_for is in the past")
            offering = await access.offering(uow, caller, request.offering_id)
            vendor = await access.vendor(uow, caller, offering.vendor_id)
            if not vendor.is_active or not offering.is_active:
                raise Conflict(f"offering {offering.id} is not available (deactivated)")
            await self.stays.open_stay(
                uow,
                stay_id=request.stay_id,
                guest_id=request.guest_id,
                enterprise_id=offering.enterprise_id,
                closed=CLOSED_STAYS_FOR_BOOKINGS,
            )
            booking = await uow.bookings.insert_booking(
                {
                    "id": new_id(),
                    "enterprise_id": offering.enterprise_id,
                    "vendor_id": offering.vendor_id,
                    "offering_id": offering.id,
                    "guest_id": request.guest_id,
                    "stay_id": request.stay_id,
                    "quantity": request.quantity,
                    "scheduled_for": request.scheduled_for,
                    "notes": validation.blank_to_none(request.notes),
                    "state": BookingState.REQUESTED.value,
                    "unit_price": offering.unit_price,
                    "currency": offering.currency,
                    "created_by": caller.user_id,
                }
            )
            await self.core.announce.booking(uow, booking, "requested")
            if claimed is not None:
                await uow.keys.made(claimed, booking.id)
            await uow.commit()
        return rpc.BookingResponse(booking=booking_view(booking, None))

    async def confirm_booking(
        self, request: rpc.ConfirmBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        return await self._moved(caller, request.booking_id, BookingState.CONFIRMED)

    async def decline_booking(
        self, request: rpc.DeclineBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        return await self._moved(caller, request.booking_id, BookingState.DECLINED, request.reason)

    async def cancel_booking(
        self, request: rpc.CancelBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        return await self._moved(caller, request.booking_id, BookingState.CANCELLED, request.reason)

    async def _moved(
        self, caller: Caller, booking_id: str, to: BookingState, reason: str | None = None
    ) -> rpc.BookingResponse:
        """A caller's transition of a booking, answered without its charge (it has none)."""
        async with self.core.units() as uow:
            booking = await access.booking(uow, caller, booking_id, lock=True)
            booking = await move(self.core, uow, booking, to=to, reason=reason)
            await uow.commit()
        return rpc.BookingResponse(booking=booking_view(booking, None))

    async def fulfil_booking(
        self, request: rpc.FulfilBookingRequest, caller: Caller
    ) -> rpc.FulfilBookingResponse:
        """Fulfilled, and in the same unit of work its charge and the order for Mews."""
        async with self.core.units() as uow:
            booking = await access.booking(uow, caller, request.booking_id, lock=True)
            booking = await move(self.core, uow, booking, to=BookingState.FULFILLED)
            offering = await uow.vendors.get_offering(booking.offering_id)
            stay = await uow.bookings.get_stay_ref(booking.stay_id)
            assert offering is not None  # a foreign key
            if stay is None or not stay.owner_mews_customer_id:
                raise Conflict(f"stay {booking.stay_id} has no Mews account to charge")
            charge = await self.charges.make(
                uow,
                offering=offering,
                stay=stay,
                booking_id=booking.id,
                guest_id=booking.guest_id,
                description=offering.name,
                quantity=booking.quantity,
                unit_amount=booking.unit_price,
                consumed_at=booking.scheduled_for or self.core.clock(),
                notes=booking.notes,
                created_by=caller.user_id,
                role=caller.role,
                booked=True,
                agreed_unit_amount=booking.unit_price,
            )
            await uow.commit()
        return rpc.FulfilBookingResponse(
            booking=booking_view(booking, charge.id), charge=charge_view(charge)
        )

    async def get_booking(
        self, request: rpc.GetBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        async with self.core.units() as uow:
            booking = await access.booking(uow, caller, request.booking_id)
            charge_ids = await uow.charges.charge_ids_of_bookings([booking.id])
        return rpc.BookingResponse(booking=booking_view(booking, charge_ids.get(booking.id)))

    async def list_bookings(
        self, request: rpc.ListBookingsRequest, caller: Caller
    ) -> rpc.BookingPage:
        enterprise_ids = access.enterprises(caller, request.enterprise_id)
        filters = {
            "vendor_id": access.scope_filter(caller, request.vendor_id),
            "guest_id": request.guest_id,
            "stay_id": request.stay_id,
            "state": request.state.value if request.state is not None else None,
        }
        async with self.core.units() as uow:
            page = await uow.bookings.list_bookings(
                enterprise_ids=enterprise_ids,
                filters=filters,
                limit=request.limit,
                offset=request.offset,
            )
            charge_ids = await uow.charges.charge_ids_of_bookings([b.id for b in page.items])
        return page_of(
            rpc.BookingPage, lambda b: booking_view(b, charge_ids.get(b.id)), page, request.offset
        )

    async def expire_overdue(self, now: datetime) -> int:
        """Expire requested bookings whose time passed before `now` (and idempotency keys
        past their keeping); returns how many bookings."""
        async with self.core.units() as uow:
            await uow.keys.forget_older_than(now)
            await uow.commit()
        expired = 0
        while True:
            async with self.core.units() as uow:
                overdue = await uow.bookings.overdue_requested_bookings(now, EXPIRY_BATCH)
                for booking in overdue:
                    await move(
                        self.core,
                        uow,
                        booking,
                        to=BookingState.EXPIRED,
                        reason="not confirmed before its time",
                    )
                await uow.commit()
            expired += len(overdue)
            if len(overdue) < EXPIRY_BATCH:
                return expired

"""Who may do what: a vendor user only ever touches its own vendor; staff roles as documented."""

from decimal import Decimal

from vendors_testkit import FRONT_DESK, MANAGER, Harness, vendor_user

from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import BookingState, UserRole


async def test_a_vendor_user_cannot_act_on_another_vendors_booking(harness: Harness) -> None:
    spa = await harness.vendor("Lagoon Spa")
    boats = await harness.vendor("Harbour Boats", category="excursions")
    massage = await harness.offering(spa.vendor_id)
    trip = await harness.offering(boats.vendor_id, name="Boat trip")
    await harness.stay("s-1")
    spa_booking = await harness.booking(massage.offering_id)
    boat_booking = await harness.booking(trip.offering_id)
    spa_user = vendor_user(spa.vendor_id)
    theirs = boat_booking.booking_id

    # Another vendor's booking does not exist for this user, whatever it tries.
    for method, request in [
        (rpc.GET_BOOKING, rpc.GetBookingRequest(actor=spa_user, booking_id=theirs)),
        (rpc.CONFIRM_BOOKING, rpc.ConfirmBookingRequest(actor=spa_user, booking_id=theirs)),
        (rpc.DECLINE_BOOKING, rpc.DeclineBookingRequest(actor=spa_user, booking_id=theirs)),
        (rpc.CANCEL_BOOKING, rpc.CancelBookingRequest(actor=spa_user, booking_id=theirs)),
        (rpc.FULFIL_BOOKING, rpc.FulfilBookingRequest(actor=spa_user, booking_id=theirs)),
        (rpc.GET_OFFERING, rpc.GetOfferingRequest(actor=spa_user, offering_id=trip.offering_id)),
        (rpc.GET_VENDOR, rpc.GetVendorRequest(actor=spa_user, vendor_id=boats.vendor_id)),
        (
            rpc.CREATE_BOOKING,
            rpc.CreateBookingRequest(
                actor=spa_user, offering_id=trip.offering_id, guest_id="g-1", stay_id="s-1"
            ),
        ),
    ]:
        assert await harness.fails(method, request) == 404, method.subject
    # Naming the other vendor outright is forbidden.
    for method, request in [
        (rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(actor=spa_user, vendor_id=boats.vendor_id)),
        (rpc.LIST_CHARGES, rpc.ListChargesRequest(actor=spa_user, vendor_id=boats.vendor_id)),
        (rpc.LIST_OFFERINGS, rpc.ListOfferingsRequest(actor=spa_user, vendor_id=boats.vendor_id)),
        (
            rpc.CREATE_OFFERING,
            rpc.CreateOfferingRequest(
                actor=spa_user,
                vendor_id=boats.vendor_id,
                name="Sneaky",
                unit_price=Decimal(1),
                currency="EUR",
                mews_service_id="svc",
            ),
        ),
    ]:
        assert await harness.fails(method, request) == 403, method.subject

    untouched = await harness.call(
        rpc.GET_BOOKING, rpc.GetBookingRequest(actor=MANAGER, booking_id=theirs)
    )
    assert untouched.booking.state is BookingState.REQUESTED
    assert untouched.booking.version == 1

    # Its own: fine; lists are narrowed to its vendor.
    await harness.call(
        rpc.CONFIRM_BOOKING,
        rpc.ConfirmBookingRequest(actor=spa_user, booking_id=spa_booking.booking_id),
    )
    mine = await harness.call(rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(actor=spa_user))
    assert [b.booking_id for b in mine.items] == [spa_booking.booking_id]
    vendors = await harness.call(rpc.LIST_VENDORS, rpc.ListVendorsRequest(actor=spa_user))
    assert [v.vendor_id for v in vendors.items] == [spa.vendor_id]
    everyone = await harness.call(rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(actor=FRONT_DESK))
    assert everyone.total == 2


async def test_roles(harness: Harness) -> None:
    vendor = await harness.vendor()
    create = rpc.CreateVendorRequest(
        actor=FRONT_DESK, enterprise_id=harness.enterprise_id, name="X", category="spa"
    )
    assert await harness.fails(rpc.CREATE_VENDOR, create) == 403
    as_vendor = rpc.UpdateVendorRequest(
        actor=vendor_user(vendor.vendor_id), vendor_id=vendor.vendor_id, name="Mine"
    )
    assert await harness.fails(rpc.UPDATE_VENDOR, as_vendor) == 403
    orphan = rpc.Actor(user_id="u-x", role=UserRole.VENDOR)  # a vendor user without a vendor
    assert await harness.fails(rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(actor=orphan)) == 403
    offering = rpc.CreateOfferingRequest(
        actor=FRONT_DESK,
        vendor_id=vendor.vendor_id,
        name="Massage",
        unit_price=Decimal(10),
        currency="EUR",
        mews_service_id="svc",
    )
    assert await harness.fails(rpc.CREATE_OFFERING, offering) == 403
    # A bad enterprise id would make a bad subject: refused before anything is written.
    bad = rpc.CreateVendorRequest(actor=MANAGER, enterprise_id="a.b", name="X", category="spa")
    assert await harness.fails(rpc.CREATE_VENDOR, bad) == 422
    assert await harness.events("vendor") == [("vendor", "created")]

"""Who may do what: a vendor user only ever touches its own vendor; staff roles as documented."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from vendors_testkit import FRONT_DESK, MANAGER, Harness, staff_of, vendor_user

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.caller import Caller
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
        (rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id=theirs)),
        (rpc.CONFIRM_BOOKING, rpc.ConfirmBookingRequest(booking_id=theirs)),
        (rpc.DECLINE_BOOKING, rpc.DeclineBookingRequest(booking_id=theirs)),
        (rpc.CANCEL_BOOKING, rpc.CancelBookingRequest(booking_id=theirs)),
        (rpc.FULFIL_BOOKING, rpc.FulfilBookingRequest(booking_id=theirs)),
        (rpc.GET_OFFERING, rpc.GetOfferingRequest(offering_id=trip.offering_id)),
        (rpc.GET_VENDOR, rpc.GetVendorRequest(vendor_id=boats.vendor_id)),
        (
            rpc.CREATE_BOOKING,
            rpc.CreateBookingRequest(offering_id=trip.offering_id, guest_id="g-1", stay_id="s-1"),
        ),
        (rpc.LIST_OFFERINGS, rpc.ListOfferingsRequest(vendor_id=boats.vendor_id)),
        (
            rpc.CREATE_OFFERING,
            rpc.CreateOfferingRequest(
                vendor_id=boats.vendor_id,
                name="Sneaky",
                unit_price=Decimal(1),
                currency="EUR",
                mews_service_id="svc",
            ),
        ),
    ]:
        assert await harness.fails(method, request, spa_user) == 404, method.subject
    # A list filter naming the other vendor is refused outright.
    for method, request in [
        (rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(vendor_id=boats.vendor_id)),
        (rpc.LIST_CHARGES, rpc.ListChargesRequest(vendor_id=boats.vendor_id)),
    ]:
        assert await harness.fails(method, request, spa_user) == 403, method.subject

    untouched = await harness.call(
        rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id=theirs), caller=MANAGER
    )
    assert untouched.booking.state is BookingState.REQUESTED
    assert untouched.booking.version == 1

    # Its own: fine; lists are narrowed to its vendor.
    await harness.call(
        rpc.CONFIRM_BOOKING,
        rpc.ConfirmBookingRequest(booking_id=spa_booking.booking_id),
        caller=spa_user,
    )
    mine = await harness.call(rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(), caller=spa_user)
    assert [b.booking_id for b in mine.items] == [spa_booking.booking_id]
    vendors = await harness.call(rpc.LIST_VENDORS, rpc.ListVendorsRequest(), caller=spa_user)
    assert [v.vendor_id for v in vendors.items] == [spa.vendor_id]
    everyone = await harness.call(rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(), caller=FRONT_DESK)
    assert everyone.total == 2


async def test_roles(harness: Harness) -> None:
    vendor = await harness.vendor()
    create = rpc.CreateVendorRequest(enterprise_id=harness.enterprise_id, name="X", category="spa")
    assert await harness.fails(rpc.CREATE_VENDOR, create, FRONT_DESK) == 403
    as_vendor = rpc.UpdateVendorRequest(vendor_id=vendor.vendor_id, name="Mine")
    assert await harness.fails(rpc.UPDATE_VENDOR, as_vendor, vendor_user(vendor.vendor_id)) == 403
    orphan = Caller(user_id="u-x", role=UserRole.VENDOR)  # a vendor user without a vendor
    assert await harness.fails(rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(), caller=orphan) == 403
    offering = rpc.CreateOfferingRequest(
        vendor_id=vendor.vendor_id,
        name="Massage",
        unit_price=Decimal(10),
        currency="EUR",
        mews_service_id="svc",
    )
    assert await harness.fails(rpc.CREATE_OFFERING, offering, FRONT_DESK) == 403
    # A bad enterprise id would make a bad subject: refused before anything is written.
    bad = rpc.CreateVendorRequest(enterprise_id="a.b", name="X", category="spa")
    assert await harness.fails(rpc.CREATE_VENDOR, bad, MANAGER) == 422
    await harness.wait_events([("vendor", "created")], aggregate="vendor")


async def test_staff_of_one_property_never_reach_another(harness: Harness) -> None:
    """Another property's vendors, offerings, bookings and charges are absent for the staff
    and vendor users of this one: looked up by id, acted on, named in a list or a new
    object, each answers 404 (whether the property exists or not) and changes nothing."""
    ours, theirs = harness.enterprise_id, f"{harness.enterprise_id}-b"
    spa = await harness.vendor("Lagoon Spa")
    massage = await harness.offering(spa.vendor_id)
    await harness.stay("s-1")
    own_booking = await harness.booking(massage.offering_id)
    boats = await harness.call(
        rpc.CREATE_VENDOR,
        rpc.CreateVendorRequest(enterprise_id=theirs, name="Harbour Boats", category="boats"),
        MANAGER,
    )
    await harness.catalogue(theirs)
    trip = await harness.offering(boats.vendor.vendor_id, name="Boat trip")
    harness.enterprise_id = theirs
    await harness.stay("s-b")
    harness.enterprise_id = ours
    their_booking = await harness.booking(trip.offering_id, stay_id="s-b")
    await harness.call(
        rpc.CONFIRM_BOOKING, rpc.ConfirmBookingRequest(booking_id=their_booking.booking_id), MANAGER
    )
    fulfilled = await harness.call(
        rpc.FULFIL_BOOKING, rpc.FulfilBookingRequest(booking_id=their_booking.booking_id), MANAGER
    )
    their_charge = fulfilled.charge.charge_id

    desk, manager = staff_of(ours, UserRole.FRONT_DESK), staff_of(ours)
    spa_user = vendor_user(spa.vendor_id, enterprise_id=ours)
    boat_id, trip_id, booking_id = (
        boats.vendor.vendor_id,
        trip.offering_id,
        their_booking.booking_id,
    )
    span = {"from_utc": harness.clock.now, "to_utc": harness.clock.now + timedelta(days=1)}
    absent: list[tuple[RpcMethod[Any, Any], Payload, Caller]] = [
        (rpc.GET_VENDOR, rpc.GetVendorRequest(vendor_id=boat_id), desk),
        (rpc.UPDATE_VENDOR, rpc.UpdateVendorRequest(vendor_id=boat_id, name="Mine"), manager),
        (rpc.DEACTIVATE_VENDOR, rpc.DeactivateVendorRequest(vendor_id=boat_id), manager),
        (rpc.LIST_OFFERINGS, rpc.ListOfferingsRequest(vendor_id=boat_id), desk),
        (rpc.SETTLEMENT, rpc.SettlementRequest(vendor_id=boat_id, **span), manager),
        (rpc.GET_OFFERING, rpc.GetOfferingRequest(offering_id=trip_id), desk),
        (rpc.GET_OFFERING, rpc.GetOfferingRequest(offering_id=trip_id), spa_user),
        (
            rpc.UPDATE_OFFERING,
            rpc.UpdateOfferingRequest(offering_id=trip_id, unit_price=Decimal(1)),
            manager,
        ),
        (rpc.DEACTIVATE_OFFERING, rpc.DeactivateOfferingRequest(offering_id=trip_id), manager),
        (
            rpc.CREATE_OFFERING,
            rpc.CreateOfferingRequest(
                vendor_id=boat_id,
                name="Sneaky",
                unit_price=Decimal(1),
                currency="EUR",
                mews_service_id="svc",
            ),
            manager,
        ),
        (rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id=booking_id), desk),
        (rpc.CANCEL_BOOKING, rpc.CancelBookingRequest(booking_id=booking_id), desk),
        (
            rpc.CREATE_BOOKING,
            rpc.CreateBookingRequest(offering_id=trip_id, guest_id="g-1", stay_id="s-b"),
            desk,
        ),
        (
            rpc.CREATE_CHARGE,
            rpc.CreateChargeRequest(offering_id=trip_id, guest_id="g-1", stay_id="s-b"),
            desk,
        ),
        (rpc.GET_CHARGE, rpc.GetChargeRequest(charge_id=their_charge), desk),
        (rpc.RETRY_CHARGE, rpc.RetryChargeRequest(charge_id=their_charge), manager),
        (
            rpc.CREATE_VENDOR,
            rpc.CreateVendorRequest(enterprise_id=theirs, name="Mine", category="spa"),
            manager,
        ),
        (rpc.LIST_VENDORS, rpc.ListVendorsRequest(enterprise_id=theirs), desk),
        (rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(enterprise_id=theirs), desk),
        (rpc.LIST_CHARGES, rpc.ListChargesRequest(enterprise_id=theirs), manager),
        (rpc.LIST_VENDORS, rpc.ListVendorsRequest(enterprise_id="no-such-hotel"), desk),
    ]
    for method, request, caller in absent:
        assert await harness.fails(method, request, caller) == 404, (method.subject, caller.role)

    # Our offering for their stay: the stay is as unknown as one that does not exist.
    ours_for_theirs = rpc.CreateBookingRequest(
        offering_id=massage.offering_id, guest_id="g-1", stay_id="s-b"
    )
    assert await harness.fails(rpc.CREATE_BOOKING, ours_for_theirs, desk) == 422

    # Lists without a property hold ours only; a portfolio-wide caller sees both.
    vendors = await harness.call(rpc.LIST_VENDORS, rpc.ListVendorsRequest(), desk)
    assert [v.vendor_id for v in vendors.items] == [spa.vendor_id]
    bookings = await harness.call(rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(), desk)
    assert [b.booking_id for b in bookings.items] == [own_booking.booking_id]
    charges = await harness.call(rpc.LIST_CHARGES, rpc.ListChargesRequest(), manager)
    assert charges.items == ()
    mine = await harness.call(rpc.LIST_VENDORS, rpc.ListVendorsRequest(), spa_user)
    assert [v.vendor_id for v in mine.items] == [spa.vendor_id]
    everything = await harness.call(rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(), MANAGER)
    assert everything.total == 2

    untouched = await harness.call(
        rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id=booking_id), MANAGER
    )
    assert untouched.booking.state is BookingState.FULFILLED
    boat_after = await harness.call(
        rpc.GET_VENDOR, rpc.GetVendorRequest(vendor_id=boat_id), MANAGER
    )
    assert (boat_after.vendor.name, boat_after.vendor.is_active) == ("Harbour Boats", True)
    trip_after = await harness.call(
        rpc.GET_OFFERING, rpc.GetOfferingRequest(offering_id=trip_id), MANAGER
    )
    assert (trip_after.offering.unit_price, trip_after.offering.is_active) == (
        trip.unit_price,
        True,
    )

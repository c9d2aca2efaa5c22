"""reservations/getAll/2023-06-06 and the hotel-side writes add, cancel, start, process and
addCompanion."""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim import hotel
from attendandt.mews_sim.endpoints.common import Ctx, interval_ok
from attendandt.mews_sim.endpoints.legacy import legacy_reservation
from attendandt.mews_sim.errors import BadRequest, invalid
from attendandt.mews_sim.params import Params
from attendandt.mews_sim.store import Entity

STATES = frozenset(
    {
        "Inquired",
        "Enquired",
        "Confirmed",
        "Started",
        "Processed",
        "Canceled",
        "Optional",
        "Requested",
    }
)
ADD_STATES = frozenset({"Optional", "Enquired", "Inquired", "Confirmed"})
CANCELLATION_REASONS = frozenset(
    [
        "Other",
        "ConfirmationMissed",
        "BookedElsewhere",
        "ForceMajeure",
        "GuestComplaint",
        "NoShow",
        "PriceTooHigh",
        "ServiceNotAvailable",
        "InputError",
        "InvalidPayment",
        "TravelAgency",
        "RequestedByGuest",
        "Update",
        "BookingAbandoned",
        "RequestedByBooker",
    ]
)


def reservations_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    owners = ctx.enterprises(p)
    ids = p.opt_ids("ReservationIds")
    services = p.opt_ids("ServiceIds")
    groups = p.opt_ids("ReservationGroupIds")
    accounts = p.opt_ids("AccountIds")
    partners = p.opt_ids("PartnerCompanyIds", max_items=100)
    agencies = p.opt_ids("TravelAgencyIds", max_items=100)
    numbers = p.opt_strs("Numbers")
    channel_numbers = p.opt_strs("ChannelNumbers", max_items=100)
    resources = p.opt_ids("AssignedResourceIds")
    blocks = p.opt_ids("AvailabilityBlockIds", max_items=100)
    created = p.interval("CreatedUtc")
    updated = p.interval("UpdatedUtc")
    colliding = p.interval("CollidingUtc")
    scheduled_start = p.interval("ScheduledStartUtc")
    actual_start = p.interval("ActualStartUtc")
    scheduled_end = p.interval("ScheduledEndUtc")
    actual_end = p.interval("ActualEndUtc")
    if scheduled_start and actual_start:
        raise invalid("ActualStartUtc", "Cannot be used with ScheduledStartUtc.")
    if scheduled_end and actual_end:
        raise invalid("ActualEndUtc", "Cannot be used with ScheduledEndUtc.")
    states = p.opt_enums("States", STATES)
    wanted_states = {"Inquired" if s == "Enquired" else s for s in states} if states else None
    limitation = p.limitation()

    def match(r: Entity) -> bool:
        return (
            (services is None or r["ServiceId"] in services)
            and (groups is None or r["GroupId"] in groups)
            and (accounts is None or r["AccountId"] in accounts)
            and (partners is None or r["PartnerCompanyId"] in partners)
            and (agencies is None or r["TravelAgencyId"] in agencies)
            and (numbers is None or r["Number"] in numbers)
            and (channel_numbers is None or r["ChannelNumber"] in channel_numbers)
            and (resources is None or r["AssignedResourceId"] in resources)
            and (blocks is None or r["AvailabilityBlockId"] in blocks)
            and interval_ok(created, r["CreatedUtc"])
            and interval_ok(updated, r["UpdatedUtc"])
            and (
                colliding is None
                or colliding.collides(r["ScheduledStartUtc"], r["ScheduledEndUtc"])
            )
            and interval_ok(scheduled_start, r["ScheduledStartUtc"])
            and interval_ok(actual_start, r["ActualStartUtc"])
            and interval_ok(scheduled_end, r["ScheduledEndUtc"])
            and interval_ok(actual_end, r["ActualEndUtc"])
            and (wanted_states is None or r["State"] in wanted_states)
        )

    items, cursor = ctx.store.reservations.page(owners, limitation, match, ids)
    return {"Reservations": items, "Cursor": cursor}


def _reservation(ctx: Ctx, enterprise_id: str, reservation_id: str, name: str) -> Entity:
    reservation = ctx.store.reservations.get(reservation_id, [enterprise_id])
    if reservation is None:
        raise invalid(name, "The reservation does not exist.")
    return reservation


def reservations_add(ctx: Ctx, p: Params) -> dict[str, Any]:  # noqa: PLR0912, PLR0915 - one flat pass over the documented request fields
    store = ctx.store
    info = ctx.enterprise(p)
    service_id = p.req_id("ServiceId")
    service = store.services.get(service_id, [info.id])
    if service is None or service["Data"]["Discriminator"] != "Bookable":
        raise invalid("ServiceId", "The bookable service does not exist.")
    group_id = p.opt_id("GroupId")
    p.opt_str("GroupName", max_len=255)
    for flag in ("CheckRateApplicability", "CheckOverbooking", "SendConfirmationEmail"):
        p.opt_bool(flag)
    entries = p.opt_objs("Reservations")
    if not entries:
        raise invalid("Reservations", "At least one reservation is required.")
    adult, _child = store.age_categories[info.id][:2]
    specs: list[tuple[str | None, hotel.NewReservation]] = []
    for entry in entries:
        identifier = entry.opt_str("Identifier", max_len=255)
        state = entry.opt_enum("State", ADD_STATES) or "Confirmed"
        start = entry.req_datetime("StartUtc")
        end = entry.req_datetime("EndUtc")
        if end <= start:
            raise invalid("Reservations", "EndUtc must be after StartUtc.")
        customer_id = entry.req_id("CustomerId")
        if store.customers.get(customer_id, [info.chain_id]) is None:
            raise invalid("CustomerId", "The customer does not exist.")
        booker_id = entry.opt_id("BookerId")
        if booker_id is not None and store.customers.get(booker_id, [info.chain_id]) is None:
            raise invalid("BookerId", "The customer does not exist.")
        category_id = entry.req_id("RequestedCategoryId")
        category = store.resource_categories.get(category_id, [info.id])
        if category is None or category["ServiceId"] != service["Id"]:
            raise invalid("RequestedCategoryId", "The resource category does not exist.")
        rate_id = entry.req_id("RateId")
        rate = store.rates.get(rate_id, [info.id])
        if rate is None or rate["ServiceId"] != service["Id"]:
            raise invalid("RateId", "The rate does not exist.")
        entry.opt_str("Notes", max_len=5000)
        entry.opt_str("VoucherCode", max_len=255)
        adults = entry.opt_int("AdultCount", low=0, high=100)
        children = entry.opt_int("ChildCount", low=0, high=100)
        counts = entry.opt_objs("PersonCounts", max_items=20)
        if counts:
            adults = children = 0
            for count in counts:
                value = count.opt_int("Count", low=0, high=100) or 0
                count.req_id("AgeCategoryId")
                if count.body["AgeCategoryId"].lower() == adult:
                    adults += value
                else:
                    children += value
        if not (adults or children):
            adults = 1
        specs.append(
            (
                identifier,
                hotel.NewReservation(
                    customer_id=customer_id.lower(),
                    start=start,
                    end=end,
                    state="Inquired" if state == "Enquired" else state,
                    category_id=category_id,
                    rate_id=rate_id,
                    booker_id=booker_id,
                    adults=adults or 0,
                    children=children or 0,
                    group_id=group_id,
                ),
            )
        )
    results = []
    shared_group = group_id or hotel.new_id()
    for identifier, spec in specs:
        spec.group_id = shared_group
        entity = hotel.add_reservation(store, info.id, spec, service)
        results.append({"Identifier": identifier, "Reservation": legacy_reservation(entity, [])})
    return {"Reservations": results}


def reservations_cancel(ctx: Ctx, p: Params) -> dict[str, Any]:
    enterprise_id = ctx.enterprise(p).id
    ids = p.opt_ids("ReservationIds")
    if not ids:
        raise invalid("ReservationIds", "The value is required.")
    notes = p.opt_str("Notes", max_len=5000)
    if notes is None:
        raise invalid("Notes", "The value is required.")
    p.opt_bool("PostCancellationFee")
    p.opt_bool("SendEmail")
    reason = p.opt_enum("CancellationReason", CANCELLATION_REASONS) or "Other"
    reservations = [
        _reservation(ctx, enterprise_id, i, "ReservationIds") for i in dict.fromkeys(ids)
    ]
    for reservation in reservations:
        if reservation["State"] not in hotel.CANCELLABLE:
            hotel.cancel_reservation(ctx.store, reservation)  # raises the 403 with the reason
    for reservation in reservations:
        hotel.cancel_reservation(ctx.store, reservation, reason)
    return {"ReservationIds": [r["Id"] for r in reservations]}


def reservations_start(ctx: Ctx, p: Params) -> dict[str, Any]:
    enterprise_id = ctx.enterprise(p).id
    reservation = _reservation(ctx, enterprise_id, p.req_id("ReservationId"), "ReservationId")
    hotel.start_reservation(ctx.store, reservation, via_connector=True)
    return {}


def reservations_add_companion(ctx: Ctx, p: Params) -> dict[str, Any]:
    info = ctx.enterprise(p)
    reservation = _reservation(ctx, info.id, p.req_id("ReservationId"), "ReservationId")
    customer = ctx.store.customers.get(p.req_id("CustomerId"), [info.chain_id])
    if customer is None:
        raise invalid("CustomerId", "The customer does not exist.")
    companionship = hotel.add_companion(ctx.store, reservation, customer)
    return {"CompanionshipId": companionship["Id"]}


def reservations_process(ctx: Ctx, p: Params) -> dict[str, Any]:
    enterprise_id = ctx.enterprise(p).id
    reservation = _reservation(ctx, enterprise_id, p.req_id("ReservationId"), "ReservationId")
    close_bills = p.opt_bool("CloseBills") or False
    allow_open_balance = p.opt_bool("AllowOpenBalance") or False
    notes = p.opt_str("Notes", max_len=5000)
    if allow_open_balance and not notes:
        raise BadRequest("Invalid Notes. Notes are required when AllowOpenBalance is true.")
    hotel.process_reservation(
        ctx.store, reservation, close_bills=close_bills, allow_open_balance=allow_open_balance
    )
    return {}

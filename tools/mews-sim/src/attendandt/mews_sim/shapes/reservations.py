"""Reservations, companionships and service order notes in the Mews wire shape."""

from __future__ import annotations

from attendandt.mews_sim.shapes.common import STAFF_PROFILE_ID, Entity


def reservation(
    *,
    id: str,
    service_id: str,
    account_id: str,
    number: str,
    state: str,
    created: str,
    updated: str,
    rate_id: str,
    group_id: str,
    category_id: str,
    start: str,
    end: str,
    person_counts: list[Entity],
    assigned_resource_id: str | None = None,
    origin: str = "Connector",
    commander_origin: str | None = None,
    booker_id: str | None = None,
    partner_company_id: str | None = None,
    travel_agency_id: str | None = None,
    availability_block_id: str | None = None,
    channel_number: str | None = None,
    purpose: str | None = "Leisure",
    actual_start: str | None = None,
    actual_end: str | None = None,
    cancelled: str | None = None,
    cancellation_reason: str | None = None,
) -> Entity:
    checked_in = state in ("Started", "Processed")
    return {
        "Id": id,
        "ServiceId": service_id,
        "AccountId": account_id,
        "AccountType": "Customer",
        "CreatorProfileId": STAFF_PROFILE_ID,
        "UpdaterProfileId": STAFF_PROFILE_ID,
        "BookerId": booker_id,
        "Number": number,
        "State": state,
        "Origin": origin,
        "CommanderOrigin": commander_origin,
        "OriginDetails": None,
        "CreatedUtc": created,
        "UpdatedUtc": updated,
        "CancelledUtc": cancelled,
        "VoucherId": None,
        "BusinessSegmentId": None,
        "Options": {
            "OwnerCheckedIn": checked_in,
            "AllCompanionsCheckedIn": checked_in,
            "AnyCompanionCheckedIn": checked_in,
            "ConnectorCheckIn": False,
        },
        "RateId": rate_id,
        "CreditCardId": None,
        "GroupId": group_id,
        "RequestedResourceCategoryId": category_id,
        "AssignedResourceId": assigned_resource_id,
        "AvailabilityBlockId": availability_block_id,
        "PartnerCompanyId": partner_company_id,
        "TravelAgencyId": travel_agency_id,
        "AssignedResourceLocked": False,
        "ChannelNumber": channel_number,
        "ChannelManagerNumber": None,
        "CancellationReason": cancellation_reason,
        "ReleasedUtc": None,
        "StartUtc": actual_start if actual_start and actual_start < start else start,
        "EndUtc": end,
        "ScheduledStartUtc": start,
        "ActualStartUtc": actual_start,
        "ScheduledEndUtc": end,
        "ActualEndUtc": actual_end,
        "Purpose": purpose,
        "QrCodeData": None,
        "PersonCounts": person_counts,
    }


def companionship(
    *, id: str, customer_id: str, reservation_group_id: str, reservation_id: str
) -> Entity:
    return {
        "Id": id,
        "CustomerId": customer_id,
        "ReservationGroupId": reservation_group_id,
        "ReservationId": reservation_id,
    }


def service_order_note(
    *, id: str, order_id: str, text: str, type: str, created: str, updated: str | None = None
) -> Entity:
    return {
        "Id": id,
        "OrderId": order_id,
        "Text": text,
        "Type": type,
        "CreatedUtc": created,
        "UpdatedUtc": updated or created,
    }

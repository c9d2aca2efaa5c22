"""Reservation (ver 2017-04-12): the older shape still answered by customers/search and
reservations/add."""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim.store import Entity


def legacy_state(state: str) -> str:
    return "Enquired" if state == "Inquired" else state


def legacy_reservation(r: Entity, companions: list[Entity] | None = None) -> dict[str, Any]:
    """`CompanionIds` lists the owner and every companion on the stay."""
    companion_ids = [r["AccountId"]] + [
        c["CustomerId"] for c in companions or () if c["CustomerId"] != r["AccountId"]
    ]
    counts = r["PersonCounts"]
    adults = counts[0]["Count"] if counts else 0
    children = sum(c["Count"] for c in counts[1:])
    return {
        "Id": r["Id"],
        "ServiceId": r["ServiceId"],
        "GroupId": r["GroupId"],
        "Number": r["Number"],
        "ChannelNumber": r["ChannelNumber"],
        "ChannelManagerNumber": r["ChannelManagerNumber"],
        "ChannelManagerGroupNumber": None,
        "ChannelManager": None,
        "State": legacy_state(r["State"]),
        "Origin": r["Origin"],
        "OriginDetails": r["OriginDetails"],
        "Purpose": r["Purpose"],
        "CreatedUtc": r["CreatedUtc"],
        "UpdatedUtc": r["UpdatedUtc"],
        "CancelledUtc": r["CancelledUtc"],
        "StartUtc": r["StartUtc"],
        "EndUtc": r["EndUtc"],
        "ReleasedUtc": r["ReleasedUtc"],
        "RequestedCategoryId": r["RequestedResourceCategoryId"],
        "AssignedResourceId": r["AssignedResourceId"],
        "AssignedResourceLocked": r["AssignedResourceLocked"],
        "BusinessSegmentId": r["BusinessSegmentId"],
        "CompanyId": r["PartnerCompanyId"],
        "TravelAgencyId": r["TravelAgencyId"],
        "AvailabilityBlockId": r["AvailabilityBlockId"],
        "RateId": r["RateId"],
        "VoucherId": r["VoucherId"],
        "CreditCardId": r["CreditCardId"],
        "CancellationReason": r["CancellationReason"],
        "AdultCount": adults,
        "ChildCount": children,
        "OwnerId": r["AccountId"],
        "CustomerId": r["AccountId"],
        "BookerId": r["BookerId"],
        "CompanionIds": companion_ids,
        "PersonCounts": counts,
        "Options": r["Options"],
    }

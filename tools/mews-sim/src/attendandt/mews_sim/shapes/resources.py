"""Resources (rooms), their categories and category assignments in the Mews wire shape."""

from __future__ import annotations

from collections.abc import Mapping

from attendandt.mews_sim.shapes.common import Entity


def resource_category(
    *,
    id: str,
    enterprise_id: str,
    service_id: str,
    name: str,
    short_name: str,
    type: str,
    capacity: int,
    ordering: int,
    classification: str = "DoubleBed",
    language: str = "en-US",
    translations: Mapping[str, str] | None = None,
) -> Entity:
    """`name` in the hotel's `language`; `translations` add the same name in others."""
    return {
        "Id": id,
        "EnterpriseId": enterprise_id,
        "ServiceId": service_id,
        "IsActive": True,
        "Type": type,
        "Classification": classification,
        "Names": {language: name, **(translations or {})},
        "ShortNames": {language: short_name},
        "Descriptions": {},
        "Ordering": ordering,
        "Capacity": capacity,
        "ExtraCapacity": 0,
        "ExternalIdentifier": None,
        "AccountingCategoryId": None,
    }


def resource_category_assignment(
    *, id: str, resource_id: str, category_id: str, created: str, updated: str | None = None
) -> Entity:
    return {
        "Id": id,
        "IsActive": True,
        "ResourceId": resource_id,
        "CategoryId": category_id,
        "CreatedUtc": created,
        "UpdatedUtc": updated or created,
    }


def resource(
    *,
    id: str,
    enterprise_id: str,
    name: str,
    floor: str,
    state: str,
    created: str,
    updated: str | None = None,
) -> Entity:
    return {
        "Id": id,
        "EnterpriseId": enterprise_id,
        "IsActive": True,
        "ParentResourceId": None,
        "Name": name,
        "State": state,
        "Descriptions": {"en-US": f"Room {name}"},
        "CreatedUtc": created,
        "UpdatedUtc": updated or created,
        "DeletedUtc": None,
        "Data": {
            "Discriminator": "Space",
            "Value": {"FloorNumber": floor, "LocationNotes": None},
        },
        "ExternalNames": {"en-US": f"Room {name}"},
        "Directions": {},
    }

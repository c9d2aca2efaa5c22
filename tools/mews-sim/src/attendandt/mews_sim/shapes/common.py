"""What the entity builders share: the entity type, profile ids, promotions, addresses."""

from __future__ import annotations

from typing import Any

Entity = dict[str, Any]

STAFF_PROFILE_ID = "3cd637ef-4728-47f9-8fb1-afb900c9cdcf"
CONNECTOR_PROFILE_ID = "122fc063-ec6e-4198-b8db-6b168a59ffae"

NO_PROMOTIONS = {
    "BeforeCheckIn": False,
    "AfterCheckIn": False,
    "DuringStay": False,
    "BeforeCheckOut": False,
    "AfterCheckOut": False,
    "DuringCheckOut": False,
}


def address(address_id: str, params: dict[str, Any] | None) -> Entity | None:
    if params is None:
        return None
    return {
        "Id": address_id,
        "Line1": params.get("Line1"),
        "Line2": params.get("Line2"),
        "City": params.get("City"),
        "PostalCode": params.get("PostalCode"),
        "CountryCode": params.get("CountryCode"),
        "CountrySubdivisionCode": params.get("CountrySubdivisionCode"),
        "Latitude": params.get("Latitude"),
        "Longitude": params.get("Longitude"),
    }

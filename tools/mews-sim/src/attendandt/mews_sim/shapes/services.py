"""Services, products, accounting categories and rates in the Mews wire shape."""

from __future__ import annotations

from attendandt.mews_sim.shapes.common import NO_PROMOTIONS, Entity


def service(
    *,
    id: str,
    enterprise_id: str,
    name: str,
    bookable: bool,
    ordering: int,
    created: str,
    updated: str | None = None,
    external_identifier: str | None = None,
) -> Entity:
    data: Entity
    if bookable:
        data = {
            "Discriminator": "Bookable",
            "Value": {
                "StartOffset": "P0M0DT15H0M0S",
                "EndOffset": "P0M0DT12H0M0S",
                "OccupancyStartOffset": "P0M0DT15H0M0S",
                "OccupancyEndOffset": "P0M0DT12H0M0S",
                "TimeUnitPeriod": "Day",
            },
        }
    else:
        data = {"Discriminator": "Additional", "Value": {"Promotions": dict(NO_PROMOTIONS)}}
    return {
        "Id": id,
        "EnterpriseId": enterprise_id,
        "CreatedUtc": created,
        "UpdatedUtc": updated or created,
        "IsActive": True,
        "Name": name,
        "Names": {"en-US": name},
        "Options": {"BillAsPackage": False},
        "Ordering": ordering,
        "Data": data,
        "ExternalIdentifier": external_identifier,
    }


def product(
    *,
    id: str,
    service_id: str,
    name: str,
    short_name: str,
    accounting_category_id: str | None,
    price: Entity,
    created: str,
    updated: str | None = None,
    charging: str = "Once",
    food: bool = False,
    beverage: bool = False,
    wellness: bool = False,
    external_identifier: str | None = None,
    ordering: int = 0,
) -> Entity:
    return {
        "Id": id,
        "ServiceId": service_id,
        "CreatedUtc": created,
        "UpdatedUtc": updated or created,
        "CategoryId": None,
        "AccountingCategoryId": accounting_category_id,
        "IsActive": True,
        "Names": {"en-US": name},
        "ExternalNames": {"en-US": name},
        "ShortNames": {"en-US": short_name},
        "Descriptions": {"en-US": name},
        "ChargingMode": charging,
        "PostingMode": "Once",
        "Options": {"BillAsPackage": False, "ExcludePriceFromOffer": False},
        "Promotions": dict(NO_PROMOTIONS),
        "Classifications": {
            "Food": food,
            "Beverage": beverage,
            "Wellness": wellness,
            "CityTax": False,
            "Fee": False,
        },
        "Price": price,
        "Ordering": ordering,
        "ExternalIdentifier": external_identifier,
        "ConsumptionMoment": "ServiceOrderStart",
    }


def accounting_category(
    *, id: str, enterprise_id: str, name: str, code: str, classification: str, created: str
) -> Entity:
    return {
        "Id": id,
        "EnterpriseId": enterprise_id,
        "IsActive": True,
        "Name": name,
        "Code": code,
        "ExternalCode": None,
        "LedgerAccountCode": code,
        "PostingAccountCode": None,
        "CostCenterCode": None,
        "Classification": classification,
        "CreatedUtc": created,
        "UpdatedUtc": created,
    }


def rate(
    *,
    id: str,
    service_id: str,
    group_id: str,
    name: str,
    short_name: str,
    updated: str,
    is_default: bool = False,
    external_identifier: str | None = None,
) -> Entity:
    return {
        "BaseRateId": None,
        "BusinessSegmentId": None,
        "GroupId": group_id,
        "Id": id,
        "ServiceId": service_id,
        "IsBaseRate": True,
        "IsActive": True,
        "IsEnabled": True,
        "IsPublic": True,
        "IsDefault": is_default,
        "Type": "Public",
        "Name": name,
        "Names": {"en-US": name},
        "ShortName": short_name,
        "UpdatedUtc": updated,
        "ExternalNames": {"en-US": name},
        "Description": {},
        "ExternalIdentifier": external_identifier,
    }


def rate_group(*, id: str, service_id: str, name: str) -> Entity:
    return {
        "Id": id,
        "ServiceId": service_id,
        "IsActive": True,
        "Name": name,
        "ExternalIdentifier": None,
    }

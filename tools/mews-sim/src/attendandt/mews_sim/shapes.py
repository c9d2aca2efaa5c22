"""Builders for entities in the Mews wire shape (field names and order as documented)."""

from __future__ import annotations

from collections.abc import Mapping
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


def enterprise(
    *,
    id: str,
    chain_id: str,
    name: str,
    pricing: str,
    currency: str,
    time_zone: str,
    legal_environment: str,
    tax_environment: str,
    address_fields: dict[str, Any],
    address_id: str,
    created: str,
    updated: str,
    linked: str,
    external_identifier: str | None = None,
    short_name: str | None = None,
    chain_name: str | None = None,
    default_language: str = "en-US",
    phone: str | None = None,
    email: str | None = None,
    website: str | None = None,
) -> Entity:
    currencies = [{"Currency": currency, "IsDefault": True, "IsEnabled": True}]
    currencies += [
        {"Currency": c, "IsDefault": False, "IsEnabled": True}
        for c in ("GBP", "EUR", "USD")
        if c != currency
    ]
    return {
        "LinkedUtc": linked,
        "Currencies": currencies,
        "AccountingConfiguration": {
            "AdditionalTaxIdentifier": None,
            "CompanyName": name,
            "BankAccountNumber": "1234",
            "BankName": "Simulated Bank",
            "Iban": "GB33BUKB20201555555555",
            "Bic": "BUKBGB22",
            "SurchargeConfiguration": {
                "SurchargeFees": {},
                "SurchargeServiceId": None,
                "SurchargeTaxCode": None,
            },
            "EnabledExternalPaymentTypes": ["Invoice", "Cash"],
            "Options": [],
        },
        "IsPortfolio": False,
        "Id": id,
        "ExternalIdentifier": external_identifier,
        "HoldingKey": None,
        "ChainId": chain_id,
        "ChainName": chain_name or f"{name} Chain",
        "CreatedUtc": created,
        "UpdatedUtc": updated,
        "Name": name,
        "ShortName": short_name,
        "TimeZoneIdentifier": time_zone,
        "LegalEnvironmentCode": legal_environment,
        "AccommodationEnvironmentCode": legal_environment,
        "AccountingEnvironmentCode": legal_environment,
        "TaxEnvironmentCode": tax_environment,
        "DefaultLanguageCode": default_language,
        "EditableHistoryInterval": "P0M7DT0H0M0S",
        "AccountingEditableHistoryInterval": "P0M7DT0H0M0S",
        "OperationalEditableHistoryInterval": "P0M5DT0H0M0S",
        "BusinessDayClosingOffset": None,
        "WebsiteUrl": website,
        "Email": email,
        "Phone": phone,
        "LogoImageId": None,
        "CoverImageId": None,
        "Pricing": pricing,
        "TaxPrecision": None,
        "AddressId": address_id,
        "Address": address(address_id, address_fields),
        "GroupNames": [],
        "Subscription": {"TaxIdentifier": None},
    }


def customer(
    *,
    id: str,
    chain_id: str,
    number: str,
    last_name: str,
    created: str,
    first_name: str | None = None,
    title: str | None = None,
    sex: str | None = None,
    second_last_name: str | None = None,
    nationality: str | None = None,
    preferred_language: str | None = None,
    birth_date: str | None = None,
    birth_place: str | None = None,
    occupation: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    tax_id: str | None = None,
    loyalty_code: str | None = None,
    accounting_code: str | None = None,
    notes: str | None = None,
    car: str | None = None,
    dietary: str | None = None,
    address_entity: Entity | None = None,
    classifications: list[str] | None = None,
    options: list[str] | None = None,
    company_id: str | None = None,
    italian: tuple[str | None, str | None, str | None] = (None, None, None),
    features: list[str] | None = None,
    updated: str | None = None,
    creator: str = STAFF_PROFILE_ID,
) -> Entity:
    return {
        "Id": id,
        "ChainId": chain_id,
        "Number": number,
        "Title": title,
        "CustomTitleName": None,
        "Sex": sex,
        "FirstName": first_name,
        "LastName": last_name,
        "SecondLastName": second_last_name,
        "NationalityCode": nationality,
        "PreferredLanguageCode": preferred_language,
        "LanguageCode": preferred_language,
        "BirthDate": birth_date,
        "BirthCountryCode": None,
        "BirthCountrySubdivisionCode": None,
        "BirthPlace": birth_place,
        "Occupation": occupation,
        "Email": email,
        "HasOtaEmail": False,
        "Phone": phone,
        "TaxIdentificationNumber": tax_id,
        "LoyaltyCode": loyalty_code,
        "AccountingCode": accounting_code,
        "BillingCode": None,
        "Notes": notes,
        "CarRegistrationNumber": car,
        "DietaryRequirements": dietary,
        "CreatedUtc": created,
        "UpdatedUtc": updated or created,
        "Passport": None,
        "IdentityCard": None,
        "Visa": None,
        "DriversLicense": None,
        "Address": address_entity,
        "AddressId": address_entity["Id"] if address_entity else None,
        "Classifications": classifications or [],
        "Options": options or [],
        "ItalianDestinationCode": italian[0],
        "ItalianFiscalCode": italian[1],
        "ItalianLotteryCode": italian[2],
        "CompanyId": company_id,
        "MergeTargetId": None,
        "ActivityState": "Active",
        "IsActive": True,
        "PreferredSpaceFeatures": features or [],
        "CreatorProfileId": creator,
        "UpdaterProfileId": creator,
    }


def company(
    *,
    id: str,
    chain_id: str,
    name: str,
    number: int,
    created: str,
    updated: str | None = None,
    external_identifier: str | None = None,
    invoicing_email: str | None = None,
    telephone: str | None = None,
    contact_person: str | None = None,
    iata: str | None = None,
    department: str | None = None,
    address_id: str | None = None,
    credit: str = "CreditOk",
) -> Entity:
    return {
        "Id": id,
        "ChainId": chain_id,
        "Name": name,
        "IsActive": True,
        "Number": number,
        "Identifier": None,
        "TaxIdentifier": None,
        "AdditionalTaxIdentifier": None,
        "ElectronicInvoiceIdentifier": None,
        "InvoiceDueInterval": "P14D",
        "AccountingCode": None,
        "MotherCompanyId": None,
        "CreatedUtc": created,
        "UpdatedUtc": updated or created,
        "AddressId": address_id,
        "BillingCode": None,
        "Iata": iata,
        "Telephone": telephone,
        "InvoicingEmail": invoicing_email,
        # The documented schema says ContactPerson; every documentation example spells it
        # ContacPerson. Both are answered so clients written against either keep working.
        "ContactPerson": contact_person,
        "ContacPerson": contact_person,
        "Contact": None,
        "Notes": None,
        "Options": {
            "Invoiceable": True,
            "AddFeesToInvoices": False,
            "AddTaxDeductedPaymentToInvoices": False,
        },
        "Department": department,
        "DunsNumber": None,
        "CreditRating": {"Basic": credit},
        "ReferenceIdentifier": None,
        "WebsiteUrl": None,
        "ExternalIdentifier": external_identifier,
        "MergeTargetId": None,
    }


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


def bill(
    *,
    id: str,
    enterprise_id: str,
    account_id: str,
    account_type: str,
    number: str | None,
    created: str,
    state: str = "Open",
    name: str | None = None,
    associated_account_ids: list[str] | None = None,
    issued: str | None = None,
    updated: str | None = None,
) -> Entity:
    return {
        "Id": id,
        "Name": name,
        "EnterpriseId": enterprise_id,
        "AccountId": account_id,
        "AccountType": account_type,
        "CustomerId": account_id if account_type == "Customer" else None,
        "CompanyId": account_id if account_type == "Company" else None,
        "AssociatedAccountIds": associated_account_ids or [],
        "CounterId": None,
        "State": state,
        "Type": "Receipt",
        "Number": number,
        "VariableSymbol": None,
        "CreatedUtc": created,
        "IssuedUtc": issued,
        "TaxedUtc": None,
        "PaidUtc": None,
        "DueUtc": None,
        "LastReminderDateUtc": None,
        "UpdatedUtc": updated or created,
        "PurchaseOrderNumber": None,
        "Notes": None,
        "Options": {
            "DisplayCustomer": True,
            "DisplayTaxation": True,
            "TrackReceivable": True,
            "DisplayCid": False,
            "Rebated": False,
        },
        "Revenue": [],
        "Payments": [],
        "OrderItems": [],
        "PaymentItems": [],
        "AssigneeData": None,
        "OwnerData": None,
        "CompanyDetails": None,
        "AssociatedAccountData": [],
        "EnterpriseData": {
            "AdditionalTaxIdentifier": None,
            "CompanyName": None,
            "BankAccount": None,
            "BankName": None,
            "Iban": None,
            "Bic": None,
        },
        "CorrectionState": "Bill",
        "CorrectionType": None,
        "CorrectedBillId": None,
    }


def bill_account_data(account: Entity, account_type: str) -> Entity:
    """`OwnerData` / associated account data of a bill from a customer or company."""
    addr = account.get("Address") or {}
    bill_address = {
        "Line1": addr.get("Line1"),
        "Line2": addr.get("Line2"),
        "City": addr.get("City"),
        "PostalCode": addr.get("PostalCode"),
        "SubdivisionCode": addr.get("CountrySubdivisionCode"),
        "CountryCode": addr.get("CountryCode"),
    }
    if account_type == "Company":
        return {
            "Discriminator": "BillCompanyData",
            "Value": {
                "Id": account["Id"],
                "Address": bill_address,
                "LegalIdentifiers": {
                    "TaxIdentifier": account.get("TaxIdentifier"),
                    "CityOfRegistration": None,
                },
                "BillingCode": account.get("BillingCode"),
                "Name": account["Name"],
                "FiscalIdentifier": account.get("Identifier"),
                "AdditionalTaxIdentifier": account.get("AdditionalTaxIdentifier"),
                "DUNS": account.get("DunsNumber"),
                "Telephone": account.get("Telephone"),
                "TaxIdentifier": account.get("TaxIdentifier"),
                "InvoicingEmail": account.get("InvoicingEmail"),
                "Department": account.get("Department"),
            },
        }
    return {
        "Discriminator": "BillCustomerData",
        "Value": {
            "Id": account["Id"],
            "Address": bill_address,
            "LegalIdentifiers": {
                "TaxIdentifier": account.get("TaxIdentificationNumber"),
                "CityOfRegistration": None,
            },
            "BillingCode": account.get("BillingCode"),
            "LastName": account.get("LastName"),
            "FirstName": account.get("FirstName"),
            "SecondLastName": account.get("SecondLastName"),
            "TitleName": account.get("Title"),
        },
    }


def order_item(
    *,
    id: str,
    enterprise_id: str,
    account_id: str,
    account_type: str,
    service_id: str,
    order_id: str,
    bill_id: str | None,
    accounting_category_id: str | None,
    billing_name: str | None,
    external_identifier: str | None,
    unit_count: int,
    unit_amount: Entity,
    amount: Entity,
    revenue_type: str,
    item_type: str,
    created: str,
    consumed: str,
    notes: str | None,
    product_id: str | None,
) -> Entity:
    return {
        "Id": id,
        "EnterpriseId": enterprise_id,
        "AccountId": account_id,
        "AccountType": account_type,
        "Notes": notes,
        "ServiceId": service_id,
        "ServiceOrderId": order_id,
        "BillId": bill_id,
        "AccountingCategoryId": accounting_category_id,
        "BillingName": billing_name,
        "ExternalIdentifier": external_identifier,
        "UnitCount": unit_count,
        "UnitAmount": unit_amount,
        "Amount": amount,
        "OriginalAmount": amount,
        "RevenueType": revenue_type,
        "CreatorProfileId": CONNECTOR_PROFILE_ID,
        "UpdaterProfileId": CONNECTOR_PROFILE_ID,
        "CreatedUtc": created,
        "UpdatedUtc": created,
        "ConsumedUtc": consumed,
        "CanceledUtc": None,
        "ClosedUtc": None,
        "StartUtc": consumed,
        "ClaimedUtc": None,
        "AccountingState": "Open",
        "Type": item_type,
        "Options": {"CanceledWithReservation": False},
        "Data": (
            {
                "Discriminator": "Product",
                "Rebate": None,
                "Product": {"ProductId": product_id, "AgeCategoryId": None},
            }
            if product_id
            else None
        ),
    }


def payment(
    *,
    id: str,
    enterprise_id: str,
    account_id: str,
    account_type: str,
    bill_id: str | None,
    reservation_id: str | None,
    amount: Entity,
    payment_type: str,
    created: str,
    notes: str | None = None,
) -> Entity:
    """A `Payment` of `payments/getAll`: its amount is negative (money received offsets the
    bill's items), charged at once, open until its bill closes."""
    data: Entity | None = None
    if payment_type == "AlternativePayment":
        data = {
            "Discriminator": "Alternative",
            "CreditCard": None,
            "Invoice": None,
            "External": None,
            "Ghost": None,
            "Alternative": {"Type": "WireTransfer"},
        }
    elif payment_type == "ExternalPayment":
        data = {
            "Discriminator": "External",
            "CreditCard": None,
            "Invoice": None,
            "External": {"Type": "Unspecified", "ExternalIdentifier": None},
            "Ghost": None,
            "Alternative": None,
        }
    return {
        "Id": id,
        "EnterpriseId": enterprise_id,
        "AccountId": account_id,
        "AccountType": account_type,
        "PaymentRequestId": None,
        "BillId": bill_id,
        "ReservationId": reservation_id,
        "AccountingCategoryId": None,
        "Amount": amount,
        "OriginalAmount": amount,
        "Notes": notes,
        "SettlementId": None,
        "ConsumedUtc": created,
        "ClosedUtc": None,
        "ChargedUtc": created,
        "CreatedUtc": created,
        "UpdatedUtc": created,
        "SettlementUtc": None,
        "AccountingState": "Open",
        "State": "Charged",
        "Identifier": "",
        "Type": payment_type,
        "Kind": "Payment",
        "Data": data,
        "PaymentOrigin": "System",
    }


def product_service_order(order: Entity, number: str) -> Entity:
    """A product service order (`productServiceOrders/getAll`) from a stored order."""
    return {
        "Id": order["Id"],
        "ServiceId": order["ServiceId"],
        "AccountId": order["AccountId"],
        "AccountType": order["AccountType"],
        "CreatorProfileId": CONNECTOR_PROFILE_ID,
        "UpdaterProfileId": CONNECTOR_PROFILE_ID,
        "BookerId": None,
        "Number": number,
        "State": order["State"],
        "Origin": "Connector",
        "CommanderOrigin": None,
        "OriginDetails": None,
        "CreatedUtc": order["CreatedUtc"],
        "UpdatedUtc": order["UpdatedUtc"],
        "CancelledUtc": None,
        "VoucherId": None,
        "BusinessSegmentId": None,
        "LinkedReservationId": order.get("LinkedReservationId"),
        "Options": {
            "OwnerCheckedIn": False,
            "AllCompanionsCheckedIn": False,
            "AnyCompanionCheckedIn": False,
            "ConnectorCheckIn": False,
        },
    }

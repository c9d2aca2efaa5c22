"""The enterprise (`enterprises/getAll`, `configuration/get`) in the Mews wire shape."""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim.shapes.common import Entity, address


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
    is_portfolio: bool = False,
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
        "IsPortfolio": is_portfolio,
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

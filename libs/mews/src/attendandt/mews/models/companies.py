"""``companies/getAll``."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import msgspec

from .common import Address, MewsModel, MewsRequest, TimeInterval


class CreditRatingBasic:
    CREDIT_OK: Final = "CreditOk"
    PAYMENT_REQUIRED_UPFRONT: Final = "PaymentRequiredUpfront"
    LOCAL_DECISION_REQUIRED: Final = "LocalDecisionRequired"


class CompanyOptions(MewsModel):
    invoiceable: bool | None = None
    add_fees_to_invoices: bool | None = None
    add_tax_deducted_payment_to_invoices: bool | None = None


class CreditRating(MewsModel):
    basic: str | None = None


class Company(MewsModel):
    id: str
    chain_id: str | None = None
    name: str | None = None
    mother_company_id: str | None = None
    invoicing_email: str | None = None
    website_url: str | None = None
    invoice_due_interval: str | None = None
    options: CompanyOptions | None = None
    credit_rating: CreditRating | None = None
    department: str | None = None
    duns_number: str | None = None
    reference_identifier: str | None = None
    accounting_code: str | None = None
    additional_tax_identifier: str | None = None
    billing_code: str | None = None
    contact: str | None = None
    contact_person: str | None = None
    # Mews' own examples spell it this way; the schema says ContactPerson. Accept both.
    contac_person: str | None = msgspec.field(default=None, name="ContacPerson")
    identifier: str | None = None
    iata: str | None = None
    is_active: bool | None = None
    notes: str | None = None
    number: int | None = None
    tax_identifier: str | None = None
    telephone: str | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None
    address_id: str | None = None
    address: Address | None = None
    merge_target_id: str | None = None
    external_identifier: str | None = None

    @property
    def contact_person_name(self) -> str | None:
        return self.contact_person if self.contact_person is not None else self.contac_person


class CompaniesGetAll(MewsRequest):
    """Filters of ``companies/getAll``. ``ActivityStates`` defaults to both active and deleted."""

    chain_ids: list[str] | None = None
    ids: list[str] | None = None
    mother_company_ids: list[str] | None = None
    external_identifiers: list[str] | None = None
    names: list[str] | None = None
    activity_states: list[str] | None = None
    created_utc: TimeInterval | None = None
    updated_utc: TimeInterval | None = None


class CompaniesPage(MewsModel):
    companies: list[Company] | None = None
    cursor: str | None = None


__all__ = [
    "CompaniesGetAll",
    "CompaniesPage",
    "Company",
    "CompanyOptions",
    "CreditRating",
    "CreditRatingBasic",
]

"""``configuration/get`` and ``enterprises/getAll``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from .common import Address, MewsModel, MewsRequest, TimeInterval


class Pricing:
    GROSS: Final = "Gross"
    NET: Final = "Net"


class EnterpriseCurrency(MewsModel):
    currency: str | None = None
    is_default: bool | None = None
    is_enabled: bool | None = None


class Enterprise(MewsModel):
    id: str
    external_identifier: str | None = None
    holding_key: str | None = None
    chain_id: str | None = None
    chain_name: str | None = None
    name: str | None = None
    short_name: str | None = None
    time_zone_identifier: str | None = None
    legal_environment_code: str | None = None
    accommodation_environment_code: str | None = None
    accounting_environment_code: str | None = None
    tax_environment_code: str | None = None
    default_language_code: str | None = None
    accounting_editable_history_interval: str | None = None
    operational_editable_history_interval: str | None = None
    editable_history_interval: str | None = None
    business_day_closing_offset: str | None = None
    website_url: str | None = None
    email: str | None = None
    phone: str | None = None
    logo_image_id: str | None = None
    cover_image_id: str | None = None
    pricing: str | None = None
    tax_precision: int | None = None
    address_id: str | None = None
    address: Address | None = None
    currencies: list[EnterpriseCurrency] | None = None
    accounting_configuration: dict[str, Any] | None = None
    is_portfolio: bool | None = None
    group_names: list[str] | None = None
    subscription: dict[str, Any] | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None
    linked_utc: datetime | None = None


class ConfigurationGet(MewsRequest):
    """Request of ``configuration/get``. ``EnterpriseId`` only for portfolio tokens."""

    enterprise_id: str | None = None


class Configuration(MewsModel):
    """Response of ``configuration/get``. ``NowUtc`` is the Mews clock: build sync windows on it."""

    now_utc: datetime | None = None
    enterprise: Enterprise | None = None
    service: dict[str, Any] | None = None
    payment_card_storage: dict[str, Any] | None = None
    is_identity_document_number_required: bool | None = None


class EnterprisesGetAll(MewsRequest):
    """Filters of ``enterprises/getAll`` (``Limitation`` is added by the pager)."""

    enterprise_ids: list[str] | None = None
    external_identifiers: list[str] | None = None
    linked_utc: TimeInterval | None = None
    updated_utc: TimeInterval | None = None


class EnterprisesPage(MewsModel):
    enterprises: list[Enterprise] | None = None
    cursor: str | None = None


__all__ = [
    "Configuration",
    "ConfigurationGet",
    "Enterprise",
    "EnterpriseCurrency",
    "EnterprisesGetAll",
    "EnterprisesPage",
    "Pricing",
]

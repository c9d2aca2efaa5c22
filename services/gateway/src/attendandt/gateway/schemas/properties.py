"""The hotels as Mews describes them, and a hotel's catalogue of Mews services and products."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import msgspec

from attendandt.contracts.kv import PropertyPhase


class PropertySummary(msgspec.Struct, frozen=True, kw_only=True):
    """A hotel as Mews describes it."""

    enterprise_id: str
    name: str
    short_name: str | None = None
    #: IANA, e.g. "Europe/London": dates are the hotel's local dates.
    time_zone: str
    default_currency: str
    #: "gross": prices include tax; "net": tax is added on top.
    pricing: Literal["gross", "net"]
    default_language_code: str | None = None
    #: Where the property stands (as `GET /sync/{enterprise_id}` shows it): onboarding,
    #: importing (its initial import from Mews under way), live, stopped (its Mews
    #: integration disabled, canceled or deleted; `integration_state` says which), refused
    #: (Mews refuses its access token: nothing syncs until the integration is reconnected).
    phase: PropertyPhase
    #: The state Mews last gave the property's integration (enabled, disabled, canceled,
    #: deleted); None for a property not onboarded through Integration Webhooks.
    integration_state: str | None = None


class CatalogueProductOut(msgspec.Struct, frozen=True, kw_only=True):
    mews_id: str
    name: str
    #: The Mews price (with tax for a gross-pricing hotel, without for a net one).
    unit_amount: Decimal | None = None
    currency: str | None = None
    is_active: bool


class CatalogueServiceOut(msgspec.Struct, frozen=True, kw_only=True):
    mews_id: str
    name: str
    #: "additional" services take offerings' charges; "bookable" ones are stays.
    kind: str
    is_active: bool
    products: list[CatalogueProductOut]


class HotelCatalogue(msgspec.Struct, frozen=True, kw_only=True):
    """The hotel's Mews services and their products, in Mews's order: what an offering may
    post to (an active "additional" service, and one of its active products)."""

    enterprise_id: str
    default_currency: str
    pricing: str
    services: list[CatalogueServiceOut]

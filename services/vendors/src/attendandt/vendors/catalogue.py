"""What an offering may post to: the hotel's Mews catalogue, and the rules an offering meets.

An offering's charges are posted to Mews (`orders/add`) on its service, with its product,
in its currency. Mews refuses a charge on a Bookable (stay) service or a deactivated one, and
a price in another currency than the hotel's is a price nobody agreed to. So an offering names
an active Additional service of its property, a product (when any) that is an active product
of that service, and the hotel's currency (the default when none is given). What is wrong
comes back with what would fit, so whoever types it can correct it.

A catalogue is the version sync read last (`UpsertCatalogue`), last write wins
(`attendandt.contracts.versioning`): ordered by its newest Mews UpdatedUtc, then by when
sync read it; the same content read again changes nothing.

Plain Python: no framework, no SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from attendandt.contracts.versioning import MewsVersion
from attendandt.platform.rpc import Conflict, Invalid
from attendandt.vendors.records import (
    CatalogueProductRecord,
    CatalogueServiceRecord,
    PropertyRecord,
)

NOT_SYNCED = "the hotel's services are not synced yet; try again shortly"
ADDITIONAL = "additional"
#: How many of the fitting choices a refusal names (a hotel may have many products).
MAX_CHOICES = 10


def stored_version(prop: PropertyRecord) -> MewsVersion:
    """The version of the catalogue held: its newest Mews UpdatedUtc (None: Mews gave none),
    when sync read it, and a digest of its content."""
    return MewsVersion(prop.catalogue_updated_utc, prop.catalogue_read_at, prop.catalogue_digest)


@dataclass(frozen=True)
class Catalogue:
    property: PropertyRecord
    services: Sequence[CatalogueServiceRecord]
    products: Sequence[CatalogueProductRecord]

    def service(self, mews_id: str) -> CatalogueServiceRecord | None:
        return next((s for s in self.services if s.mews_id == mews_id), None)

    def product(self, mews_id: str) -> CatalogueProductRecord | None:
        return next((p for p in self.products if p.mews_id == mews_id), None)

    def chargeable_services(self) -> list[CatalogueServiceRecord]:
        """Where an offering may post: active Additional services, in Mews's order."""
        fitting = [s for s in self.services if s.kind == ADDITIONAL and s.is_active]
        return sorted(fitting, key=lambda s: (s.ordering, s.name, s.mews_id))

    def products_of(self, service_id: str) -> list[CatalogueProductRecord]:
        fitting = [p for p in self.products if p.service_mews_id == service_id and p.is_active]
        return sorted(fitting, key=lambda p: (p.name, p.mews_id))


@dataclass(frozen=True)
class Posting:
    """Where an offering's charges go, checked against the catalogue."""

    currency: str
    service: CatalogueServiceRecord
    product: CatalogueProductRecord | None


def require(catalogue: Catalogue | None) -> Catalogue:
    if catalogue is None:
        raise Conflict(NOT_SYNCED)
    return catalogue


def _named(items: Sequence[CatalogueServiceRecord | CatalogueProductRecord]) -> str:
    shown = ", ".join(f"{item.name} ({item.mews_id})" for item in items[:MAX_CHOICES])
    more = len(items) - MAX_CHOICES
    return shown + (f" and {more} more" if more > 0 else "")


def check_posting(
    catalogue: Catalogue, *, currency: str | None, service_id: str, product_id: str | None
) -> Posting:
    """The offering's posting, or Invalid naming what is wrong and what would fit."""
    hotel = catalogue.property
    chosen = currency or hotel.default_currency
    if chosen != hotel.default_currency:
        raise Invalid(
            f"currency {chosen} is not the hotel's: its prices are in {hotel.default_currency} "
            "(leave currency out to use it)"
        )
    service = catalogue.service(service_id)
    fitting = catalogue.chargeable_services()
    if service is None or service.kind != ADDITIONAL or not service.is_active:
        if service is None:
            why = "no service of this hotel in Mews"
        elif service.kind != ADDITIONAL:
            why = f"{service.name} is a {service.kind} service (stays), not an Additional one"
        else:
            why = f"{service.name} is deactivated in Mews"
        fits = (
            f"use one of: {_named(fitting)}"
            if fitting
            else "the hotel has no active Additional service in Mews"
        )
        raise Invalid(
            f"mews_service_id {service_id} cannot take charges: {why}; {fits}",
        )
    product = None
    if product_id is not None:
        product = catalogue.product(product_id)
        if product is None or product.service_mews_id != service.mews_id or not product.is_active:
            if product is None:
                why = "no product of this hotel in Mews"
            elif product.service_mews_id != service.mews_id:
                owner = catalogue.service(product.service_mews_id)
                why = f"{product.name} belongs to {owner.name if owner else 'another service'}"
            else:
                why = f"{product.name} is deactivated in Mews"
            products = catalogue.products_of(service.mews_id)
            fits = f"use one of: {_named(products)}, or none" if products else "leave it out"
            raise Invalid(
                f"mews_product_id {product_id} is not an active product of {service.name}: "
                f"{why}; {fits}"
            )
    return Posting(currency=chosen, service=service, product=product)

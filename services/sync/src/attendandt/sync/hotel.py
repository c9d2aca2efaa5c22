"""Each hotel as Mews knows it: `configuration/get`, `services/getAll` and `products/getAll`
become `UpsertProperty` (for guests: name, time zone, currency) and `UpsertCatalogue` (for
vendors: the services and products an offering may post to).

Read at start and every `SYNC_HOTEL_REFRESH_S` (Mews asks integrations to cache such static
configuration and refresh it rarely). A command's id is its content's version (the newest
UpdatedUtc and a digest), so a repeat is dropped by JetStream within its duplicate window and
by the consumer's inbox after it; a refresher also remembers what it last stored, so an
unchanged hotel publishes nothing new at all. A failed refresh (Mews, NATS, a configuration
that cannot be mapped) is logged, shown in sync health and tried again on the next one: it
never stops sync.

Names: Mews `Names` are localized (`{"en-US": "Spa"}`): the hotel's default language first,
then en-US, en-GB, then any (`localized`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar

import msgspec
from nats.js import JetStreamContext

from attendandt.contracts.base import Subject
from attendandt.contracts.commands import (
    UPSERT_CATALOGUE,
    UPSERT_PROPERTY,
    Command,
    UpsertCatalogue,
    UpsertProperty,
)
from attendandt.contracts.kv import SyncHealth
from attendandt.contracts.snapshots import CatalogueProduct, CatalogueService, PropertySnapshot
from attendandt.mews import MewsClient
from attendandt.mews.models import (
    ConfigurationGet,
    Enterprise,
    Product,
    ProductsGetAll,
    Service,
    ServicesGetAll,
)
from attendandt.platform.messaging import publish
from attendandt.sync.localized import localized
from attendandt.sync.mapping import Unmappable, utc_tag

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
C = TypeVar("C", bound=Command)
_PRICING: dict[str, Literal["gross", "net"]] = {"Gross": "gross", "Net": "net"}
_KINDS: dict[str, Literal["bookable", "additional"]] = {
    "Bookable": "bookable",
    "Additional": "additional",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


# --- mapping (pure) ------------------------------------------------------------------------


def property_snapshot(enterprise: Enterprise) -> PropertySnapshot:
    """What the platform keeps of a hotel. Without a time zone, a currency or a known pricing
    there is no hotel day, no price and no tax mode: Unmappable (the refresh fails, loudly)."""
    if not enterprise.time_zone_identifier:
        raise Unmappable(f"enterprise {enterprise.id} has no TimeZoneIdentifier")
    pricing = _PRICING.get(enterprise.pricing or "")
    if pricing is None:
        raise Unmappable(f"enterprise {enterprise.id} has an unknown Pricing {enterprise.pricing}")
    listed = [c for c in enterprise.currencies or () if c.currency]
    enabled = tuple(c.currency for c in listed if c.is_enabled is not False and c.currency)
    default = next((c.currency for c in listed if c.is_default and c.currency), None)
    default = default or (enabled[0] if enabled else None)
    if default is None:
        raise Unmappable(f"enterprise {enterprise.id} has no currency")
    address = enterprise.address
    return PropertySnapshot(
        enterprise_id=enterprise.id,
        name=enterprise.name or enterprise.short_name or enterprise.id,
        short_name=enterprise.short_name,
        time_zone=enterprise.time_zone_identifier,
        default_currency=default,
        currencies=enabled if default in enabled else (default, *enabled),
        pricing=pricing,
        default_language_code=enterprise.default_language_code,
        address_line1=address.line1 if address else None,
        city=address.city if address else None,
        postal_code=address.postal_code if address else None,
        country_code=address.country_code if address else None,
        chain_name=enterprise.chain_name,
        mews_updated_utc=enterprise.updated_utc,
    )


def service_entry(service: Service, language: str | None) -> CatalogueService | None:
    """None for a kind of service Mews may add later (neither stays nor additional)."""
    discriminator = service.data.discriminator if service.data is not None else service.type
    kind = _KINDS.get(discriminator or "")
    if kind is None:
        return None
    return CatalogueService(
        mews_id=service.id,
        name=localized(service.names, language) or service.name or service.id,
        kind=kind,
        is_active=service.is_active is not False,
        ordering=service.ordering or 0,
    )


def product_entry(
    product: Product, language: str | None, pricing: Literal["gross", "net"]
) -> CatalogueProduct | None:
    """None for a product that names no service (it could not be posted anywhere)."""
    if not product.service_id:
        return None
    price = product.price
    amount = None
    if price is not None:
        amount = price.gross_value if pricing == "gross" else price.net_value
    return CatalogueProduct(
        mews_id=product.id,
        service_mews_id=product.service_id,
        name=localized(product.names, language) or product.id,
        is_active=product.is_active is not False,
        unit_amount=amount,
        currency=price.currency if price is not None else None,
        accounting_category_mews_id=product.accounting_category_id,
    )


def newest(times: Iterable[datetime | None]) -> datetime | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


@dataclass(frozen=True)
class Hotel:
    """One read of a hotel's configuration, services and products."""

    property: PropertySnapshot
    services: tuple[CatalogueService, ...]
    products: tuple[CatalogueProduct, ...]
    #: The newest UpdatedUtc of all of it: the catalogue's Mews version.
    updated_utc: datetime | None


def hotel_of(
    enterprise: Enterprise, services: Sequence[Service], products: Sequence[Product]
) -> Hotel:
    prop = property_snapshot(enterprise)
    language = prop.default_language_code
    entries = [service_entry(s, language) for s in services]
    known = [s for s in entries if s is not None]
    ids = {s.mews_id for s in known}
    items = [product_entry(p, language, prop.pricing) for p in products]
    # Sorted: the digest (and so the command id) must not depend on Mews's paging order.
    return Hotel(
        property=prop,
        services=tuple(sorted(known, key=lambda s: s.mews_id)),
        products=tuple(
            sorted(
                (p for p in items if p is not None and p.service_mews_id in ids),
                key=lambda p: p.mews_id,
            )
        ),
        updated_utc=newest(
            [enterprise.updated_utc]
            + [s.updated_utc for s in services if s.id in ids]
            + [p.updated_utc for p in products if p.service_id in ids]
        ),
    )


def upsert_property(hotel: Hotel, issued_at: datetime) -> UpsertProperty:
    prop = hotel.property
    return UpsertProperty(
        command_id=f"property:{prop.enterprise_id}:{utc_tag(prop.mews_updated_utc, prop.digest())}",
        enterprise_id=prop.enterprise_id,
        issued_at=issued_at,
        property=prop,
    )


def upsert_catalogue(hotel: Hotel, issued_at: datetime) -> UpsertCatalogue:
    prop = hotel.property
    command = UpsertCatalogue(
        command_id="",
        enterprise_id=prop.enterprise_id,
        issued_at=issued_at,
        property=prop,
        services=hotel.services,
        products=hotel.products,
        mews_updated_utc=hotel.updated_utc,
    )
    version = utc_tag(hotel.updated_utc, command.content_digest())
    return msgspec.structs.replace(command, command_id=f"catalogue:{prop.enterprise_id}:{version}")


# --- the refresher -------------------------------------------------------------------------


class HotelRefresher:
    """Keeps one enterprise's property and catalogue current in the domain services."""

    def __init__(
        self,
        client: MewsClient,
        enterprise_id: str,
        js: JetStreamContext,
        health: SyncHealth,
        *,
        interval_s: float,
        clock: Clock = utc_now,
    ) -> None:
        self.client = client
        self.enterprise_id = enterprise_id
        self.js = js
        self.health = health
        self.interval_s = interval_s
        self.clock = clock
        #: The command ids last stored: an unchanged hotel is not published again.
        self._stored: dict[str, str] = {}

    async def read(self) -> Hotel:
        config = await self.client.get_configuration(
            ConfigurationGet(enterprise_id=self.enterprise_id)
        )
        if config.enterprise is None:
            raise Unmappable("configuration/get returned no enterprise")
        if config.enterprise.id != self.enterprise_id:
            raise Unmappable(
                f"configuration/get describes {config.enterprise.id}, not {self.enterprise_id}"
            )
        services = await self.client.get_services(
            ServicesGetAll(enterprise_ids=[self.enterprise_id])
        ).collect()
        products: list[Product] = []
        if services:
            # The client splits the ids into calls of at most 1000 (Mews's limit).
            request = ProductsGetAll(service_ids=sorted(s.id for s in services))
            products = await self.client.get_products(request).collect()
        return hotel_of(config.enterprise, services, products)

    async def refresh(self) -> int:
        """Read the hotel and store what changed; returns how many commands were stored."""
        hotel = await self.read()
        now = self.clock()
        stored = await self._store(UPSERT_PROPERTY, upsert_property(hotel, now))
        stored += await self._store(UPSERT_CATALOGUE, upsert_catalogue(hotel, now))
        self.health.property_name = hotel.property.name
        self.health.time_zone = hotel.property.time_zone
        self.health.configuration_synced_at = now
        self.health.configuration_error = None
        if stored:
            self.health.commands_published += stored
            log.info(
                "hotel %s: property and catalogue stored (%d services, %d products)",
                self.enterprise_id,
                len(hotel.services),
                len(hotel.products),
            )
        return stored

    async def _store(self, subject: Subject[C], command: C) -> int:
        """Store the command unless it is the one this refresher stored last time."""
        if self._stored.get(subject.template) == command.command_id:
            return 0
        await publish(self.js, subject, command, msg_id=command.command_id)
        self._stored[subject.template] = command.command_id
        return 1

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.refresh()
            except Exception as exc:
                # Never fatal: the platform keeps what it knew; the next refresh tries again.
                self.health.configuration_error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning(
                    "cannot refresh hotel %s; trying again in %.0f s",
                    self.enterprise_id,
                    self.interval_s,
                    exc_info=True,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)

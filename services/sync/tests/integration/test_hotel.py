"""Each hotel as Mews knows it: configuration, services and products → UpsertProperty and
UpsertCatalogue. The mapping on Mews's own shapes; the refresher on the simulator and a real
nats-server (commands stored once, an unchanged hotel not again, a failure retried)."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sync_support import health_of, wait_for

from attendandt.contracts.commands import UpsertCatalogue, UpsertProperty
from attendandt.contracts.kv import SyncHealth
from attendandt.contracts.streams import ensure_streams
from attendandt.mews.models import Configuration, Product, Service
from attendandt.sync.hotel import hotel_of, upsert_catalogue, upsert_property
from attendandt.sync.localized import localized
from attendandt.sync.mapping import Unmappable

#: The Spa products the simulator seeds for each hotel.
SPA_PRODUCTS = {"Massage 60 min", "Hot stone massage 90 min", "Sauna access", "Facial treatment"}

T = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)

CONFIGURATION = {
    "NowUtc": "2026-11-25T09:30:00Z",
    "Enterprise": {
        "Id": "ent-net",
        "Name": "Connector API Hotel (Net Pricing)",
        "ShortName": "CAH Net",
        "TimeZoneIdentifier": "America/New_York",
        "DefaultLanguageCode": "de-DE",
        "Pricing": "Net",
        "ChainName": "Connector Chain",
        "UpdatedUtc": "2026-11-20T10:00:00Z",
        "Address": {
            "Line1": "1 Sample Avenue NW",
            "City": "Washington",
            "PostalCode": "20001",
            "CountryCode": "US",
        },
        "Currencies": [
            {"Currency": "EUR", "IsDefault": False, "IsEnabled": True},
            {"Currency": "USD", "IsDefault": True, "IsEnabled": True},
            {"Currency": "GBP", "IsDefault": False, "IsEnabled": False},
        ],
    },
}
SERVICES = [
    {"Id": "svc-spa", "IsActive": True, "Names": {"en-US": "Spa", "de-DE": "Wellness"},
     "Ordering": 2, "UpdatedUtc": "2026-11-21T10:00:00Z",
     "Data": {"Discriminator": "Additional", "Value": {}}},
    {"Id": "svc-stay", "IsActive": True, "Names": {"en-GB": "Accommodation"},
     "UpdatedUtc": "2026-01-01T00:00:00Z", "Data": {"Discriminator": "Bookable", "Value": {}}},
    {"Id": "svc-future", "IsActive": True, "Names": {"en-US": "Something new"},
     "UpdatedUtc": "2026-12-31T00:00:00Z", "Data": {"Discriminator": "Teleport", "Value": {}}},
]  # fmt: skip
PRODUCTS = [
    {"Id": "p-sauna", "ServiceId": "svc-spa", "IsActive": False, "Names": {"fr-FR": "Sauna"},
     "UpdatedUtc": "2026-11-22T10:00:00Z", "AccountingCategoryId": "acc-spa",
     "Price": {"Currency": "USD", "NetValue": 20, "GrossValue": 23.2}},
    {"Id": "p-massage", "ServiceId": "svc-spa", "IsActive": True,
     "Names": {"en-US": "Massage 60 min"}, "UpdatedUtc": "2026-11-23T10:00:00Z",
     "Price": {"Currency": "USD", "NetValue": 80, "GrossValue": 92.8}},
    {"Id": "p-teleport", "ServiceId": "svc-future", "IsActive": True, "Names": {"en-US": "Beam"},
     "UpdatedUtc": "2026-12-31T00:00:00Z"},
]  # fmt: skip


def _decode(raw: Any, kind: type[Any]) -> Any:
    return msgspec.json.decode(msgspec.json.encode(raw), type=kind)


def _hotel(configuration: dict[str, Any] = CONFIGURATION, products: list[Any] = PRODUCTS) -> Any:
    config = _decode(configuration, Configuration)
    return hotel_of(
        config.enterprise,
        [_decode(s, Service) for s in SERVICES],
        [_decode(p, Product) for p in products],
    )


def test_the_hotel_is_read_as_mews_describes_it() -> None:
    hotel = _hotel()
    prop = hotel.property
    assert (prop.enterprise_id, prop.name, prop.short_name) == (
        "ent-net", "Connector API Hotel (Net Pricing)", "CAH Net",
    )  # fmt: skip
    assert (prop.time_zone, prop.pricing, prop.default_currency) == (
        "America/New_York", "net", "USD",
    )  # fmt: skip
    # Enabled currencies only; the default among them.
    assert prop.currencies == ("EUR", "USD")
    assert (prop.city, prop.country_code, prop.chain_name) == (
        "Washington",
        "US",
        "Connector Chain",
    )
    # Names: the hotel's language, then en-US, en-GB, then any.
    assert [(s.mews_id, s.name, s.kind) for s in hotel.services] == [
        ("svc-spa", "Wellness", "additional"),
        ("svc-stay", "Accommodation", "bookable"),
    ]
    assert [(p.mews_id, p.name, p.is_active) for p in hotel.products] == [
        ("p-massage", "Massage 60 min", True),
        ("p-sauna", "Sauna", False),
    ]
    massage = hotel.products[0]
    # A net-pricing hotel states its prices without tax.
    assert (massage.unit_amount, massage.currency) == (Decimal("80"), "USD")
    assert hotel.products[1].accounting_category_mews_id == "acc-spa"
    # The version: the newest UpdatedUtc of what was kept (the unknown service is not).
    assert hotel.updated_utc == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_an_unchanged_hotel_gets_the_same_command_ids_and_a_changed_one_new_ones() -> None:
    first, again = _hotel(), _hotel()
    assert upsert_property(first, T).command_id == upsert_property(again, T).command_id
    later = datetime(2026, 12, 1, tzinfo=UTC)
    assert upsert_catalogue(first, T).command_id == upsert_catalogue(again, later).command_id
    repriced = [dict(p) for p in PRODUCTS]
    repriced[1] = {**repriced[1], "Price": {"Currency": "USD", "NetValue": 85}}
    changed = _hotel(products=repriced)
    # Same UpdatedUtc (Mews stamps whole seconds), other content: another version.
    assert changed.updated_utc == first.updated_utc
    assert upsert_catalogue(changed, T).command_id != upsert_catalogue(first, T).command_id
    assert upsert_property(changed, T).command_id == upsert_property(first, T).command_id
    command = upsert_catalogue(first, T)
    assert command.command_id.startswith("catalogue:ent-net:2026-11-23T10:00:00+00:00:")
    assert command.command_id.endswith(command.content_digest())


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"TimeZoneIdentifier": None}, "TimeZoneIdentifier"),
        ({"Pricing": "Mixed"}, "Pricing"),
        ({"Currencies": []}, "currency"),
    ],
)
def test_a_hotel_without_zone_pricing_or_currency_cannot_be_mapped(
    change: dict[str, Any], reason: str
) -> None:
    broken = {**CONFIGURATION, "Enterprise": {**CONFIGURATION["Enterprise"], **change}}
    with pytest.raises(Unmappable, match=reason):
        _hotel(broken)


def test_localized_names() -> None:
    assert localized({"en-GB": "Spa", "cs-CZ": "Lázně"}, "cs-CZ") == "Lázně"
    assert localized({"en-GB": "Spa", "en-US": "Spa (US)"}, "de-DE") == "Spa (US)"
    assert localized({"fr-FR": "Bain", "de-DE": "Bad"}, None) == "Bad"
    assert localized({}, "en-US") is None


# --- on the simulator ------------------------------------------------------------------------


async def _stored(js: JetStreamContext, subject: str, kind: type[Any]) -> list[Any]:
    try:
        info = await js.stream_info("DOMAIN_COMMANDS", subjects_filter=subject)
    except NotFoundError:
        return []
    if not info.state.subjects:
        return []
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        with contextlib.suppress(NotFoundError):
            msg = await js.get_msg("DOMAIN_COMMANDS", seq)
            if msg.subject == subject:
                found.append(msgspec.json.decode(msg.data or b"", type=kind))
    return found


async def _synced(
    js: JetStreamContext, enterprise_id: str, after: datetime | None = None
) -> datetime | None:
    """When the hotel was last read, once that is later than `after`."""
    health = await health_of(js, enterprise_id)
    synced = health.configuration_synced_at if health else None
    return synced if synced and (after is None or synced > after) else None


async def test_the_simulated_hotel_reaches_the_command_stream_once(
    mews_sim: Any, jetstream: JetStreamContext, start_sync: Any
) -> None:
    await ensure_streams(jetstream)
    gross = mews_sim.gross.id
    await start_sync(hotel_refresh_s=0.2, health_interval_s=0.1)

    async def both() -> tuple[list[UpsertProperty], list[UpsertCatalogue]] | None:
        props = await _stored(jetstream, "cmd.v1.guests.upsert_property", UpsertProperty)
        catalogues = await _stored(jetstream, "cmd.v1.vendors.upsert_catalogue", UpsertCatalogue)
        return (props, catalogues) if props and catalogues else None

    [prop_command], [catalogue] = await wait_for(both, what="the hotel's two commands")
    prop = prop_command.property
    assert prop_command.enterprise_id == prop.enterprise_id == gross
    assert prop.name == mews_sim.gross.name  # the simulator's own name for it
    assert (prop.time_zone, prop.default_currency, prop.pricing) == (
        "Europe/London",
        "GBP",
        "gross",
    )
    assert set(prop.currencies) == {"GBP", "EUR", "USD"}
    assert catalogue.property == prop
    spa = next(s for s in catalogue.services if s.name == "Spa")
    assert (spa.kind, spa.is_active) == ("additional", True)
    assert {s.name: s.kind for s in catalogue.services}["Accommodation"] == "bookable"
    spa_products = {p.name: p for p in catalogue.products if p.service_mews_id == spa.mews_id}
    assert set(spa_products) == SPA_PRODUCTS
    massage = spa_products["Massage 60 min"]
    assert (massage.unit_amount, massage.currency) == (Decimal("80.00"), "GBP")
    assert massage.accounting_category_mews_id

    # Refreshed again and again, the unchanged hotel is stored no more.
    first = await wait_for(lambda: _synced(jetstream, gross), what="sync health")
    second = await wait_for(lambda: _synced(jetstream, gross, after=first), what="a refresh")
    await wait_for(lambda: _synced(jetstream, gross, after=second), what="another refresh")
    assert len(await _stored(jetstream, "cmd.v1.guests.upsert_property", UpsertProperty)) == 1
    assert len(await _stored(jetstream, "cmd.v1.vendors.upsert_catalogue", UpsertCatalogue)) == 1
    health = await health_of(jetstream, gross)
    assert health is not None
    assert (health.property_name, health.time_zone) == (prop.name, "Europe/London")
    assert health.configuration_error is None


async def test_a_failed_read_is_logged_shown_and_retried_without_stopping_sync(
    mews_sim: Any, jetstream: JetStreamContext, start_sync: Any, caplog: pytest.LogCaptureFixture
) -> None:
    await ensure_streams(jetstream)
    gross = mews_sim.gross.id
    # As many failures as the client tries a read: the first refresh fails as a whole.
    mews_sim.control.fail_next(5, status=503, path="services/getAll")
    caplog.set_level(logging.WARNING, logger="attendandt.sync.hotel")
    app = await start_sync(hotel_refresh_s=1.0, health_interval_s=0.1)

    async def failure_shown() -> SyncHealth | None:
        health = await health_of(jetstream, gross)
        return health if health and health.configuration_error else None

    failed = await wait_for(failure_shown, what="the failure in sync health")
    assert "MewsServerError" in (failed.configuration_error or "")
    assert failed.configuration_synced_at is None
    assert any("cannot refresh hotel" in r.getMessage() for r in caplog.records)

    async def stored_on_retry() -> list[UpsertCatalogue] | None:
        found = await _stored(jetstream, "cmd.v1.vendors.upsert_catalogue", UpsertCatalogue)
        return found or None

    await wait_for(stored_on_retry, what="the catalogue on the next refresh")

    async def recovered() -> bool:
        health = await health_of(jetstream, gross)
        return bool(health and health.configuration_synced_at and not health.configuration_error)

    await wait_for(recovered, what="the error cleared")
    assert app.ready.is_set()
    assert (await app.readiness())["mews"] is True

"""A hotel as the simulator's Mews describes it reaches guests and vendors, every process real:
sync, guests and vendors run as their own processes (`python -m ...`) on the simulator, a
real nats-server and Postgres; the test asks the services as the gateway would."""

from __future__ import annotations

import sys
from decimal import Decimal
from importlib.metadata import entry_points
from typing import Any

import pytest
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sync_support import wait_for

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import ensure_streams
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.rpc import RpcFailure, RpcTimeout, call
from attendandt.testing.nats_accounts import nats_env
from attendandt.testing.processes import spawn, stop

#: The Spa products the simulator seeds for each hotel.
SPA_PRODUCTS = {"Massage 60 min", "Hot stone massage 90 min", "Sauna access", "Facial treatment"}

pytestmark = pytest.mark.slow


async def _database(database_url: str, service: str) -> str:
    [entry] = [e for e in entry_points(group="attendandt.migrations") if e.name == service]
    await provision(database_url, schema=service, role=service, password=None)
    url = role_url(database_url, service)
    await upgrade(url, entry.load().script_location, service)
    return url


def _env(mews_sim: Any, nats_url: str) -> dict[str, str]:
    import os

    token = mews_sim.gross.token
    return {
        **os.environ,
        **nats_env(nats_url),
        "MEWS_BASE_URL": mews_sim.base_url,
        "MEWS_CLIENT_TOKEN": token.client_token,
        "MEWS_ACCESS_TOKENS": token.access_token,
        "HEALTH_PORT": "0",
        "LOG_LEVEL": "WARNING",
    }


def _staff(*enterprises: str, role: UserRole = UserRole.MANAGER) -> Caller:
    return Caller(user_id=f"u-{role.value}", role=role, enterprise_ids=enterprises)


async def test_the_simulated_hotel_reaches_guests_and_vendors(
    mews_sim: Any,
    nats_url: str,
    nats_client: NatsClient,
    database_url: str,
    jetstream: JetStreamContext,
) -> None:
    await ensure_streams(jetstream)
    gross = mews_sim.gross.id
    env = _env(mews_sim, nats_url)
    guests = spawn(
        [sys.executable, "-m", "attendandt.guests", "serve"],
        env={**env, "DATABASE_URL": await _database(database_url, "guests")},
    )
    vendors = spawn(
        [sys.executable, "-m", "attendandt.vendors", "serve"],
        env={**env, "DATABASE_URL": await _database(database_url, "vendors")},
    )
    sync = spawn([sys.executable, "-m", "attendandt.sync", "serve"], env=env)
    try:
        staff = _staff(gross)

        async def listed() -> Any:
            try:
                found = await call(
                    nats_client, guests_rpc.LIST_PROPERTIES, guests_rpc.ListPropertiesRequest(),
                    caller=staff,
                )  # fmt: skip
            except RpcTimeout:
                return None  # guests is still starting
            return found.items or None

        [hotel] = await wait_for(listed, timeout=60, what="the hotel in guests")
        assert (hotel.enterprise_id, hotel.name) == (gross, mews_sim.gross.name)
        assert (hotel.time_zone, hotel.default_currency, hotel.pricing) == (
            "Europe/London", "GBP", "gross",
        )  # fmt: skip
        assert (hotel.city, hotel.country_code) == ("London", "GB")
        # Scoped to the caller: another property's staff see none, a portfolio user all.
        others = await call(
            nats_client, guests_rpc.LIST_PROPERTIES, guests_rpc.ListPropertiesRequest(),
            caller=_staff("another-hotel"),
        )  # fmt: skip
        assert others.items == ()
        portfolio = Caller(user_id="u-admin", role=UserRole.ADMIN)
        everyone = await call(
            nats_client, guests_rpc.LIST_PROPERTIES, guests_rpc.ListPropertiesRequest(),
            caller=portfolio,
        )  # fmt: skip
        assert [p.enterprise_id for p in everyone.items] == [gross]

        async def catalogue() -> vendors_rpc.CatalogueResponse | None:
            try:
                return await call(
                    nats_client, vendors_rpc.GET_CATALOGUE,
                    vendors_rpc.GetCatalogueRequest(enterprise_id=gross), caller=staff,
                )  # fmt: skip
            except (RpcFailure, RpcTimeout):
                return None  # not started, or the catalogue not there yet (409)

        found = await wait_for(catalogue, timeout=60, what="the catalogue in vendors")
        assert (found.default_currency, found.pricing) == ("GBP", "gross")
        spa = next(s for s in found.services if s.name == "Spa")
        assert (spa.kind, spa.is_active) == ("additional", True)
        products = {p.name: p for p in spa.products}
        assert set(products) == SPA_PRODUCTS
        assert products["Massage 60 min"].unit_amount == Decimal("80.00")

        # An offering on the hotel's Spa, in the hotel's currency by default.
        vendor = await call(
            nats_client, vendors_rpc.CREATE_VENDOR,
            vendors_rpc.CreateVendorRequest(enterprise_id=gross, name="Lagoon Spa", category="spa"),
            caller=staff,
        )  # fmt: skip
        offering = await call(
            nats_client, vendors_rpc.CREATE_OFFERING,
            vendors_rpc.CreateOfferingRequest(
                vendor_id=vendor.vendor.vendor_id, name="Massage 60 min",
                unit_price=Decimal("80.00"), mews_service_id=spa.mews_id,
                mews_product_id=products["Massage 60 min"].mews_id,
            ),
            caller=staff,
        )  # fmt: skip
        assert (offering.offering.currency, offering.offering.mews_service_id) == (
            "GBP", spa.mews_id,
        )  # fmt: skip
        assert offering.offering.accounting_category_id == (
            products["Massage 60 min"].accounting_category_id
        )
    finally:
        stop(sync)
        stop(vendors)
        stop(guests)

"""Unit tests (no I/O): settings from the environment, the permission table's promises, the
event filter."""

from __future__ import annotations

import logging

import pytest
from gateway_testkit import ENT, PRINCIPALS

from attendandt.contracts.snapshots import UserRole
from attendandt.gateway.events import visible
from attendandt.gateway.permissions import ROLE_PERMISSIONS, Permission, allowed
from attendandt.gateway.settings import GatewaySettings
from attendandt.platform.settings import SettingsError


def test_settings_defaults_and_production(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    dev = GatewaySettings.from_env({})
    assert (dev.host, dev.port, dev.health_port) == ("127.0.0.1", 8000, None)
    assert dev.external_jwt.audience == "authenticated"
    assert not dev.external_jwt.enabled
    assert len(dev.signing_key) >= 32
    assert "GATEWAY_SIGNING_KEY" in caplog.text
    assert GatewaySettings.from_env({}).signing_key != dev.signing_key

    prod = GatewaySettings.from_env({
        "ATTENDANDT_ENV": "production", "GATEWAY_SIGNING_KEY": "p" * 40, "HEALTH_PORT": "8080",
        "JWKS_URL": "https://x.supabase.co/auth/v1/.well-known/jwks.json",
        "JWT_ISSUER": "https://x.supabase.co/auth/v1", "CORS_ORIGINS": "https://a, https://b",
        "RPC_TIMEOUT_S": "1.5", "WEB_DIST": "/srv/web",
    })  # fmt: skip
    assert (prod.host, prod.health_host, prod.health_port) == ("0.0.0.0", "0.0.0.0", 8080)
    assert prod.cors_origins == ("https://a", "https://b")
    assert prod.rpc_timeout_s == 1.5
    assert prod.external_jwt.issuer == "https://x.supabase.co/auth/v1"
    assert str(prod.web_dist) == "/srv/web"


def test_settings_refuse_short_keys() -> None:
    with pytest.raises(SettingsError, match="GATEWAY_SIGNING_KEY is not set"):
        GatewaySettings.from_env({"ATTENDANDT_ENV": "production"})
    with pytest.raises(SettingsError, match="GATEWAY_SIGNING_KEY"):
        GatewaySettings.from_env({"GATEWAY_SIGNING_KEY": "short"})
    with pytest.raises(SettingsError, match="JWT_SECRET"):
        GatewaySettings.from_env({"GATEWAY_SIGNING_KEY": "k" * 40, "JWT_SECRET": "short"})


def test_the_table_keeps_its_promises() -> None:
    vendor = ROLE_PERMISSIONS[UserRole.VENDOR]
    assert Permission.GUESTS_CONTACT_READ not in vendor
    assert all(p.value.endswith(":own") or p in {Permission.GUESTS_READ, Permission.SELF_READ,
               Permission.EVENTS_READ} for p in vendor)  # fmt: skip
    assert ROLE_PERMISSIONS[UserRole.FRONT_DESK] < ROLE_PERMISSIONS[UserRole.MANAGER]
    assert ROLE_PERMISSIONS[UserRole.MANAGER] < ROLE_PERMISSIONS[UserRole.ADMIN]
    assert ROLE_PERMISSIONS[UserRole.ADMIN] == set(Permission) - {
        p for p in Permission if p.value.endswith(":own")
    }
    # A route naming nothing is closed to everyone.
    assert not any(allowed(role, {}) for role in UserRole)


def test_event_filter() -> None:
    vendor = PRINCIPALS[UserRole.VENDOR]
    desk = PRINCIPALS[UserRole.FRONT_DESK]
    booking = {"event": "requested", "booking": {"vendor_id": "v-1"}}
    other = {"event": "requested", "booking": {"vendor_id": "v-2"}}
    subject = f"attendandt.v1.{ENT}.booking.requested"
    assert visible(vendor, subject, booking) == booking
    assert visible(vendor, subject, other) is None
    assert visible(desk, subject, other) == other
    assert visible(desk, "attendandt.v1.another.booking.requested", other) is None
    assert visible(desk, f"attendandt.v2.{ENT}.user.updated", {"user": {}}) is None
    assert visible(PRINCIPALS[UserRole.ADMIN], f"attendandt.v2.{ENT}.user.updated", {}) == {}
    # The restricted family never reaches the live stream, whoever asks.
    restricted = f"attendandt.restricted.v1.{ENT}.guest.updated"
    assert visible(PRINCIPALS[UserRole.ADMIN], restricted, {"guest": {}}) is None
    # A vendor learns that a guest or stay changed (to refresh), not whose or which room.
    guest = {"event": "updated", "guest_id": "g-9", "guest": {"last_name": "Lovelace"}}
    assert visible(vendor, f"attendandt.v1.{ENT}.guest.updated", guest) == {
        "event": "updated",
        "guest_id": "g-9",
    }
    stay = {"event": "checked_in", "stay_id": "s-9", "guest_ids": ["g-9"],
            "stay": {"resource_name": "101"}}  # fmt: skip
    assert visible(vendor, f"attendandt.v1.{ENT}.stay.checked_in", stay) == {
        "event": "checked_in",
        "stay_id": "s-9",
        "guest_ids": ["g-9"],
    }
    assert visible(desk, f"attendandt.v1.{ENT}.invoice.sent", {}) is None
    assert visible(desk, "something.else", {}) is None

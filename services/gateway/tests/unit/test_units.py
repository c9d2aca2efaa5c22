"""Unit tests (no I/O): settings from the environment, the permission table's promises, the
event filter."""

from __future__ import annotations

import logging

import msgspec
import pytest
from gateway_testkit import ENT, PRINCIPALS

from attendandt.contracts.events import StayEvent
from attendandt.contracts.examples import EXAMPLES
from attendandt.contracts.rpc.users import Principal
from attendandt.contracts.snapshots import UserRole
from attendandt.gateway.clients import ClientResolver, ForwardedHeader, parse_networks
from attendandt.gateway.events import decode_event, visible
from attendandt.gateway.permissions import ROLE_PERMISSIONS, Permission, allowed, caller_of
from attendandt.gateway.settings import GatewaySettings
from attendandt.gateway.signin_limits import client_key
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
               Permission.EVENTS_READ, Permission.PROPERTIES_READ} for p in vendor)  # fmt: skip
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
    # A property's sync alert: whoever may read its sync status.
    alert = {"event": "alert", "state": "raised", "reasons": ["silence"]}
    alert_subject = f"attendandt.v1.{ENT}.sync.alert"
    assert visible(PRINCIPALS[UserRole.ADMIN], alert_subject, alert) == alert
    assert visible(vendor, alert_subject, alert) is None
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


def test_sign_in_limit_settings_from_the_environment() -> None:
    settings = GatewaySettings.from_env({
        "FORWARDED_ALLOW_IPS": "10.0.0.0/8, 127.0.0.1, fd00::/8", "FORWARDED_HEADER": "Forwarded",
        "LOGIN_ACCOUNT_LIMIT": "7", "LOGIN_LOCKOUT_AFTER": "3",
        "REFRESH_RATE_LIMIT_PER_MINUTE": "9",
    })  # fmt: skip
    assert [str(n) for n in settings.forwarded_allow] == ["10.0.0.0/8", "127.0.0.1/32", "fd00::/8"]
    assert settings.forwarded_header == "forwarded"
    limits = settings.rate_limits
    assert (limits.login_per_account.limit, limits.login_per_account.per_s) == (7, 900.0)
    assert (limits.lockout_after, limits.refresh_per_client.limit) == (3, 9)
    assert GatewaySettings.from_env({}).forwarded_allow == ()
    for bad in (
        {"FORWARDED_ALLOW_IPS": "10.0.0.0/8, proxy.local"},
        {"FORWARDED_HEADER": "x-real-ip"},
        {"LOGIN_RATE_LIMIT_PER_MINUTE": "0"},
        {"LOGIN_LOCKOUT_S": "600", "LOGIN_LOCKOUT_MAX_S": "60"},
    ):
        with pytest.raises(SettingsError):
            GatewaySettings.from_env(bad)


@pytest.mark.parametrize(
    ("peer", "header", "values", "client"),
    [
        # Not from a proxy of ours: the peer, whatever it forwards.
        ("198.51.100.1", "x-forwarded-for", ["1.2.3.4"], "198.51.100.1"),
        # The right-most address that is not ours; what the client wrote is to its left.
        ("10.0.0.2", "x-forwarded-for", ["6.6.6.6, 203.0.113.9, 10.0.0.3"], "203.0.113.9"),
        ("10.0.0.2", "x-forwarded-for", ["6.6.6.6", "203.0.113.9:5555"], "203.0.113.9"),
        ("10.0.0.2", "x-forwarded-for", ["[2001:db8::1]:443"], "2001:db8::1"),
        # Every hop ours: the left-most; nothing forwarded: the peer.
        ("10.0.0.2", "x-forwarded-for", ["10.0.0.9, 10.0.0.3"], "10.0.0.9"),
        ("10.0.0.2", "x-forwarded-for", [], "10.0.0.2"),
        # What a proxy wrote that is not an address is still that client's label.
        ("10.0.0.2", "x-forwarded-for", ["1.2.3.4, unknown"], "unknown"),
        ("10.0.0.2", "forwarded", ['for=6.6.6.6, for="[2001:db8::7]:80";proto=https'],
         "2001:db8::7"),
        # A header the proxy does not write is not read.
        ("10.0.0.2", "forwarded", [], "10.0.0.2"),
    ],
)  # fmt: skip
def test_the_client_behind_trusted_proxies(
    peer: str, header: str, values: list[str], client: str
) -> None:
    kind: ForwardedHeader = "forwarded" if header == "forwarded" else "x-forwarded-for"
    resolver = ClientResolver(parse_networks("10.0.0.0/8"), kind)
    headers = [(header, value) for value in values]
    if header == "forwarded":  # a decoy the proxy does not maintain
        headers.append(("x-forwarded-for", "9.9.9.9"))
    assert resolver.client(peer, headers) == client


def test_clients_are_keyed_by_address_and_ipv6_by_its_64() -> None:
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::2")
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:198.51.100.7") == client_key("198.51.100.7") == "198.51.100.7"
    assert client_key(None) == "unknown"


def test_the_caller_carries_the_table_and_the_properties() -> None:
    """What every call made for a user tells the services: the table's answer for its role,
    its property (none of its own: every property; a vendor user without one: none)."""
    desk = caller_of(PRINCIPALS[UserRole.FRONT_DESK])
    assert set(desk.permissions) == {p.value for p in ROLE_PERMISSIONS[UserRole.FRONT_DESK]}
    assert desk.can("bookings:create")
    assert not desk.can("charges:retry")
    assert (desk.user_id, desk.role, desk.enterprise_ids, desk.vendor_id) == (
        "u-desk", UserRole.FRONT_DESK, (ENT,), None,
    )  # fmt: skip
    vendor = caller_of(PRINCIPALS[UserRole.VENDOR])
    assert (vendor.enterprise_ids, vendor.vendor_id) == ((ENT,), "v-1")
    portfolio = Principal(user_id="u-root", email="r@x.example", name="Root", role=UserRole.ADMIN)
    assert caller_of(portfolio).enterprise_ids is None
    assert caller_of(portfolio).may_act_for("any-hotel")
    stray = replace_enterprise(PRINCIPALS[UserRole.VENDOR], None)
    assert caller_of(stray).enterprise_ids == ()
    assert visible(stray, f"attendandt.v1.{ENT}.booking.requested", {"booking": {}}) is None


def replace_enterprise(principal: Principal, enterprise_id: str | None) -> Principal:
    return msgspec.structs.replace(principal, enterprise_id=enterprise_id)


def test_an_event_reaches_the_filter_only_as_its_contract_decodes_it() -> None:
    stay = next(e for e in EXAMPLES if isinstance(e, StayEvent))
    subject = f"attendandt.v1.{ENT}.stay.{stay.event}"
    data = msgspec.json.encode(stay)
    assert decode_event(subject, data) == msgspec.to_builtins(stay)
    # A field the contract does not know is not passed on.
    extra = msgspec.json.decode(data) | {"passport": "X1234567"}
    decoded = decode_event(subject, msgspec.json.encode(extra))
    assert decoded is not None
    assert "passport" not in decoded
    # A body that does not match: nothing shown.
    missing = {k: v for k, v in msgspec.json.decode(data).items() if k != "stay"}
    assert decode_event(subject, msgspec.json.encode(missing)) is None
    assert decode_event(subject, msgspec.json.encode(extra | {"stay": 3})) is None
    assert decode_event(subject, b"not json") is None
    assert decode_event(subject, b"[1, 2]") is None
    # No contract for the subject: nothing shown.
    assert decode_event(f"attendandt.v1.{ENT}.invoice.sent", data) is None
    assert decode_event(f"attendandt.restricted.v1.{ENT}.guest.updated", data) is None

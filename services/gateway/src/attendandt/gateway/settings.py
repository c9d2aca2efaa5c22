"""The gateway's settings, built from the environment when asked (never at import time)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from attendandt.gateway.clients import ForwardedHeader, Network, parse_networks
from attendandt.platform.settings import (
    NatsSettings,
    ObservabilitySettings,
    SettingsError,
    env_float,
    env_int,
)

log = logging.getLogger(__name__)

#: The issuer (and audience) of the access tokens the gateway signs itself after a legacy
#: sign-in; never the issuer of external (Supabase-style) tokens.
GATEWAY_ISSUER = "attendandt-gateway"
#: HS256 keys shorter than this are guessable offline from one token.
MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class ExternalJwtSettings:
    """Supabase-compatible tokens: HS256 with the project's secret and/or RS256/ES256 keys
    from a JWKS URL. Neither set: only the legacy login works."""

    hs256_secret: str | None = None
    jwks_url: str | None = None
    #: Empty: the `iss` claim must be present but any value is accepted.
    issuer: str | None = None
    audience: str = "authenticated"
    #: Clock skew tolerated on exp / iat / nbf.
    leeway_s: float = 30.0
    #: How long fetched JWKS keys are trusted before they are fetched again.
    jwks_ttl_s: float = 600.0

    @property
    def enabled(self) -> bool:
        return bool(self.hs256_secret or self.jwks_url)


@dataclass(frozen=True)
class Window:
    """At most `limit` attempts in any `per_s` seconds (a sliding window)."""

    limit: int
    per_s: float = 60.0

    def __post_init__(self) -> None:
        if self.limit < 1 or self.per_s <= 0:
            raise SettingsError("a rate limit needs limit >= 1 and a window > 0 seconds")


@dataclass(frozen=True)
class RateLimits:
    """The API's limit (per process, per client address) and the sign-in limits (shared by
    every replica in NATS KV; see signin_limits)."""

    #: Requests per minute per client address on the API.
    api_per_minute: int = 600
    #: Login attempts per minute per client address.
    login_per_minute: int = 10
    #: Login attempts per account (normalised email), from any address.
    login_per_account: Window = field(default_factory=lambda: Window(30, 900.0))
    refresh_per_minute: int = 60
    logout_per_minute: int = 30
    set_password_per_minute: int = 10
    #: Failed sign-ins in a row, from one address to one account, that lock that address
    #: out of that account for `lockout_s`, doubling each time up to `lockout_max_s`.
    lockout_after: int = 5
    lockout_s: float = 60.0
    lockout_max_s: float = 900.0
    #: Failures and lockouts of an account and address quiet for this long are forgotten.
    lockout_memory_s: float = 3600.0

    @property
    def login_per_client(self) -> Window:
        return Window(self.login_per_minute)

    @property
    def refresh_per_client(self) -> Window:
        return Window(self.refresh_per_minute)

    @property
    def logout_per_client(self) -> Window:
        return Window(self.logout_per_minute)

    @property
    def set_password_per_client(self) -> Window:
        return Window(self.set_password_per_minute)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RateLimits:
        limits = cls(
            api_per_minute=env_int(env, "RATE_LIMIT_PER_MINUTE", 600),
            login_per_minute=env_int(env, "LOGIN_RATE_LIMIT_PER_MINUTE", 10),
            login_per_account=Window(
                env_int(env, "LOGIN_ACCOUNT_LIMIT", 30),
                env_float(env, "LOGIN_ACCOUNT_WINDOW_S", 900.0),
            ),
            refresh_per_minute=env_int(env, "REFRESH_RATE_LIMIT_PER_MINUTE", 60),
            logout_per_minute=env_int(env, "LOGOUT_RATE_LIMIT_PER_MINUTE", 30),
            set_password_per_minute=env_int(env, "SET_PASSWORD_RATE_LIMIT_PER_MINUTE", 10),
            lockout_after=env_int(env, "LOGIN_LOCKOUT_AFTER", 5),
            lockout_s=env_float(env, "LOGIN_LOCKOUT_S", 60.0),
            lockout_max_s=env_float(env, "LOGIN_LOCKOUT_MAX_S", 900.0),
        )
        for name in ("login", "refresh", "logout", "set_password"):
            getattr(limits, f"{name}_per_client")  # each validates itself
        if limits.lockout_after < 1 or not 0 < limits.lockout_s <= limits.lockout_max_s:
            raise SettingsError(
                "LOGIN_LOCKOUT_AFTER must be >= 1 and 0 < LOGIN_LOCKOUT_S <= LOGIN_LOCKOUT_MAX_S"
            )
        return limits


@dataclass(frozen=True)
class GatewaySettings:
    signing_key: str
    host: str = "127.0.0.1"
    port: int = 8000
    nats: NatsSettings = field(default_factory=NatsSettings)
    observability: ObservabilitySettings = field(
        default_factory=lambda: ObservabilitySettings(service="gateway")
    )
    external_jwt: ExternalJwtSettings = field(default_factory=ExternalJwtSettings)
    cors_origins: tuple[str, ...] = ()
    #: Default timeout of a request-reply call to a domain service.
    rpc_timeout_s: float = 5.0
    access_token_ttl_s: int = 900
    #: How long a looked-up principal is reused before asking the users service again; a
    #: user event (deactivation, role change) drops it at once.
    principal_cache_s: float = 30.0
    rate_limits: RateLimits = field(default_factory=RateLimits)
    #: Proxies whose forwarded headers are believed (FORWARDED_ALLOW_IPS); empty: none, the
    #: direct peer is the client. See clients.py.
    forwarded_allow: tuple[Network, ...] = ()
    #: The one header those proxies write: x-forwarded-for or forwarded (RFC 7239).
    forwarded_header: ForwardedHeader = "x-forwarded-for"
    web_dist: Path | None = None
    #: The probes' port (/healthz, /readyz); None: no separate health server.
    health_host: str = "127.0.0.1"
    health_port: int | None = None
    #: Keep-alive comments on the event stream, so proxies do not cut an idle one.
    sse_keepalive_s: float = 15.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GatewaySettings:
        observability = ObservabilitySettings.from_env(env, "gateway")
        production = observability.environment == "production"
        signing_key = env.get("GATEWAY_SIGNING_KEY", "")
        if not signing_key and production:
            raise SettingsError(
                "GATEWAY_SIGNING_KEY is not set: in production every replica must sign with the "
                "same key, kept across restarts (at least 32 random bytes, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        if not signing_key:
            # Tokens signed with a random key die with the process and are not shared by
            # replicas: users sign in again after a restart. Set the key in deployments.
            log.warning(
                "GATEWAY_SIGNING_KEY is not set: using a random key for this process; "
                "legacy sign-ins end at restart and are not shared between replicas"
            )
            signing_key = secrets.token_urlsafe(48)
        elif len(signing_key.encode()) < MIN_KEY_BYTES:
            raise SettingsError(f"GATEWAY_SIGNING_KEY must be at least {MIN_KEY_BYTES} bytes")
        jwt_secret = env.get("JWT_SECRET") or None
        if jwt_secret is not None and len(jwt_secret.encode()) < MIN_KEY_BYTES:
            raise SettingsError(f"JWT_SECRET must be at least {MIN_KEY_BYTES} bytes")
        web_dist = env.get("WEB_DIST", "web/dist")
        health_port = env.get("HEALTH_PORT")
        return cls(
            signing_key=signing_key,
            host=env.get("GATEWAY_HOST") or ("0.0.0.0" if production else "127.0.0.1"),  # noqa: S104
            port=env_int(env, "GATEWAY_PORT", 8000),
            nats=NatsSettings.from_env(env),
            observability=observability,
            external_jwt=ExternalJwtSettings(
                hs256_secret=jwt_secret,
                jwks_url=env.get("JWKS_URL") or None,
                issuer=env.get("JWT_ISSUER") or None,
                audience=env.get("JWT_AUDIENCE") or "authenticated",
            ),
            cors_origins=tuple(
                o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip()
            ),
            rpc_timeout_s=env_float(env, "RPC_TIMEOUT_S", 5.0),
            access_token_ttl_s=env_int(env, "ACCESS_TOKEN_TTL_S", 900),
            principal_cache_s=env_float(env, "PRINCIPAL_CACHE_S", 30.0),
            rate_limits=RateLimits.from_env(env),
            forwarded_allow=_forwarded_allow(env),
            forwarded_header=_forwarded_header(env),
            web_dist=Path(web_dist) if web_dist else None,
            health_host=env.get("HEALTH_HOST") or ("0.0.0.0" if production else "127.0.0.1"),  # noqa: S104
            health_port=int(health_port) if health_port else None,
        )


def _forwarded_allow(env: Mapping[str, str]) -> tuple[Network, ...]:
    try:
        return parse_networks(env.get("FORWARDED_ALLOW_IPS", ""))
    except ValueError as exc:
        raise SettingsError(f"FORWARDED_ALLOW_IPS: {exc}") from exc


def _forwarded_header(env: Mapping[str, str]) -> ForwardedHeader:
    value = (env.get("FORWARDED_HEADER") or "x-forwarded-for").strip().lower()
    if value == "x-forwarded-for":
        return "x-forwarded-for"
    if value == "forwarded":
        return "forwarded"
    raise SettingsError("FORWARDED_HEADER must be x-forwarded-for or forwarded")

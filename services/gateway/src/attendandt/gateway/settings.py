"""The gateway's settings, built from the environment when asked (never at import time)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

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
class RateLimits:
    #: Requests per minute per client address on the API.
    api_per_minute: int = 600
    #: Sign-in and refresh attempts per minute per client address.
    login_per_minute: int = 10


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
    #: A resync sweeps Mews for a while: its own, long timeout.
    resync_timeout_s: float = 300.0
    access_token_ttl_s: int = 900
    #: How long a looked-up principal is reused before asking the users service again; a
    #: user event (deactivation, role change) drops it at once.
    principal_cache_s: float = 30.0
    rate_limits: RateLimits = field(default_factory=RateLimits)
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
            resync_timeout_s=env_float(env, "RESYNC_TIMEOUT_S", 300.0),
            access_token_ttl_s=env_int(env, "ACCESS_TOKEN_TTL_S", 900),
            principal_cache_s=env_float(env, "PRINCIPAL_CACHE_S", 30.0),
            rate_limits=RateLimits(
                api_per_minute=env_int(env, "RATE_LIMIT_PER_MINUTE", 600),
                login_per_minute=env_int(env, "LOGIN_RATE_LIMIT_PER_MINUTE", 10),
            ),
            web_dist=Path(web_dist) if web_dist else None,
            health_host=env.get("HEALTH_HOST") or ("0.0.0.0" if production else "127.0.0.1"),  # noqa: S104
            health_port=int(health_port) if health_port else None,
        )

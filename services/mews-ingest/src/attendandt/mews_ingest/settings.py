"""Ingest settings, from the environment when the process starts (never at import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from attendandt.contracts.mews import MewsEntity
from attendandt.mews import DEFAULT_CLIENT_NAME, Credentials, resolve_environment
from attendandt.platform.settings import (
    NatsSettings,
    ObservabilitySettings,
    SettingsError,
    env_float,
    env_int,
    env_str,
)

#: What sweeps look at; each has an UpdatedUtc filter in the Connector API.
SWEPT_ENTITIES: tuple[MewsEntity, ...] = (
    MewsEntity.CUSTOMER,
    MewsEntity.RESERVATION,
    MewsEntity.COMPANY,
    MewsEntity.RESOURCE,
    MewsEntity.ORDER_ITEM,
)


@dataclass(frozen=True)
class IngestSettings:
    nats: NatsSettings
    observability: ObservabilitySettings
    mews_base_url: str
    mews_ws_url: str
    credentials: tuple[Credentials, ...]
    client_name: str = DEFAULT_CLIENT_NAME
    #: Shared secret in the webhook URL path; None disables the webhook endpoint.
    webhook_secret: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8090
    #: Periodic sweep (Mews suggests ~30 min for reconciliation).
    sweep_interval_s: float = 1800.0
    #: Sweeps start this much before the checkpoint: Mews clocks and commit order are not exact.
    sweep_overlap_s: float = 120.0
    #: Checkpoints advance after each window of this length.
    sweep_window_s: float = 6 * 3600.0
    #: No event, webhook or sweep from an enterprise for this long → the next sweep is a full
    #: resync from `resync_horizon_s` back.
    silence_resync_s: float = 6 * 3600.0
    resync_horizon_s: float = 30 * 86400.0
    #: With no frame for this long, ping; no pong within `ws_pong_timeout_s` → reconnect.
    ws_idle_s: float = 30.0
    ws_pong_timeout_s: float = 10.0
    ws_backoff_max_s: float = 30.0
    #: Limitation.Count of sweep pages: lower it when Mews answers 408 (too heavy).
    page_size: int = 1000
    entities: tuple[MewsEntity, ...] = field(default=SWEPT_ENTITIES)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> IngestSettings:
        environment = resolve_environment(env.get("MEWS_BASE_URL") or env.get("MEWS_ENV", "demo"))
        ws_url = env.get("MEWS_WS_URL") or _ws_url(environment.base_url)
        client_token = env_str(env, "MEWS_CLIENT_TOKEN")
        tokens = [t.strip() for t in env_str(env, "MEWS_ACCESS_TOKENS").split(",") if t.strip()]
        if not tokens:
            raise SettingsError("MEWS_ACCESS_TOKENS is empty: give one AccessToken per property")
        return cls(
            nats=NatsSettings.from_env(env),
            observability=ObservabilitySettings.from_env(env, "mews-ingest"),
            mews_base_url=environment.base_url,
            mews_ws_url=ws_url,
            credentials=tuple(
                Credentials(client_token=client_token, access_token=t, label=f"token-{i}")
                for i, t in enumerate(tokens)
            ),
            client_name=env.get("MEWS_CLIENT_NAME", DEFAULT_CLIENT_NAME),
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
            http_host=env.get("HTTP_HOST", "127.0.0.1"),
            http_port=env_int(env, "HTTP_PORT", 8090),
            sweep_interval_s=env_float(env, "SWEEP_INTERVAL_S", 1800.0),
            sweep_overlap_s=env_float(env, "SWEEP_OVERLAP_S", 120.0),
            sweep_window_s=env_float(env, "SWEEP_WINDOW_S", 6 * 3600.0),
            page_size=env_int(env, "MEWS_PAGE_SIZE", 1000),
            silence_resync_s=env_float(env, "SILENCE_RESYNC_S", 6 * 3600.0),
            resync_horizon_s=env_float(env, "RESYNC_HORIZON_S", 30 * 86400.0),
        )


def _ws_url(base_url: str) -> str:
    """Mews serves the WebSocket on its own host (ws.mews.com beside api.mews.com)."""
    if "api.mews" in base_url:
        return base_url.replace("https://api.", "wss://ws.") + "/ws/connector"
    return base_url.replace("http", "ws", 1) + "/ws/connector"

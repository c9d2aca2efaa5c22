"""Ingest settings, from the environment when the process starts (never at import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from attendandt.contracts.mews import MewsEntity
from attendandt.mews import MewsSettings, MewsSettingsError
from attendandt.mews_ingest.alarms import AlarmSettings
from attendandt.platform.settings import (
    NatsSettings,
    ObservabilitySettings,
    SettingsError,
    env_float,
    env_int,
)

#: What sweeps look at; each has an UpdatedUtc filter in the Connector API.
SWEPT_ENTITIES: tuple[MewsEntity, ...] = (
    MewsEntity.CUSTOMER,
    MewsEntity.RESERVATION,
    MewsEntity.COMPANY,
    MewsEntity.RESOURCE,
    MewsEntity.ORDER_ITEM,
)


#: The service's name: its NATS connection, queue group and dead letters say it.
SERVICE = "mews-ingest"

#: The lane of each property's shared Mews budget every ingest request draws from, capped at
#: `resync_budget_share` of the budget.
BUDGET_LANE = "resync"


@dataclass(frozen=True)
class IngestSettings:
    nats: NatsSettings
    observability: ObservabilitySettings
    mews: MewsSettings
    #: Shared secret Mews adds to the webhook URL as `?Token=...` (see webhooks.py); None
    #: refuses every delivery.
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
    #: The last contact with each enterprise is persisted (for the silence check across a
    #: restart) at most this often, and on a clean shutdown.
    last_contact_write_s: float = 10.0
    #: The most of a property's Mews budget (per AccessToken, shared with sync and the
    #: publisher) ingest's sweeps may take in any window: a long resync leaves the rest to
    #: live changes.
    resync_budget_share: float = 0.5
    #: With no frame for this long, ping; no pong within `ws_pong_timeout_s` → reconnect.
    ws_idle_s: float = 30.0
    ws_pong_timeout_s: float = 10.0
    ws_backoff_max_s: float = 30.0
    #: How often the properties of each onboarded portfolio's token are asked again (Mews
    #: says nothing when a property joins or leaves a portfolio): one request each.
    portfolio_check_s: float = 300.0
    entities: tuple[MewsEntity, ...] = field(default=SWEPT_ENTITIES)
    #: When a property turns red (`sync.alert`): see alarms.py.
    alarms: AlarmSettings = field(default_factory=AlarmSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> IngestSettings:
        try:
            mews = MewsSettings.from_env(env)
        except MewsSettingsError as exc:
            raise SettingsError(str(exc)) from exc
        return cls(
            nats=NatsSettings.from_env(env),
            observability=ObservabilitySettings.from_env(env, "mews-ingest"),
            mews=mews,
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
            http_host=env.get("HTTP_HOST", "127.0.0.1"),
            http_port=env_int(env, "HTTP_PORT", 8090),
            sweep_interval_s=env_float(env, "SWEEP_INTERVAL_S", 1800.0),
            sweep_overlap_s=env_float(env, "SWEEP_OVERLAP_S", 120.0),
            sweep_window_s=env_float(env, "SWEEP_WINDOW_S", 6 * 3600.0),
            silence_resync_s=env_float(env, "SILENCE_RESYNC_S", 6 * 3600.0),
            resync_horizon_s=env_float(env, "RESYNC_HORIZON_S", 30 * 86400.0),
            last_contact_write_s=env_float(env, "LAST_CONTACT_WRITE_S", 10.0),
            resync_budget_share=_share(env_float(env, "RESYNC_BUDGET_SHARE", 0.5)),
            portfolio_check_s=_positive(
                "PORTFOLIO_CHECK_S", env_float(env, "PORTFOLIO_CHECK_S", 300.0)
            ),
            alarms=alarm_settings(env),
        )


def alarm_settings(env: Mapping[str, str]) -> AlarmSettings:
    default = AlarmSettings()
    settings = AlarmSettings(
        check_s=env_float(env, "ALARM_CHECK_S", default.check_s),
        silence_s=env_float(env, "ALARM_SILENCE_S", default.silence_s),
        probe_interval_s=env_float(env, "ALARM_PROBE_INTERVAL_S", default.probe_interval_s),
        push_grace_s=env_float(env, "ALARM_PUSH_GRACE_S", default.push_grace_s),
        socket_down_s=env_float(env, "ALARM_WEBSOCKET_DOWN_S", default.socket_down_s),
        dead_letters=env_int(env, "ALARM_DEAD_LETTERS", default.dead_letters),
        dead_letters_window_s=env_float(
            env, "ALARM_DEAD_LETTERS_WINDOW_S", default.dead_letters_window_s
        ),
    )
    if settings.check_s <= 0 or settings.dead_letters < 1:
        raise SettingsError("ALARM_CHECK_S must be > 0 and ALARM_DEAD_LETTERS at least 1")
    return settings


def _share(value: float) -> float:
    if not 0 < value <= 1:
        raise SettingsError(f"RESYNC_BUDGET_SHARE must be in (0, 1], got {value}")
    return value


def _positive(name: str, value: float) -> float:
    if value <= 0:
        raise SettingsError(f"{name} must be > 0 seconds, got {value}")
    return value

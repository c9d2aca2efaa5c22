"""Sync settings, from the environment when the process starts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from attendandt.mews import MewsSettings, MewsSettingsError
from attendandt.platform.settings import (
    NatsSettings,
    ObservabilitySettings,
    SettingsError,
    env_flag,
    env_float,
    env_int,
)


@dataclass(frozen=True)
class SyncSettings:
    nats: NatsSettings
    observability: ObservabilitySettings
    mews: MewsSettings
    #: After the first change arrives, wait this long for more before fetching: a burst
    #: becomes one getAll of up to `batch_max` ids instead of one call per change.
    coalesce_window_s: float = 0.1
    #: Mews's id limit per getAll.
    batch_max: int = 1000
    #: Deliveries of one change before it becomes a dead letter.
    max_deliver: int = 8
    health_interval_s: float = 5.0
    health_port: int = 0
    #: A command on a subject no service consumes is dead-lettered once this old (a newer
    #: release may define its subject), looked for this often.
    unrouted_after_s: float = 60.0
    unrouted_interval_s: float = 10.0
    #: How often each hotel's configuration, services and products are read again.
    hotel_refresh_s: float = 900.0
    #: Import each property's rooms and current reservations on the first start for it
    #: (`initial_import`); off, only `attendandt sync backfill --initial` does.
    initial_import: bool = True
    #: An import publishes while guests has fewer than this many commands waiting (per
    #: consumer), so live changes wait behind at most about this many (`backpressure`).
    import_backlog_max: int = 300
    #: First wait before an initial import that failed is tried again (doubling to 10 min).
    import_retry_s: float = 30.0
    #: How often the bills of the stays in house and recently departed are read again
    #: (Mews announces no change of order items or bills; payments it does).
    bills_refresh_s: float = 300.0
    #: Charges reconciliation: a pass over the charges posted in the last `recent_days`
    #: this often (0: off), and a report of the last `report_days` once every
    #: `report_every_s` (nightly).
    charges_interval_s: float = 300.0
    charges_recent_days: float = 7.0
    charges_report_every_s: float = 86400.0
    charges_report_days: float = 30.0
    #: With a token key (MEWS_TOKEN_KEY): how often the onboarded properties are looked at.
    integrations_poll_s: float = 2.0
    #: A change of an onboarded property not synced now (disabled, or not started yet)
    #: comes back after this long, again and again, until the property runs.
    onboarded_wait_s: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SyncSettings:
        try:
            mews = MewsSettings.from_env(env)
        except MewsSettingsError as exc:
            raise SettingsError(str(exc)) from exc
        return cls(
            nats=NatsSettings.from_env(env),
            observability=ObservabilitySettings.from_env(env, "sync"),
            mews=mews,
            coalesce_window_s=env_float(env, "SYNC_COALESCE_WINDOW_S", 0.1),
            batch_max=min(env_int(env, "SYNC_BATCH_MAX", 1000), 1000),
            max_deliver=env_int(env, "SYNC_MAX_DELIVER", 8),
            health_port=env_int(env, "HEALTH_PORT", 0),
            unrouted_after_s=env_float(env, "SYNC_UNROUTED_AFTER_S", 60.0),
            unrouted_interval_s=env_float(env, "SYNC_UNROUTED_INTERVAL_S", 10.0),
            hotel_refresh_s=env_float(env, "SYNC_HOTEL_REFRESH_S", 900.0),
            initial_import=env_flag(env, "SYNC_INITIAL_IMPORT", True),
            import_backlog_max=max(env_int(env, "SYNC_IMPORT_BACKLOG_MAX", 300), 1),
            import_retry_s=env_float(env, "SYNC_IMPORT_RETRY_S", 30.0),
            bills_refresh_s=env_float(env, "SYNC_BILLS_REFRESH_S", 300.0),
            charges_interval_s=env_float(env, "SYNC_CHARGES_INTERVAL_S", 300.0),
            charges_recent_days=env_float(env, "SYNC_CHARGES_RECENT_DAYS", 7.0),
            charges_report_every_s=env_float(env, "SYNC_CHARGES_REPORT_EVERY_S", 86400.0),
            charges_report_days=env_float(env, "SYNC_CHARGES_REPORT_DAYS", 30.0),
            integrations_poll_s=env_float(env, "SYNC_INTEGRATIONS_POLL_S", 2.0),
            onboarded_wait_s=env_float(env, "SYNC_ONBOARDED_WAIT_S", 30.0),
        )

"""The guests service's settings, built from the environment when asked (never at import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from attendandt.platform.settings import (
    DatabaseSettings,
    NatsSettings,
    ObservabilitySettings,
    SettingsError,
    env_float,
    env_int,
    env_str,
)

SERVICE = "guests"
SCHEMA = "guests"


@dataclass(frozen=True)
class GuestsSettings:
    nats: NatsSettings
    database: DatabaseSettings
    observability: ObservabilitySettings
    health_host: str = "127.0.0.1"
    #: 0 picks a free port (tests).
    health_port: int = 8080
    #: Commands fetched (and applied concurrently) per pull, by the consumers that apply
    #: each command on its own.
    command_batch: int = 100
    #: Customers' and reservations' commands applied together, in one transaction with
    #: set-based writes, at most: a fetch takes what is waiting, so a quiet moment applies
    #: each command at once and a burst in batches this large (each batch's statements,
    #: session and relay cost the same for ten commands as for five hundred). Two batches
    #: are applied at once (`platform.subscriptions.BATCHES_IN_FLIGHT`), within the
    #: consumer's 1,000 unacknowledged messages.
    apply_batch: int = 500
    #: Request-reply calls answered concurrently by one process.
    rpc_workers: int = 16
    #: Seconds between retention sweeps; 0 runs none (tests sweep when they choose).
    retention_interval_s: float = 0.0
    #: Months after a guest's last stay ends before the guest is erased.
    retention_months: int = 36
    #: A property's own limit, by enterprise id.
    retention_months_by_property: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GuestsSettings:
        return cls(
            nats=NatsSettings.from_env(env),
            database=DatabaseSettings.from_env(env, SCHEMA),
            observability=ObservabilitySettings.from_env(env, SERVICE),
            health_host=env_str(env, "HEALTH_HOST", "127.0.0.1"),
            health_port=env_int(env, "HEALTH_PORT", 8080),
            command_batch=env_int(env, "GUESTS_COMMAND_BATCH", 100),
            apply_batch=env_int(env, "GUESTS_APPLY_BATCH", 500),
            rpc_workers=env_int(env, "GUESTS_RPC_WORKERS", 16),
            retention_interval_s=env_float(env, "GUESTS_RETENTION_INTERVAL_S", 86400.0),
            retention_months=_months(
                env.get("GUESTS_RETENTION_MONTHS", "36"), "GUESTS_RETENTION_MONTHS"
            ),
            retention_months_by_property=_months_by_property(
                env.get("GUESTS_RETENTION_MONTHS_BY_PROPERTY", "")
            ),
        )


def _months(raw: str, name: str) -> int:
    try:
        months = int(raw.strip())
    except ValueError:
        months = 0
    if months < 1:
        raise SettingsError(f"{name} must be a whole number of months, at least 1 (got {raw!r})")
    return months


def _months_by_property(raw: str) -> dict[str, int]:
    """`<enterprise id>=<months>` pairs separated by commas."""
    limits: dict[str, int] = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        enterprise_id, _, months = pair.partition("=")
        if not enterprise_id.strip() or not months:
            raise SettingsError(
                "GUESTS_RETENTION_MONTHS_BY_PROPERTY takes <enterprise id>=<months>, "
                f"comma-separated (got {pair!r})"
            )
        limits[enterprise_id.strip()] = _months(months, "GUESTS_RETENTION_MONTHS_BY_PROPERTY")
    return limits

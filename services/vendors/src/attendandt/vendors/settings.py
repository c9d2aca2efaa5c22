"""The vendors service's settings, built from the environment when asked (never at import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from attendandt.platform.settings import (
    DatabaseSettings,
    NatsSettings,
    ObservabilitySettings,
    env_float,
    env_int,
)

SCHEMA = "vendors"


@dataclass(frozen=True)
class VendorsSettings:
    nats: NatsSettings
    database: DatabaseSettings
    observability: ObservabilitySettings
    health_host: str = "127.0.0.1"
    #: 0 picks a free port (tests).
    health_port: int = 8080
    #: How often requested bookings whose time passed are expired.
    expiry_interval_s: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> VendorsSettings:
        return cls(
            nats=NatsSettings.from_env(env),
            database=DatabaseSettings.from_env(env, SCHEMA),
            observability=ObservabilitySettings.from_env(env, "vendors"),
            health_host=env.get("HEALTH_HOST", cls.health_host),
            health_port=env_int(env, "HEALTH_PORT", cls.health_port),
            expiry_interval_s=env_float(env, "EXPIRY_INTERVAL_S", cls.expiry_interval_s),
        )

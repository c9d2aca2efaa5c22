"""The guests service's settings, built from the environment when asked (never at import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from attendandt.platform.settings import (
    DatabaseSettings,
    NatsSettings,
    ObservabilitySettings,
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
    #: Commands fetched (and applied concurrently) per pull.
    command_batch: int = 100
    #: Request-reply calls answered concurrently by one process.
    rpc_workers: int = 16

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GuestsSettings:
        return cls(
            nats=NatsSettings.from_env(env),
            database=DatabaseSettings.from_env(env, SCHEMA),
            observability=ObservabilitySettings.from_env(env, SERVICE),
            health_host=env_str(env, "HEALTH_HOST", "127.0.0.1"),
            health_port=env_int(env, "HEALTH_PORT", 8080),
            command_batch=env_int(env, "GUESTS_COMMAND_BATCH", 100),
            rpc_workers=env_int(env, "GUESTS_RPC_WORKERS", 16),
        )

"""Settings of the users service, built from the environment when asked (never at import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from attendandt.platform.settings import (
    DatabaseSettings,
    NatsSettings,
    ObservabilitySettings,
    env_float,
    env_int,
)
from attendandt.users.passwords import HashParameters
from attendandt.users.service import TokenLifetimes

SERVICE = "users"


@dataclass(frozen=True)
class UsersSettings:
    database: DatabaseSettings
    nats: NatsSettings = field(default_factory=NatsSettings)
    observability: ObservabilitySettings = field(
        default_factory=lambda: ObservabilitySettings(service=SERVICE)
    )
    health_host: str = "0.0.0.0"  # noqa: S104 - probes come from outside the container
    health_port: int = 8080
    hashing: HashParameters = field(default_factory=HashParameters)
    lifetimes: TokenLifetimes = field(default_factory=TokenLifetimes)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> UsersSettings:
        defaults = HashParameters()
        return cls(
            database=DatabaseSettings.from_env(env, SERVICE),
            nats=NatsSettings.from_env(env),
            observability=ObservabilitySettings.from_env(env, SERVICE),
            health_host=env.get("HEALTH_HOST", cls.health_host),
            health_port=env_int(env, "HEALTH_PORT", cls.health_port),
            hashing=hashing_from_env(env, defaults),
            lifetimes=TokenLifetimes(
                refresh=timedelta(days=env_float(env, "USERS_REFRESH_TOKEN_DAYS", 14)),
                set_password=timedelta(hours=env_float(env, "USERS_SET_PASSWORD_TOKEN_HOURS", 168)),
                refresh_grace=timedelta(seconds=env_float(env, "USERS_REFRESH_GRACE_S", 5)),
            ),
        )


def hashing_from_env(env: Mapping[str, str], defaults: HashParameters) -> HashParameters:
    """argon2id cost; raising any of these makes existing hashes upgrade at their next sign-in."""
    return HashParameters(
        time_cost=env_int(env, "USERS_ARGON2_TIME_COST", defaults.time_cost),
        memory_cost_kib=env_int(env, "USERS_ARGON2_MEMORY_KIB", defaults.memory_cost_kib),
        parallelism=env_int(env, "USERS_ARGON2_PARALLELISM", defaults.parallelism),
        max_concurrent=env_int(env, "USERS_ARGON2_MAX_CONCURRENT", defaults.max_concurrent),
    )

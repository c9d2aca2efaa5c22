"""Settings read from the environment into explicit objects, when asked, never at import time.

Every service builds its settings in its `__main__` and passes them down; tests build them
from a dict. A missing or malformed variable fails with its name and how to fix it.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from attendandt.contracts import permissions

Environment = Literal["development", "production"]
T = TypeVar("T")


class SettingsError(ValueError):
    """A variable is missing or malformed; the message names it and the fix."""


def env_str(env: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = env.get(name, default)
    if value is None or value == "":
        raise SettingsError(f"{name} is not set: export {name}=... (see README, configuration)")
    return value


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    return _env_parsed(env, name, default, int, "a whole number")


def env_float(env: Mapping[str, str], name: str, default: float) -> float:
    return _env_parsed(env, name, default, float, "a number")


def _env_parsed(
    env: Mapping[str, str], name: str, default: T, parse: Callable[[str], T], what: str
) -> T:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r} is not {what}") from exc


def env_flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r} is not a yes or no: use true or false")


@dataclass(frozen=True)
class NatsSettings:
    """Where NATS is and who this process is there.

    `NATS_URL`: one server, or a comma-separated list of a cluster's servers
    (`tls://nats-0:4222,tls://nats-1:4222,tls://nats-2:4222`): the client connects to one of
    them and, when that one goes away, reconnects to another. List every server where the
    servers do not advertise each other to clients (`no_advertise`) and no single address
    reaches whichever is up (a Kubernetes Service does).

    `NATS_USER` / `NATS_PASSWORD`: the process's own NATS user (one per service, see
    `attendandt.contracts.permissions`); the client then uses that user's inbox prefix,
    the only inbox its permissions let it read. `NATS_TLS_CA_FILE`: the CA that signed the
    server's certificate (with a `tls://` URL). The password is never shown (repr).
    `CONSUMER_STALL_S`: how long messages may wait on a consumer of this process that makes
    no progress before readiness fails and the process stops to be restarted
    (`platform.stall`).
    """

    url: str = "nats://127.0.0.1:4222"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    tls_ca_file: str | None = None
    consumer_stall_s: float = 300.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> NatsSettings:
        user = env.get("NATS_USER") or None
        password = env.get("NATS_PASSWORD") or None
        if (user is None) != (password is None):
            raise SettingsError(
                "NATS_USER and NATS_PASSWORD go together: set both (the process's NATS user) "
                "or neither (a server without authentication, tests only)"
            )
        url = env_str(env, "NATS_URL", cls.url)
        servers = _server_list(url)
        if not servers:
            raise SettingsError(
                "NATS_URL names no server: give one URL, or a comma-separated list of a "
                "cluster's servers"
            )
        if any("@" in server.split("//", 1)[-1] for server in servers):
            raise SettingsError(
                "NATS_URL must not carry credentials (they would show wherever the URL is "
                "logged): use NATS_USER and NATS_PASSWORD"
            )
        return cls(
            url=url,
            user=user,
            password=password,
            tls_ca_file=env.get("NATS_TLS_CA_FILE") or None,
            consumer_stall_s=env_float(env, "CONSUMER_STALL_S", cls.consumer_stall_s),
        )

    @property
    def servers(self) -> list[str]:
        """Every server of `url` (one, or a cluster's comma-separated list), for the client."""
        return _server_list(self.url)

    @property
    def inbox_prefix(self) -> str:
        return "_INBOX" if self.user is None else permissions.inbox_prefix(self.user)

    def ssl_context(self) -> ssl.SSLContext | None:
        """TLS verified against NATS_TLS_CA_FILE, for `tls://` URLs (or a CA file given)."""
        if self.tls_ca_file is None and not any(s.startswith("tls://") for s in self.servers):
            return None
        return ssl.create_default_context(cafile=self.tls_ca_file)


def _server_list(url: str) -> list[str]:
    return [part.strip() for part in url.split(",") if part.strip()]


@dataclass(frozen=True)
class DatabaseSettings:
    url: str
    schema: str
    #: The pool's base connections; as many again may open under load. A service's message
    #: handlers take at most the base ones (`Runtime(messages_in_flight=...)`).
    pool_size: int = 5

    @classmethod
    def from_env(cls, env: Mapping[str, str], schema: str) -> DatabaseSettings:
        return cls(
            url=env_str(env, "DATABASE_URL"),
            schema=env.get("DATABASE_SCHEMA", schema),
            pool_size=env_int(env, "DATABASE_POOL_SIZE", 5),
        )


@dataclass(frozen=True)
class ObservabilitySettings:
    service: str
    environment: Environment = "development"
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str], service: str) -> ObservabilitySettings:
        environment = env.get("ATTENDANDT_ENV", "development")
        if environment not in ("development", "production"):
            raise SettingsError(
                f"ATTENDANDT_ENV={environment!r}: use 'development' or 'production'"
            )
        return cls(
            service=service,
            environment=environment,  # type: ignore[arg-type]
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
        )


def process_env() -> Mapping[str, str]:
    """The process environment; the one place services read it."""
    return os.environ

"""When the binaries are missing: Postgres from `pgserver`, either server in Docker through
testcontainers, and `any_postgres` / `any_nats` that try each way in turn."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from attendandt.testing.servers.local import ExternalServer, RunningServer, ServerUnavailable
from attendandt.testing.servers.nats_server import start_nats
from attendandt.testing.servers.postgres import start_postgres


def start_pgserver(workdir: Path) -> ExternalServer:
    try:
        import pgserver  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise ServerUnavailable("pgserver is not installed") from exc
    server = pgserver.get_server(str(workdir / "pgserver"), cleanup_mode="stop")
    uri: str = server.get_uri()
    return ExternalServer(url=uri, on_stop=[_Cleanup(server.cleanup)])


@dataclass
class _Cleanup:
    stop: object


def docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],  # noqa: S607
            capture_output=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and bool(result.stdout.strip())


def start_postgres_container() -> ExternalServer:
    try:
        from testcontainers.postgres import PostgresContainer  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise ServerUnavailable("testcontainers is not installed") from exc
    container = PostgresContainer("postgres:16-alpine", driver=None)
    container.start()
    url: str = container.get_connection_url()
    return ExternalServer(url=url, on_stop=[container])


def start_nats_container(config: Path | None = None) -> ExternalServer:
    """`config`: a configuration file for the server (mounted read-only)."""
    try:
        from testcontainers.nats import NatsContainer  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise ServerUnavailable("testcontainers is not installed") from exc
    container = NatsContainer("nats:2-alpine").with_command("-js")
    if config is not None:
        inside = "/etc/nats/test.conf"
        container = container.with_volume_mapping(str(config.resolve()), inside, "ro")
        container = container.with_command(f"-js -c {inside}")
    container.start()
    url: str = container.nats_uri()
    return ExternalServer(url=url, on_stop=[container])


def any_postgres(workdir: Path) -> RunningServer:
    """The first way of running Postgres that works here (see the module docstring)."""
    reasons: list[str] = []
    try:
        return start_postgres(workdir)
    except ServerUnavailable as exc:
        reasons.append(str(exc))
    try:
        return start_pgserver(workdir)
    except ServerUnavailable as exc:
        reasons.append(str(exc))
    if docker_available():
        return start_postgres_container()
    reasons.append("no Docker engine answers")
    raise ServerUnavailable("cannot run Postgres here: " + "; ".join(reasons))


def any_nats(workdir: Path, *, config: Path | None = None) -> RunningServer:
    """nats-server here, or in Docker; `config`: its configuration file."""
    try:
        return start_nats(workdir, config=config)
    except ServerUnavailable:
        if docker_available():
            return start_nats_container(config)
        raise

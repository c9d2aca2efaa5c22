"""pytest plugin: a real nats-server with JetStream and a real Postgres for the whole session.

Loaded for every test run (`-p attendandt.testing.plugin` in the root pytest config).

Servers start lazily, once per session, the first time a test asks for them, and stop (their
files removed) when the session ends, or, when pytest is killed, through the parent-death
signal and a detached reaper. Each pytest-xdist worker is a session of its own, with its own
servers. `TEST_DATABASE_URL` uses a Postgres you run yourself; `TEST_NATS_URL` a nats-server
you run yourself with the plugin's configuration (`python -m attendandt.testing.nats_accounts
--print-config > test-nats.conf; nats-server -js -c test-nats.conf`), which any number of
sessions may share.

`nats_cluster` is the exception: a 3-server JetStream cluster started for the one test that
asks for it (replicated streams, a server killed).

Isolation, so that tests can run side by side: every test that asks for `nats_url` works in a
NATS account of its own, leased from the server's pool (`attendandt.testing.nats_accounts`):
its own subjects and its own streams, so the contracts' fixed names (MEWS_CHANGES,
`mews.v1.<enterprise>.change.customer`) are safe to use, and so is every app or process the
test starts with that URL (a process through `nats_env(nats_url)`: services take the
credentials from NATS_USER / NATS_PASSWORD). The account starts empty and its streams (and KV
buckets) are deleted after the test, no other account's. `jetstream` is a JetStream context
in that account. Every test that asks for `database_url` gets a fresh database; `unique` gives
a short unique token for names.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
from nats.aio.client import Client as NatsClient
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.testing.nats_accounts import (
    AccountPool,
    accounts_config,
    shared_locks_dir,
)
from attendandt.testing.processes import python_module
from attendandt.testing.servers import (
    LocalProcessServer,
    NatsCluster,
    RunningServer,
    any_nats,
    any_postgres,
    start_nats_cluster,
)


@pytest.fixture(scope="session")
def servers_dir() -> Iterator[Path]:
    """One directory for every server this session starts, removed at the end (or by the reaper)."""
    path = Path(tempfile.mkdtemp(prefix="attendandt-test-"))
    path.chmod(0o755)  # Postgres runs as its own user when we are root and must reach its dir
    yield path
    shutil.rmtree(path, ignore_errors=True)


class _Reaper:
    """One detached watcher per started server: cleans up if pytest dies without teardown."""

    def __init__(self) -> None:
        self.watchers: list[subprocess.Popen[bytes]] = []

    def watch(self, server: RunningServer, directory: Path) -> None:
        if not isinstance(server, LocalProcessServer):
            return
        args = python_module(
            "attendandt.testing.reaper",
            "--watch", str(os.getpid()),
            "--kill", str(server.pid),
            "--remove", str(directory),
        )  # fmt: skip
        self.watchers.append(
            subprocess.Popen(  # noqa: S603
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # must survive the death of this process
            )
        )

    def close(self) -> None:
        for watcher in self.watchers:
            watcher.kill()
            watcher.wait()


@pytest.fixture(scope="session")
def _reaper() -> Iterator[_Reaper]:
    reaper = _Reaper()
    yield reaper
    reaper.close()


@pytest.fixture(scope="session")
def nats_accounts(servers_dir: Path, _reaper: _Reaper) -> Iterator[AccountPool]:
    """The accounts of this session's JetStream-enabled nats-server, leased one per test."""
    given = os.environ.get("TEST_NATS_URL")
    if given:
        yield AccountPool(given, shared_locks_dir(given))
        return
    directory = servers_dir / "nats"
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "accounts.conf"
    config.write_text(accounts_config())
    server = any_nats(directory, config=config)
    _reaper.watch(server, directory)
    yield AccountPool(server.url, directory / "leases")
    server.stop()


@pytest.fixture
async def nats_url(nats_accounts: AccountPool) -> AsyncIterator[str]:
    """URL of this test's own NATS account (`nats://tN:password@host:port`): its own subjects
    and streams, empty at the start, its streams deleted at the end. A process the test starts
    takes it through `nats_env(url)` (services refuse credentials in NATS_URL)."""
    with nats_accounts.lease() as account:
        url = account.url(nats_accounts.server_url)
        await clear_account(url)  # what a killed session may have left behind
        try:
            yield url
        finally:
            await clear_account(url)


async def clear_account(url: str) -> None:
    """Delete every stream (and so every KV bucket) of the account `url` logs in to."""
    try:
        client = await nats.connect(
            url, name="pytest-cleanup", connect_timeout=5, allow_reconnect=False
        )
    except NatsError as exc:
        raise RuntimeError(
            f"cannot log in to the test account at {url.rpartition('@')[2]} ({exc}): a server "
            "given by TEST_NATS_URL must run the plugin's configuration "
            "(python -m attendandt.testing.nats_accounts --print-config)"
        ) from exc
    try:
        await reset_jetstream(client.jetstream())
    finally:
        await client.close()


@pytest.fixture
def nats_cluster(tmp_path: Path) -> Iterator[NatsCluster]:
    """A 3-server JetStream cluster of its own for this test (`cluster.url` lists every
    server; `kill`, `start` one of them), stopped afterwards."""
    cluster = start_nats_cluster(tmp_path / "nats-cluster")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(servers_dir: Path, _reaper: _Reaper) -> Iterator[str]:
    """Superuser URL (`postgresql://...`) of a Postgres server for this session."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    directory = servers_dir / "postgres"
    server = any_postgres(directory)
    _reaper.watch(server, directory)
    yield server.url
    server.stop()


@pytest.fixture
def unique() -> str:
    """A short token that makes stream, subject, consumer and database names unique."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
async def nats_client(nats_url: str) -> AsyncIterator[NatsClient]:
    client = await nats.connect(nats_url, name="pytest", connect_timeout=5)
    try:
        yield client
    finally:
        await client.close()


async def reset_jetstream(js: JetStreamContext) -> None:
    """Delete every stream and KV bucket (KV buckets are streams named KV_<bucket>) that `js`
    sees: those of its account."""
    for info in await js.streams_info():
        try:
            await js.delete_stream(info.config.name or "")
        except NotFoundError:
            continue


@pytest.fixture
def jetstream(nats_client: NatsClient) -> JetStreamContext:
    """A JetStream context in this test's account: no streams, no KV buckets to start with."""
    return nats_client.jetstream()


@pytest.fixture
async def database_url(postgres_url: str, unique: str) -> AsyncIterator[str]:
    """A fresh, empty database for this test (asyncpg-style URL), dropped afterwards."""
    name = f"t_{unique}"
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _, _ = postgres_url.rpartition("/")
    yield f"{base}/{name}"
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def sqlalchemy_url(url: str) -> str:
    """`postgresql://` → `postgresql+asyncpg://` for SQLAlchemy's async engine."""
    if url.startswith("postgresql+asyncpg://"):
        return url
    return "postgresql+asyncpg://" + url.split("://", 1)[1]


def pytest_report_header(config: pytest.Config) -> str:
    return (
        f"attendandt: real nats-server and Postgres per session (python {sys.version.split()[0]})"
    )

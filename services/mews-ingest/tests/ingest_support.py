"""Ingest against the Mews simulator and a real nats-server.

`link` is a TCP proxy between ingest and the simulator's WebSocket that a test can cut and
restore: a network failure on demand, with no race against the reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest
from cryptography.fernet import Fernet
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.contracts.mews import MewsChange
from attendandt.mews import Credentials, MewsSettings
from attendandt.mews_ingest.app import IngestApp
from attendandt.mews_ingest.settings import IngestSettings
from attendandt.platform.settings import NatsSettings, ObservabilitySettings
from attendandt.testing.polling import eventually
from attendandt.testing.processes import free_port

WEBHOOK_SECRET = "hook-secret-1"


@dataclass
class CuttableLink:
    """Forwards 127.0.0.1:port → target; `cut()` drops every connection and refuses new ones."""

    target_host: str
    target_port: int
    port: int = 0
    up: bool = True
    #: Frozen: connections stay open but nothing passes (a silently dead link).
    frozen: bool = False
    _server: asyncio.Server | None = None
    _pipes: set[asyncio.Task[None]] = field(default_factory=set)
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await source.read(65536):
                if self.frozen:
                    continue
                sink.write(data)
                await sink.drain()
        sink.close()

    def cut(self) -> None:
        self.up = False
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self.up = True

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@pytest.fixture
async def link(mews_sim: Any) -> AsyncIterator[CuttableLink]:
    target = urlsplit(mews_sim.ws_url)
    proxy = CuttableLink(target.hostname or "127.0.0.1", target.port or 80)
    await proxy.start()
    yield proxy
    await proxy.close()


def ingest_settings(mews_sim: Any, nats_url: str, ws_url: str, **overrides: Any) -> IngestSettings:
    token = mews_sim.gross.token
    settings = IngestSettings(
        nats=NatsSettings(url=nats_url),
        observability=ObservabilitySettings(service="mews-ingest"),
        mews=MewsSettings(
            base_url=mews_sim.base_url,
            ws_url=ws_url,
            credentials=(
                Credentials(client_token=token.client_token, access_token=token.access_token),
            ),
        ),
        webhook_secret=WEBHOOK_SECRET,
        http_port=free_port(),
        sweep_interval_s=3600,
        resync_horizon_s=600,
        silence_resync_s=3600,
        ws_idle_s=2,
        ws_pong_timeout_s=2,
        ws_backoff_max_s=1,
    )
    return replace(settings, **overrides)


def onboarding_mews(mews_sim: Any, nats_url: str) -> tuple[MewsSettings, str]:
    """Ingest's Mews settings with a token key (it follows the integrations Mews connects
    through Integration Webhooks), and that key."""
    key = Fernet.generate_key().decode()
    mews = ingest_settings(mews_sim, nats_url, mews_sim.ws_url).mews
    return replace(mews, token_key=key, client_token=mews_sim.gross.token.client_token), key


@dataclass
class RunningIngest:
    app: IngestApp
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 20)


StartIngest = Callable[..., Any]


@pytest.fixture
async def start_ingest(mews_sim: Any, nats_url: str, jetstream: JetStreamContext):
    running: list[RunningIngest] = []

    async def start(
        ws_url: str | None = None,
        budget_clock: Callable[[], float] | None = None,
        **overrides: Any,
    ) -> RunningIngest:
        settings = ingest_settings(mews_sim, nats_url, ws_url or mews_sim.ws_url, **overrides)
        app = (
            IngestApp(settings)
            if budget_clock is None
            else IngestApp(settings, budget_clock=budget_clock)
        )
        stop = asyncio.Event()
        task = asyncio.create_task(app.run(stop))
        for _ in range(200):
            if app.ready.is_set() or task.done():
                break
            await asyncio.sleep(0.05)
        if task.done():
            task.result()
        assert app.ready.is_set(), "ingest did not become ready"
        mews_sim.control.configure_webhooks(
            f"http://127.0.0.1:{settings.http_port}/webhooks/mews",
            secret=settings.webhook_secret,
            retry_delay_s=0.3,
            max_attempts=20,
            batch_delay_s=0.05,
        )
        handle = RunningIngest(app, stop, task)
        running.append(handle)
        return handle

    yield start
    mews_sim.control.configure_webhooks(None)
    for handle in running:
        if not handle.task.done():
            await handle.close()


async def stream_changes(js: JetStreamContext) -> list[MewsChange]:
    """Every message stored in MEWS_CHANGES, in order."""
    try:
        info = await js.stream_info("MEWS_CHANGES")
    except NotFoundError:
        return []
    found: list[MewsChange] = []
    if info.state.messages == 0:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        with contextlib.suppress(NotFoundError):
            msg = await js.get_msg("MEWS_CHANGES", seq)
            found.append(msgspec.json.decode(msg.data, type=MewsChange))
    return found


wait_for = partial(eventually, timeout=30.0)

"""The properties onboarded through Integration Webhooks, run in this process: each one's
sweep loop and socket are started when its integration is enabled, restarted on a new key
and stopped (every Mews call with it) when it is disabled, canceled or deleted.

A property's checkpoints, last contact and board outlive a stop: started again, its first
sweep goes on from where it stood (from the resync horizon after a long silence).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection, Coroutine, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from attendandt.contracts.kv import MewsIntegration
from attendandt.mews import Credentials
from attendandt.mews_ingest.checkpoints import StateBoard
from attendandt.mews_ingest.enterprise import Enterprise
from attendandt.platform.integrations import IntegrationDirectory

log = logging.getLogger(__name__)

#: How long a stopping property's sweep may finish its window before it is cancelled.
STOP_GRACE_S = 5.0

#: Builds a property's Enterprise (client, sweeper, socket...) and resumes its state.
OpenProperty = Callable[[str, Credentials], Awaitable[Enterprise]]
#: A loop of a property's (its sweeps, its socket), run until the event is set.
PropertyLoops = Callable[[Enterprise], list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]]]


@dataclass
class _Running:
    enterprise: Enterprise
    key_version: int
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class OnboardedProperties:
    def __init__(
        self,
        directory: IntegrationDirectory,
        client_token: str,
        enterprises: MutableMapping[str, Enterprise],
        open_property: OpenProperty,
        loops: PropertyLoops,
        *,
        board: StateBoard,
        env_bound: Collection[str],
    ) -> None:
        self.directory = directory
        self.client_token = client_token
        #: Every property this process ingests (the env-bound ones too): lookups by id.
        self.enterprises = enterprises
        self.open_property = open_property
        self.loops = loops
        self.board = board
        self.env_bound = env_bound
        self.running: dict[str, _Running] = {}
        self._lock = asyncio.Lock()

    async def on_change(self, integration: MewsIntegration) -> None:
        """Start, re-key or stop the integration's property here."""
        async with self._lock:
            enterprise_id = integration.enterprise_id
            if enterprise_id in self.env_bound:
                log.warning(
                    "integration %s opens %s, which MEWS_ACCESS_TOKENS already does: "
                    "the environment's token is used",
                    integration.integration_id,
                    enterprise_id,
                )
                return
            # Shown with the property (`GET /sync/{enterprise}`, `attendandt status`).
            self.board.update(
                enterprise_id,
                integration_id=integration.integration_id,
                integration_state=integration.state,
            )
            running = self.running.get(enterprise_id)
            if running is not None and (
                not integration.callable or running.key_version != integration.key_version
            ):
                await self._stop(enterprise_id, why=integration.state)
                running = None
            if integration.callable and running is None:
                await self._start(integration)

    async def _start(self, integration: MewsIntegration) -> None:
        credentials = self.directory.credentials(integration, self.client_token)
        enterprise = await self.open_property(integration.enterprise_id, credentials)
        running = _Running(enterprise, integration.key_version)
        self.enterprises[integration.enterprise_id] = enterprise
        self.running[integration.enterprise_id] = running
        enterprise.sweep_requested.set()  # first sweep: from its checkpoints, or the horizon
        for index, loop in enumerate(self.loops(enterprise)):
            running.tasks.append(
                asyncio.create_task(
                    loop(running.stop), name=f"onboarded {integration.enterprise_id} {index}"
                )
            )
        log.info(
            "ingesting onboarded enterprise %s (integration %s, key %d)",
            integration.enterprise_id,
            integration.integration_id,
            integration.key_version,
        )

    async def _stop(self, enterprise_id: str, *, why: str) -> None:
        running = self.running.pop(enterprise_id)
        self.enterprises.pop(enterprise_id, None)
        enterprise = running.enterprise
        running.stop.set()
        resync = enterprise.resync
        if resync is not None and resync.task is not None:
            resync.cancel.set()
            running.tasks.append(resync.task)
        _, pending = await asyncio.wait(running.tasks, timeout=STOP_GRACE_S)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await enterprise.client.aclose()
        log.info("stopped ingesting %s (%s)", enterprise_id, why)

    async def stop_all(self) -> None:
        async with self._lock:
            for enterprise_id in list(self.running):
                await self._stop(enterprise_id, why="ingest stops")

"""The properties onboarded through Integration Webhooks, run in this process: each one's
sweep loop and socket are started when its integration is enabled, restarted on a new key
and stopped (every Mews call with it) when it is disabled, canceled or deleted.

Which properties an integration's token opens is asked of Mews once it may be called
(`configuration/get`; for a Portfolio Access Token, `enterprises/getAll`) and written to its
entry (`MewsIntegration.properties`), so that every service runs the same ones; until then
the entry shows as one property, onboarding. A portfolio's own enterprise is no property.

A property may join a portfolio or leave it later, and Mews sends no webhook for that: the
token's properties are asked again every so often (`follow_members`) and a change written
to the entry, so every service starts the property that joined and stops the one that left.

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

import msgspec

from attendandt.contracts.kv import IntegrationProperty, MewsIntegration
from attendandt.mews import Credentials
from attendandt.mews_ingest.checkpoints import StateBoard
from attendandt.mews_ingest.enterprise import Enterprise
from attendandt.platform.integrations import IntegrationDirectory

log = logging.getLogger(__name__)

#: How long a stopping property's sweep may finish its window before it is cancelled.
STOP_GRACE_S = 5.0
#: The longest wait between two tries to learn a token's properties while Mews fails.
BIND_MAX_DELAY_S = 60.0

#: The integration state shown for a property that left the portfolio it was reached through.
LEFT_PORTFOLIO = "removed from its portfolio"

#: Builds a property's Enterprise (client, sweeper, socket...) and resumes its state.
OpenProperty = Callable[[str, Credentials], Awaitable[Enterprise]]
#: A loop of a property's (its sweeps, its socket), run until the event is set.
PropertyLoops = Callable[[Enterprise], list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]]]
#: Whether a token is a portfolio's, and the properties it opens (asks Mews).
BindToken = Callable[[Credentials], Awaitable[tuple[bool, tuple[IntegrationProperty, ...]]]]


@dataclass
class _Running:
    enterprise: Enterprise
    integration_id: str
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
        bind_token: BindToken,
        board: StateBoard,
        env_bound: Collection[str],
    ) -> None:
        self.directory = directory
        self.client_token = client_token
        #: Every property this process ingests (the env-bound ones too): lookups by id.
        self.enterprises = enterprises
        self.open_property = open_property
        self.loops = loops
        self.bind_token = bind_token
        self.board = board
        self.env_bound = env_bound
        self.running: dict[str, _Running] = {}
        #: IntegrationId → the task asking Mews which properties its token opens.
        self.binding: dict[str, asyncio.Task[None]] = {}
        #: IntegrationId → its entry as last seen: the portfolios `follow_members` looks at.
        self.seen: dict[str, MewsIntegration] = {}
        self._lock = asyncio.Lock()

    async def on_change(self, integration: MewsIntegration) -> None:
        """Start, re-key or stop the integration's properties here."""
        self.seen[integration.integration_id] = integration
        async with self._lock:
            if not integration.bound:
                await self._unbound(integration)
                return
            if integration.portfolio:
                self.board.forget(integration.enterprise_id)
            members = (
                self.directory.property_credentials(integration, self.client_token)
                if integration.callable
                else dict.fromkeys(p.enterprise_id for p in integration.properties)
            )
            for enterprise_id, credentials in members.items():
                await self._apply(enterprise_id, integration, credentials)
            for enterprise_id, running in list(self.running.items()):
                if running.integration_id == integration.integration_id and (
                    enterprise_id not in members
                ):
                    await self._stop(enterprise_id, why="no longer opened by its token")
                    # Shown stopped, and why (its data is kept, as a disabled one's).
                    self.board.update(enterprise_id, integration_state=LEFT_PORTFOLIO)

    async def _unbound(self, integration: MewsIntegration) -> None:
        """Shown as one property while its token's properties are not known; asked of Mews
        once it may be called."""
        self._show(integration.enterprise_id, integration)
        if not integration.callable:
            for enterprise_id, running in list(self.running.items()):
                if running.integration_id == integration.integration_id:
                    await self._stop(enterprise_id, why=integration.state)
            return
        task = self.binding.get(integration.integration_id)
        if task is None or task.done():
            self.binding[integration.integration_id] = asyncio.create_task(
                self._bind(integration), name=f"bind integration {integration.integration_id}"
            )

    def _show(self, enterprise_id: str, integration: MewsIntegration) -> None:
        # Shown with the property (`GET /sync/{enterprise}`, `attendandt status`).
        self.board.update(
            enterprise_id,
            integration_id=integration.integration_id,
            integration_state=integration.state,
        )

    async def _apply(
        self, enterprise_id: str, integration: MewsIntegration, credentials: Credentials | None
    ) -> None:
        """`credentials`: None when the integration may not be called."""
        if enterprise_id in self.env_bound:
            log.warning(
                "integration %s opens %s, which MEWS_ACCESS_TOKENS already does: "
                "the environment's token is used",
                integration.integration_id,
                enterprise_id,
            )
            return
        self._show(enterprise_id, integration)
        running = self.running.get(enterprise_id)
        if running is not None and (
            credentials is None or running.key_version != integration.key_version
        ):
            await self._stop(enterprise_id, why=integration.state)
            running = None
        if credentials is not None and running is None:
            await self._start(enterprise_id, integration, credentials)

    async def _bind(self, integration: MewsIntegration) -> None:
        """Ask Mews which properties the token opens and write them to the entry, retried
        with a growing delay whatever fails (Mews, NATS, a busy budget) for as long as the
        entry still waits for them: nothing else would ask again."""
        delay = 1.0
        while True:
            try:
                if await self._bind_once(integration):
                    return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure is retried: nothing else would ask again
                log.warning(
                    "integration %s: its properties not learned yet (%s: %s); again in %.0fs",
                    integration.integration_id,
                    type(exc).__name__,
                    exc,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, BIND_MAX_DELAY_S)

    async def _bind_once(self, integration: MewsIntegration) -> bool:
        """One try; True once done (or no longer wanted: another key, stored meanwhile)."""
        current = await self.directory.get(integration.integration_id)
        if not _still_unbound(current, integration) or not (current and current.callable):
            return True
        credentials = self.directory.credentials(integration, self.client_token)
        portfolio, properties = await self.bind_token(credentials)

        def bind(current: MewsIntegration | None) -> MewsIntegration | None:
            if current is None or not _still_unbound(current, integration):
                return None
            return msgspec.structs.replace(current, properties=properties, portfolio=portfolio)

        if await self.directory.update(integration.integration_id, bind) is not None:
            log.info(
                "integration %s opens %d %s",
                integration.integration_id,
                len(properties),
                "properties of a portfolio" if portfolio else "property",
            )
        return True

    async def follow_members(self, stop: asyncio.Event, every_s: float) -> None:
        """Every `every_s`, ask Mews which properties each portfolio's token opens now, and
        write a change to its entry; a failed look is tried again at the next one."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_s)
            if stop.is_set():
                return
            for integration in list(self.seen.values()):
                if not (integration.portfolio and integration.bound and integration.callable):
                    continue
                try:
                    await self.check_members(integration)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # the next look tries again
                    log.warning(
                        "integration %s: its portfolio's properties not checked (%s: %s)",
                        integration.integration_id,
                        type(exc).__name__,
                        exc,
                    )

    async def check_members(self, integration: MewsIntegration) -> bool:
        """One look at the properties a bound portfolio's token opens; True when they
        changed and the entry now says so."""
        credentials = self.directory.credentials(integration, self.client_token)
        _, properties = await self.bind_token(credentials)
        if not properties:
            # Not written: an entry with no property is one still to bind.
            log.warning(
                "integration %s: its portfolio opens no property now; its entry is kept",
                integration.integration_id,
            )
            return False
        now = {p.enterprise_id for p in properties}

        def follow(current: MewsIntegration | None) -> MewsIntegration | None:
            if current is None or current.key_version != integration.key_version:
                return None  # another key meanwhile: the next look asks with it
            if not current.bound or {p.enterprise_id for p in current.properties} == now:
                return None
            return msgspec.structs.replace(current, properties=properties)

        written = await self.directory.update(integration.integration_id, follow)
        if written is None or written[0] is None:
            return False
        was = {p.enterprise_id for p in written[0].properties}
        log.info(
            "integration %s: its portfolio now opens %d properties (%d joined, %d left)",
            integration.integration_id,
            len(now),
            len(now - was),
            len(was - now),
        )
        return True

    async def _start(
        self, enterprise_id: str, integration: MewsIntegration, credentials: Credentials
    ) -> None:
        enterprise = await self.open_property(enterprise_id, credentials)
        running = _Running(enterprise, integration.integration_id, integration.key_version)
        self.enterprises[enterprise_id] = enterprise
        self.running[enterprise_id] = running
        enterprise.sweep_requested.set()  # first sweep: from its checkpoints, or the horizon
        for index, loop in enumerate(self.loops(enterprise)):
            running.tasks.append(
                asyncio.create_task(loop(running.stop), name=f"onboarded {enterprise_id} {index}")
            )
        log.info(
            "ingesting onboarded enterprise %s (integration %s, key %d)",
            enterprise_id,
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
        for task in self.binding.values():
            task.cancel()
        await asyncio.gather(*self.binding.values(), return_exceptions=True)
        async with self._lock:
            for enterprise_id in list(self.running):
                await self._stop(enterprise_id, why="ingest stops")


def _still_unbound(current: MewsIntegration | None, asked: MewsIntegration) -> bool:
    """Whether the entry still waits for the properties of the token `asked` carried."""
    return current is not None and not current.bound and current.token_hint == asked.token_hint

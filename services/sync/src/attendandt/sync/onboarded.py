"""The properties onboarded through Mews Integration Webhooks (the MEWS_INTEGRATIONS bucket),
synced by this process beside those of MEWS_ACCESS_TOKENS.

Which properties an integration's token opens (one, or a portfolio's) is learned by
mews-ingest and written to its entry; until then nothing starts here. Each property of a
portfolio gets a client of its own that names it in every request.

- **Enabled** (callable) and not synced here: its token is opened, its client built as an
  env-bound property's, and everything sync runs per property is started (the applier the
  change consumer looks up, the hotel refresher, the bills, the charges reconciliation, the
  initial import, which resumes from its stored state).
- **A new key** (`IntegrationApiKeyCreated`): the property's `HandoverClient` hands the next
  calls to a client of the new token; the old client is closed once its calls in flight are
  over. Nothing restarts: no task is started twice, the import goes on where it is.
- **Disabled, canceled or deleted**: the property leaves the lookups at once (its changes
  wait in the stream: `OnboardedProperties.waits_for`), its tasks get `stop_grace_s` to end
  (the import pauses after its page), then are cancelled, and its client is closed: no call
  for it goes out any more. Its data stays.
- A property MEWS_ACCESS_TOKENS also opens keeps the environment's token (logged once when
  the onboarded token differs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from attendandt.contracts.kv import MewsIntegration
from attendandt.mews import Credentials, HandoverClient, MewsClient
from attendandt.platform.integrations import (
    EnvTokenWins,
    IntegrationDirectory,
    IntegrationFollower,
)
from attendandt.platform.runtime import Loop

log = logging.getLogger(__name__)

#: How long a stopping property's tasks may finish what they are on before being cancelled.
STOP_GRACE_S = 3.0


class PropertyHost(Protocol):
    """What the service does per property (`SyncApp`)."""

    def open_property(self, enterprise_id: str, client: MewsClient) -> list[tuple[str, Loop]]:
        """Register the property's applier and health; its loops, to run until stopped."""
        ...

    def rekeyed(self, enterprise_id: str, client: MewsClient) -> None:
        """`client` (the property's) now calls with another token and its limiter."""
        ...

    def close_property(self, enterprise_id: str) -> None:
        """Drop the property from every lookup (its data stays)."""
        ...


@dataclass
class _Running:
    integration_id: str
    key_version: int
    access_token: str
    client: HandoverClient
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class OnboardedProperties:
    """Starts, re-keys and stops the onboarded properties (`on_change`, one integration
    entry at a time, as `IntegrationFollower` hands them over)."""

    def __init__(
        self,
        directory: IntegrationDirectory,
        client_token: str,
        host: PropertyHost,
        make_client: Callable[[Credentials], MewsClient],
        *,
        env_tokens: Mapping[str, str],
        every_s: float = 2.0,
        stop_grace_s: float = STOP_GRACE_S,
    ) -> None:
        self.directory = directory
        self.client_token = client_token
        self.host = host
        self.make_client = make_client
        #: EnterpriseId → AccessToken of the properties MEWS_ACCESS_TOKENS binds: they win.
        self.env_tokens = dict(env_tokens)
        self.stop_grace_s = stop_grace_s
        self.follower = IntegrationFollower(directory, self.on_change, every_s=every_s)
        #: Enterprise → the property synced here for it.
        self.running: dict[str, _Running] = {}
        #: IntegrationId → the properties its token opens, for every integration seen
        #: (whatever its state) whose properties are known.
        self.known: dict[str, frozenset[str]] = {}
        self.env_wins = EnvTokenWins(directory, client_token)
        self._lock = asyncio.Lock()

    def waits_for(self, enterprise_id: str) -> bool:
        """Whether a change of `enterprise_id`, which no applier here takes, waits in the
        stream (rather than becoming a dead letter): before the bucket was read once (an
        onboarded property is not started yet), and for an onboarded property whatever its
        state (stopped: its changes wait until it is enabled again)."""
        return not self.follower.caught_up.is_set() or any(
            enterprise_id in members for members in self.known.values()
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the bucket until `stop`, then stop every onboarded property."""
        try:
            await self.follower.run(stop)
        finally:
            await self.stop_all()

    async def on_change(self, integration: MewsIntegration) -> None:
        """Start, re-key or stop the integration's properties here (once mews-ingest has
        learned which they are: `MewsIntegration.properties`)."""
        async with self._lock:
            if not integration.enterprise_id:
                return
            ours = [
                e for e, r in self.running.items() if r.integration_id == integration.integration_id
            ]
            if not integration.bound:
                # Its properties are not known yet (a new token): what runs goes on with the
                # token it has until they are, unless the integration may not be called.
                if not integration.callable:
                    for enterprise_id in ours:
                        await self._stop(enterprise_id, why=integration.state)
                return
            members = (
                self.directory.property_credentials(integration, self.client_token)
                if integration.callable
                else dict.fromkeys(p.enterprise_id for p in integration.properties)
            )
            self.known[integration.integration_id] = frozenset(members)
            for enterprise_id, credentials in members.items():
                await self._apply(enterprise_id, integration, credentials)
            for enterprise_id in ours:
                if enterprise_id not in members:
                    await self._stop(enterprise_id, why="no longer opened by its token")

    async def _apply(
        self, enterprise_id: str, integration: MewsIntegration, credentials: Credentials | None
    ) -> None:
        """`credentials`: None when the integration may not be called."""
        env_token = self.env_tokens.get(enterprise_id)
        if env_token is not None:
            self.env_wins.note(integration, env_token)
            return
        running = self.running.get(enterprise_id)
        if credentials is not None:
            if running is None:
                await self._start(enterprise_id, integration, credentials)
            elif credentials.access_token != running.access_token:
                await self._rekey(enterprise_id, running, integration, credentials)
            else:
                running.integration_id = integration.integration_id
                running.key_version = integration.key_version
        elif running is not None and running.integration_id == integration.integration_id:
            await self._stop(enterprise_id, why=integration.state)

    async def _start(
        self, enterprise_id: str, integration: MewsIntegration, credentials: Credentials
    ) -> None:
        client = HandoverClient(self.make_client(credentials))
        try:
            loops = self.host.open_property(enterprise_id, client)
        except BaseException:
            self.host.close_property(enterprise_id)
            await client.aclose()
            raise
        running = _Running(
            integration.integration_id,
            integration.key_version,
            credentials.access_token,
            client,
        )
        self.running[enterprise_id] = running
        for name, loop in loops:
            running.tasks.append(
                asyncio.create_task(_logged(name, loop, running.stop), name=f"onboarded-{name}")
            )
        log.info(
            "syncing onboarded enterprise %s (integration %s, key %d, token %s)",
            enterprise_id,
            integration.integration_id,
            integration.key_version,
            credentials.access_token_hint,
        )

    async def _rekey(
        self,
        enterprise_id: str,
        running: _Running,
        integration: MewsIntegration,
        credentials: Credentials,
    ) -> None:
        await running.client.switch(self.make_client(credentials))
        self.host.rekeyed(enterprise_id, running.client)
        running.integration_id = integration.integration_id
        running.key_version = integration.key_version
        running.access_token = credentials.access_token
        log.info(
            "enterprise %s: calling Mews with its new key %d (token %s)",
            enterprise_id,
            integration.key_version,
            credentials.access_token_hint,
        )

    async def _stop(self, enterprise_id: str, *, why: str) -> None:
        running = self.running.pop(enterprise_id)
        self.host.close_property(enterprise_id)
        running.stop.set()
        if running.tasks:
            _, pending = await asyncio.wait(running.tasks, timeout=self.stop_grace_s)
            for task in pending:
                log.warning("%s did not stop in %ss; cancelled", task.get_name(), self.stop_grace_s)
                task.cancel()
            await asyncio.gather(*running.tasks, return_exceptions=True)
        # A change pass under way (the consumer's) may finish its call; then no more.
        await running.client.shut(self.stop_grace_s)
        log.info("stopped syncing enterprise %s (%s)", enterprise_id, why)

    async def stop_all(self) -> None:
        """Stop every onboarded property (the service stops), all at once."""
        async with self._lock:
            await asyncio.gather(
                *(
                    self._stop(enterprise_id, why="sync stops")
                    for enterprise_id in list(self.running)
                )
            )

    async def aclose(self) -> None:
        """What a stop cut short (the runtime cancelled it): cancel, close."""
        for enterprise_id, running in list(self.running.items()):
            self.running.pop(enterprise_id, None)
            for task in running.tasks:
                task.cancel()
            await asyncio.gather(*running.tasks, return_exceptions=True)
            await running.client.aclose()


async def _logged(name: str, loop: Loop, stop: asyncio.Event) -> None:
    """A property's loop: its failure is logged (the property's other loops go on)."""
    try:
        await loop(stop)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("ALERT %s failed", name)


__all__ = ["STOP_GRACE_S", "OnboardedProperties", "PropertyHost"]

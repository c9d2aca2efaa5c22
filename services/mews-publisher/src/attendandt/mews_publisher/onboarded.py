"""The properties onboarded through Mews Integration Webhooks (the MEWS_INTEGRATIONS bucket):
the publisher writes for them beside those of MEWS_ACCESS_TOKENS.

Which properties an integration's token opens (one, or a portfolio's) is learned by
mews-ingest and written to its entry; until then nothing is linked here. Each property of a
portfolio gets a client of its own that names it in every request.

- **Enabled** (callable) and not linked here: its token is opened and its link made with a
  client built as an env-bound token's (the token's shared bucket, the same settings); its
  messages, which waited in the stream (`Enterprises.retry_in`), go to Mews from now on.
- **A new key** (`IntegrationApiKeyCreated`): the link's `HandoverClient` hands the next calls
  to a client of the new token; the old client is closed once its calls in flight are over
  (a write under way finishes on it). A 401 pause of the old token is lifted.
- **Disabled, canceled or deleted**: the link goes at once (its messages wait in the stream
  again), new calls on its client are refused (not sent: retried later), the calls under way
  get `stop_grace_s` to end, then the client is closed.
- A property MEWS_ACCESS_TOKENS also opens keeps the environment's token (logged once when
  the onboarded token differs); `Enterprises.bind_once` replaces an onboarded link by the
  environment's when that token binds later.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from attendandt.contracts.kv import MewsIntegration
from attendandt.mews import Credentials, HandoverClient
from attendandt.mews_publisher.enterprises import EnterpriseLink, Enterprises
from attendandt.platform.integrations import (
    EnvTokenWins,
    IntegrationDirectory,
    IntegrationFollower,
)

log = logging.getLogger(__name__)

#: How long the calls under way on a stopped property's client may take before it is closed.
STOP_GRACE_S = 5.0


@dataclass
class _Linked:
    integration_id: str
    key_version: int
    access_token: str
    link: EnterpriseLink
    client: HandoverClient


class OnboardedLinks:
    """Links, re-keys and unlinks the onboarded properties (`on_change`, one integration
    entry at a time, as `IntegrationFollower` hands them over)."""

    def __init__(
        self,
        enterprises: Enterprises,
        directory: IntegrationDirectory,
        client_token: str,
        *,
        every_s: float = 2.0,
        stop_grace_s: float = STOP_GRACE_S,
    ) -> None:
        self.enterprises = enterprises
        self.directory = directory
        self.client_token = client_token
        self.stop_grace_s = stop_grace_s
        self.follower = IntegrationFollower(directory, self.on_change, every_s=every_s)
        #: Enterprise → its onboarded link here.
        self.linked: dict[str, _Linked] = {}
        self.env_wins = EnvTokenWins(directory, client_token)
        self._lock = asyncio.Lock()

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the bucket until `stop` (the links are closed with every other one)."""
        await self.follower.run(stop)

    async def on_change(self, integration: MewsIntegration) -> None:
        """Link, re-key or unlink the integration's properties (once mews-ingest has learned
        which they are: `MewsIntegration.properties`)."""
        async with self._lock:
            ours = [
                e
                for e, link in self.linked.items()
                if link.integration_id == integration.integration_id
            ]
            if not integration.bound:
                # Not known yet (a new token): links go on with the token they have until
                # they are, unless the integration may not be called.
                if not integration.callable:
                    for enterprise_id in ours:
                        await self._unlink(enterprise_id, why=integration.state)
                return
            members = (
                self.directory.property_credentials(integration, self.client_token)
                if integration.callable
                else dict.fromkeys(p.enterprise_id for p in integration.properties)
            )
            for enterprise_id, credentials in members.items():
                await self._apply(enterprise_id, integration, credentials)
            for enterprise_id in ours:
                if enterprise_id not in members:
                    await self._unlink(enterprise_id, why="no longer opened by its token")

    async def _apply(
        self, enterprise_id: str, integration: MewsIntegration, credentials: Credentials | None
    ) -> None:
        """`credentials`: None when the integration may not be called."""
        env_token = self.enterprises.env_tokens.get(enterprise_id)
        if env_token is not None:
            self.linked.pop(enterprise_id, None)  # replaced by the environment's link
            self.env_wins.note(integration, env_token)
            return
        linked = self.linked.get(enterprise_id)
        if credentials is not None:
            if linked is None:
                await self._link(enterprise_id, integration, credentials)
            elif credentials.access_token != linked.access_token:
                await self._rekey(enterprise_id, linked, integration, credentials)
            else:
                linked.integration_id = integration.integration_id
                linked.key_version = integration.key_version
        elif linked is not None and linked.integration_id == integration.integration_id:
            await self._unlink(enterprise_id, why=integration.state)

    async def _link(
        self, enterprise_id: str, integration: MewsIntegration, credentials: Credentials
    ) -> None:
        client = HandoverClient(self.enterprises.make_client(credentials))
        link = EnterpriseLink(enterprise_id, client, integration_id=integration.integration_id)
        if not self.enterprises.attach(link):
            await client.aclose()
            return
        self.linked[enterprise_id] = _Linked(
            integration.integration_id,
            integration.key_version,
            credentials.access_token,
            link,
            client,
        )
        log.info(
            "writing to Mews for onboarded enterprise %s (integration %s, key %d, token %s)",
            enterprise_id,
            integration.integration_id,
            integration.key_version,
            credentials.access_token_hint,
        )

    async def _rekey(
        self,
        enterprise_id: str,
        linked: _Linked,
        integration: MewsIntegration,
        credentials: Credentials,
    ) -> None:
        await linked.client.switch(self.enterprises.make_client(credentials))
        linked.link.unauthorized_until = 0.0  # a refusal was the old token's
        linked.integration_id = integration.integration_id
        linked.key_version = integration.key_version
        linked.access_token = credentials.access_token
        log.info(
            "enterprise %s: writing with its new key %d (token %s)",
            enterprise_id,
            integration.key_version,
            credentials.access_token_hint,
        )

    async def _unlink(self, enterprise_id: str, *, why: str) -> None:
        linked = self.linked.pop(enterprise_id)
        self.enterprises.detach(linked.link)
        await linked.client.shut(self.stop_grace_s)
        log.info("stopped writing to Mews for enterprise %s (%s)", enterprise_id, why)


__all__ = ["STOP_GRACE_S", "OnboardedLinks"]

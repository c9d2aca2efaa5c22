"""Which Mews client writes for which enterprise, and whether its token currently works.

Each AccessToken is bound to its enterprise with `configuration/get` at start (retried in the
background until Mews answers), like mews-ingest does. Every client takes its requests from
the token's shared bucket, so the publisher, ingest and any replica stay inside one budget.
A 401 marks the enterprise unauthorized: nothing is sent for it for a while, and its messages
wait in the stream rather than failing charges.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from nats.js.kv import KeyValue

from attendandt.mews import (
    Credentials,
    MewsClient,
    MewsError,
    MewsUnauthorized,
    RetryPolicy,
    clients_of_token,
)
from attendandt.mews_publisher.settings import PublisherSettings
from attendandt.platform.ratelimit import SharedTokenBucket

log = logging.getLogger(__name__)

#: Lookups (reads) give up sooner than the client's default: the message is redelivered.
READ_RETRIES = RetryPolicy(max_attempts=3, backoff_max=5.0, max_retry_after=10.0)


#: Messages for an enterprise no token is bound to (yet) come back after this long.
UNBOUND_RETRY_S = 15.0


class EnterpriseUnavailable(Exception):
    """No usable token for this enterprise now (not bound yet, or Mews answered 401)."""


@dataclass
class EnterpriseLink:
    enterprise_id: str
    client: MewsClient
    #: Monotonic time until which the token counts as bad (after a 401).
    unauthorized_until: float = 0.0
    #: The integration of an onboarded property (`onboarded`); None: MEWS_ACCESS_TOKENS'.
    integration_id: str | None = None


class Enterprises:
    def __init__(
        self, settings: PublisherSettings, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        #: The shared rate-limit buckets (set once NATS is connected).
        self.kv: KeyValue | None = None
        self.clock = clock
        self.links: dict[str, EnterpriseLink] = {}
        self.unbound: list[Credentials] = list(settings.credentials)
        #: EnterpriseId → AccessToken of the tokens of MEWS_ACCESS_TOKENS bound so far: an
        #: onboarded property of the same enterprise gives way to them.
        self.env_tokens: dict[str, str] = {}

    def make_client(self, credentials: Credentials) -> MewsClient:
        """A client for `credentials` taking its requests from the token's shared bucket (a
        portfolio property's: its fair share of the token's one budget)."""
        if self.kv is None:
            raise RuntimeError("Enterprises.kv is not set: connect to NATS first")
        limits = self.settings.rate_limit
        limiter = SharedTokenBucket.for_access_token(
            self.kv,
            credentials.access_token,
            requests=limits.requests,
            per=limits.per_s,
            burst=limits.burst,
            party=credentials.portfolio_property,
        )
        return MewsClient(
            credentials,
            environment=self.settings.mews_base_url,
            client_name=self.settings.client_name,
            limiter=limiter,
            retry=READ_RETRIES,
            timeout=self.settings.mews_timeout_s,
        )

    async def bind_once(self) -> None:
        """Try every unbound token once."""
        for credentials in list(self.unbound):
            try:
                clients = await clients_of_token(credentials, self.make_client)
            except (MewsError, OSError) as exc:
                log.warning("cannot bind token %s: %s", credentials.access_token_hint, exc)
                continue
            self.unbound.remove(credentials)
            for enterprise_id, client in clients.items():
                await self._bind(enterprise_id, client)

    async def _bind(self, enterprise_id: str, client: MewsClient) -> None:
        access_token = client.credentials.access_token
        replaced = self.links.get(enterprise_id)
        self.env_tokens[enterprise_id] = access_token
        self.links[enterprise_id] = EnterpriseLink(enterprise_id, client)
        log.info("writing to Mews for enterprise %s", enterprise_id)
        if replaced is not None and replaced.integration_id is not None:
            if replaced.client.credentials.access_token != access_token:
                log.warning(
                    "enterprise %s: MEWS_ACCESS_TOKENS' token replaces the one of integration %s",
                    enterprise_id,
                    replaced.integration_id,
                )
            await replaced.client.aclose()

    def attach(self, link: EnterpriseLink) -> bool:
        """Write for an onboarded property with `link`, unless MEWS_ACCESS_TOKENS has its
        enterprise (False)."""
        if link.enterprise_id in self.env_tokens:
            return False
        self.links[link.enterprise_id] = link
        return True

    def detach(self, link: EnterpriseLink) -> None:
        """Write no more with `link`: its enterprise's messages wait in the stream."""
        if self.links.get(link.enterprise_id) is link:
            del self.links[link.enterprise_id]

    async def bind(self, stop: asyncio.Event) -> None:
        """Bind every token, retrying with a growing delay until all are bound or `stop`."""
        delay = 1.0
        while self.unbound and not stop.is_set():
            await self.bind_once()
            if self.unbound:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, 60.0)

    def link(self, enterprise_id: str) -> EnterpriseLink:
        found = self.links.get(enterprise_id)
        if found is None:
            raise EnterpriseUnavailable(f"no Mews token bound to enterprise {enterprise_id}")
        if found.unauthorized_until > self.clock():
            raise EnterpriseUnavailable(
                f"the Mews token of enterprise {enterprise_id} was refused (401)"
            )
        return found

    def retry_in(self, enterprise_id: str) -> float | None:
        """None when writes for `enterprise_id` may go now; else seconds to leave its
        messages in the stream (the rest of a 401 pause, or a while for an unbound token)."""
        found = self.links.get(enterprise_id)
        if found is None:
            return UNBOUND_RETRY_S
        left = found.unauthorized_until - self.clock()
        return left if left > 0 else None

    def mark_unauthorized(self, enterprise_id: str, error: MewsUnauthorized) -> None:
        link = self.links.get(enterprise_id)
        if link is None:
            return
        link.unauthorized_until = self.clock() + self.settings.unauthorized_pause_s
        log.error(
            "Mews refused the token of enterprise %s (401, Request-Id %s): %s; no writes for %.0fs",
            enterprise_id,
            error.request_id,
            error.message,
            self.settings.unauthorized_pause_s,
        )

    def healthy(self) -> bool:
        now = self.clock()
        return not self.unbound and all(
            link.unauthorized_until <= now for link in self.links.values()
        )

    async def aclose(self) -> None:
        for link in self.links.values():
            await link.client.aclose()

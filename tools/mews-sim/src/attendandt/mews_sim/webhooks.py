"""Mews webhooks: General Webhooks, batched POSTs of `{"EnterpriseId", "IntegrationId",
"Events"}`, and the delivery of Integration Webhooks (`{"Action", "Data"}`, see
`integrations`) to the same URL, as Mews allows one URL for both.

Simultaneous events (one event-loop tick plus `batch_delay_s`) go in one message per
enterprise, at most `max_events` events each; an Integration Webhook goes alone, at once. A
delivery fails on a non-2xx answer or no answer within `timeout_s`; it is retried after
`retry_delay_s` up to `max_attempts` times in all, then dropped, as Mews does (minutes in
production; configurable and short in tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Coroutine
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

from attendandt.mews_sim.counters import Counters
from attendandt.mews_sim.store import Change, Store

log = logging.getLogger("attendandt.mews_sim.webhooks")
# httpx logs every request's full URL at INFO, and a delivery's URL carries the secret.
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass
class WebhookConfig:
    url: str | None = None
    secret: str | None = None
    # Mews adds the agreed secret to the registered URL as a query parameter, spelt `Token`
    # in its docs (Webhooks FAQ); never in the path, never in a header.
    secret_param: str = "Token"  # noqa: S105 - a parameter name, not a secret
    timeout_s: float = 5.0
    retry_delay_s: float = 60.0
    max_attempts: int = 4
    batch_delay_s: float = 0.05
    max_events: int = 200

    def target(self) -> str | None:
        if not self.url:
            return None
        if not self.secret:
            return self.url
        parts = urlsplit(self.url)
        query = (parts.query + "&" if parts.query else "") + urlencode(
            {self.secret_param: self.secret}
        )
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


@dataclass
class WebhookFaults:
    fail_next: int = 0
    target_down: bool = False


DISCRIMINATORS = {
    "reservation": "ServiceOrderUpdated",
    "resource": "ResourceUpdated",
    "payment": "PaymentUpdated",
}


class WebhookDispatcher:
    def __init__(self, store: Store, counters: Counters, config: WebhookConfig) -> None:
        self.store = store
        self.counters = counters
        self.config = config
        self.faults = WebhookFaults()
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.recent: deque[dict[str, Any]] = deque(maxlen=200)
        self._flush_task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def on_change(self, change: Change) -> None:
        if change.kind == "customer":
            names = ["CustomerAdded", "CustomerUpdated"] if change.created else ["CustomerUpdated"]
        elif change.kind in DISCRIMINATORS:
            names = [DISCRIMINATORS[change.kind]]
        else:
            return
        if not self.config.url:
            return
        for enterprise_id in change.enterprise_ids:
            bucket = self.pending.setdefault(enterprise_id, [])
            for name in names:
                event = {"Discriminator": name, "Value": {"Id": change.entity["Id"]}}
                if event not in bucket:
                    bucket.append(event)
        if self._flush_task is None:
            self._flush_task = asyncio.get_running_loop().create_task(self._flush_later())

    async def _flush_later(self) -> None:
        await asyncio.sleep(self.config.batch_delay_s)
        self._flush_task = None
        pending, self.pending = self.pending, {}
        for enterprise_id, events in pending.items():
            info = self.store.info.get(enterprise_id)
            if info is None:
                continue
            integration = self.store.integrations.get(info.integration_id)
            if integration is None or integration.state != "Enabled":
                # Mews tells a partner nothing about a property that switched it off (or
                # that left the portfolio it was reached through).
                continue
            for start in range(0, len(events), self.config.max_events):
                body = {
                    "EnterpriseId": enterprise_id,
                    "IntegrationId": info.integration_id,
                    "Events": events[start : start + self.config.max_events],
                }
                self._start(self._deliver(body, body))

    def send_integration(self, body: dict[str, Any], shown: dict[str, Any]) -> None:
        """One Integration Webhook, never batched with anything, under the same retry and
        fault rules; `shown` is the body as `recent` may keep it (tokens masked)."""
        if not self.config.url:
            return
        self._start(self._deliver(body, shown, integration=True))

    def _start(self, delivery: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(delivery)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _deliver(
        self, body: dict[str, Any], shown: dict[str, Any], *, integration: bool = False
    ) -> None:
        counters = self.counters
        for attempt in range(1, max(self.config.max_attempts, 1) + 1):
            status = await self._post(body)
            ok = status is not None and 200 <= status < 300
            self.recent.append({"attempt": attempt, "status": status, "ok": ok, "body": shown})
            if ok:
                if integration:
                    counters.integration_webhooks_delivered += 1
                else:
                    counters.webhook_messages_delivered += 1
                    counters.webhook_events_delivered += len(body["Events"])
                return
            if integration:
                counters.integration_webhook_attempts_failed += 1
            else:
                counters.webhook_attempts_failed += 1
            if attempt < self.config.max_attempts:
                await asyncio.sleep(self.config.retry_delay_s)
        if integration:
            counters.integration_webhooks_dropped += 1
        else:
            counters.webhook_messages_dropped += 1

    async def _post(self, body: dict[str, Any]) -> int | None:
        if self.faults.target_down:
            return None
        if self.faults.fail_next > 0:
            self.faults.fail_next -= 1
            return None
        target = self.config.target()
        if target is None:
            return None
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=True)
        try:
            response = await self._client.post(target, json=body, timeout=self.config.timeout_s)
        except (httpx.HTTPError, OSError) as exc:
            log.info("webhook delivery failed: %s", type(exc).__name__)
            return None
        return response.status_code

    async def reset(self) -> None:
        """Forget queued and in-flight deliveries (a test starts from a clean state)."""
        self.pending.clear()
        if self._flush_task is not None:
            self._flush_task.cancel()
            self._flush_task = None
        for task in list(self.tasks):
            task.cancel()
        for task in list(self.tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.tasks.clear()
        self.recent.clear()
        self.faults = WebhookFaults()

    async def close(self) -> None:
        await self.reset()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def describe(self) -> dict[str, Any]:
        config = asdict(self.config)
        config["secret"] = "***" if self.config.secret else None
        return {"config": config, "faults": asdict(self.faults), "in_flight": len(self.tasks)}


def attach(store: Store, dispatcher: WebhookDispatcher) -> None:
    store.listeners.append(dispatcher.on_change)

"""What the sync CLI commands share: NATS with the streams in place, and the Mews client of
the token that opens one enterprise, spending that token's one shared budget (the running
services spend the same one: a command run beside them never adds a second)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from attendandt.contracts.streams import MEWS_RATE_LIMITS, ensure_streams
from attendandt.mews import MewsClient
from attendandt.mews.models import Configuration
from attendandt.platform.messaging import connect
from attendandt.platform.ratelimit import SharedTokenBucket
from attendandt.sync.settings import SyncSettings


@dataclass(frozen=True)
class MewsLine:
    nc: NatsClient
    js: JetStreamContext
    client: MewsClient
    #: The enterprise's configuration as the client found it (its clock, its creation).
    config: Configuration


@contextlib.asynccontextmanager
async def mews_line(
    settings: SyncSettings, command: str, enterprise_id: str
) -> AsyncIterator[MewsLine | None]:
    """The line to `enterprise_id`, closed on the way out; None when no token in
    MEWS_ACCESS_TOKENS opens it (said on screen, naming `command`). A MewsError from asking
    each token's configuration is the caller's to report."""
    nc = await connect(settings.nats, "attendandt-cli")
    clients: list[MewsClient] = []
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        limits = await js.key_value(MEWS_RATE_LIMITS.bucket)
        for credentials in settings.mews.credentials:
            client = MewsClient(
                credentials,
                environment=settings.mews.base_url,
                client_name=settings.mews.client_name,
                limiter=SharedTokenBucket.for_access_token(limits, credentials.access_token),
                page_size=settings.mews.page_size,
            )
            clients.append(client)
            config = await client.get_configuration()
            if config.enterprise is not None and config.enterprise.id == enterprise_id:
                yield MewsLine(nc, js, client, config)
                return
        print(f"{command}: no token in MEWS_ACCESS_TOKENS opens {enterprise_id}")
        yield None
    finally:
        for client in clients:
            await client.aclose()
        await nc.close()

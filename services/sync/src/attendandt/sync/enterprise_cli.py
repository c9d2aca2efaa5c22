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
from attendandt.mews import Credentials, MewsClient
from attendandt.mews.models import Configuration
from attendandt.platform.integrations import property_client
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
    """The line to `enterprise_id`, closed on the way out; None when no token opens it
    (said on screen, naming `command`): one of MEWS_ACCESS_TOKENS (a portfolio's included),
    or the integration onboarded for it. A MewsError from asking a token is the caller's to
    report."""
    nc = await connect(settings.nats, "attendandt-cli")
    client: MewsClient | None = None
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        limits = await js.key_value(MEWS_RATE_LIMITS.bucket)

        def make_client(credentials: Credentials) -> MewsClient:
            return MewsClient(
                credentials,
                environment=settings.mews.base_url,
                client_name=settings.mews.client_name,
                limiter=SharedTokenBucket.for_access_token(
                    limits, credentials.access_token, party=credentials.portfolio_property
                ),
                page_size=settings.mews.page_size,
            )

        client = await property_client(js, settings.mews, enterprise_id, make_client)
        if client is None:
            print(
                f"{command}: no token opens {enterprise_id} (MEWS_ACCESS_TOKENS, or an "
                "integration onboarded and enabled for it)"
            )
            yield None
            return
        yield MewsLine(nc, js, client, await client.get_configuration())
    finally:
        if client is not None:
            await client.aclose()
        await nc.close()

"""Which enterprises each AccessToken opens, and Mews settings from the environment.

Every process that talks to Mews (ingest, sync, the publisher, the CLI) is configured the
same way and needs the same thing first: for each AccessToken, its EnterpriseId
(`configuration/get`), or those of its properties for a Portfolio Access Token. Mews may be
unreachable when a process starts; `bind_enterprises` keeps trying with backoff instead of
crashing the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .client import DEFAULT_CLIENT_NAME
from .environments import Credentials, resolve_environment
from .errors import MewsError
from .models.enterprises import Enterprise
from .operations import MewsClient

log = logging.getLogger(__name__)


class MewsSettingsError(ValueError):
    """A Mews variable is missing or malformed; the message names it."""


@dataclass(frozen=True)
class MewsSettings:
    base_url: str
    ws_url: str
    credentials: tuple[Credentials, ...]
    client_name: str = DEFAULT_CLIENT_NAME
    page_size: int = 1000
    #: The key that seals the tokens of properties onboarded through Integration Webhooks
    #: (MEWS_TOKEN_KEY, or the content of MEWS_TOKEN_KEY_FILE); None: none can be.
    token_key: str | None = field(default=None, repr=False)
    #: MEWS_CLIENT_TOKEN: the partner application's, the same for every property (onboarded
    #: properties bring only their AccessToken).
    client_token: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MewsSettings:
        """MEWS_BASE_URL (or MEWS_ENV=demo|production), MEWS_WS_URL, MEWS_CLIENT_TOKEN,
        MEWS_ACCESS_TOKENS (comma-separated, one per property), MEWS_TOKEN_KEY or
        MEWS_TOKEN_KEY_FILE (onboarding; then MEWS_ACCESS_TOKENS may be empty),
        MEWS_CLIENT_NAME, MEWS_PAGE_SIZE."""
        environment = resolve_environment(env.get("MEWS_BASE_URL") or env.get("MEWS_ENV", "demo"))
        client_token = env.get("MEWS_CLIENT_TOKEN", "").strip()
        if not client_token:
            raise MewsSettingsError(
                "MEWS_CLIENT_TOKEN is not set: export MEWS_CLIENT_TOKEN=<the ClientToken Mews "
                "issued> (and MEWS_ACCESS_TOKENS, MEWS_BASE_URL; see --help)"
            )
        tokens = [t.strip() for t in env.get("MEWS_ACCESS_TOKENS", "").split(",") if t.strip()]
        token_key = _token_key(env)
        if not tokens and token_key is None:
            raise MewsSettingsError(
                "MEWS_ACCESS_TOKENS is not set: export MEWS_ACCESS_TOKENS=<AccessToken>[,...] "
                "(one per property), or MEWS_TOKEN_KEY to onboard properties through Mews "
                "Integration Webhooks (see --help)"
            )
        try:
            page_size = int(env.get("MEWS_PAGE_SIZE", "1000"))
        except ValueError as exc:
            raise MewsSettingsError("MEWS_PAGE_SIZE must be a whole number (1-1000)") from exc
        return cls(
            base_url=environment.base_url,
            ws_url=env.get("MEWS_WS_URL") or websocket_url(environment.base_url),
            credentials=tuple(
                Credentials(client_token=client_token, access_token=t, label=f"token-{i}")
                for i, t in enumerate(tokens)
            ),
            client_name=env.get("MEWS_CLIENT_NAME", DEFAULT_CLIENT_NAME),
            page_size=page_size,
            token_key=token_key,
            client_token=client_token,
        )


def _token_key(env: Mapping[str, str]) -> str | None:
    """MEWS_TOKEN_KEY, else the content of the file MEWS_TOKEN_KEY_FILE names."""
    key = env.get("MEWS_TOKEN_KEY", "").strip()
    path = env.get("MEWS_TOKEN_KEY_FILE", "").strip()
    if not key and path:
        try:
            key = Path(path).read_text().strip()
        except OSError as exc:
            raise MewsSettingsError(f"MEWS_TOKEN_KEY_FILE {path}: {exc.strerror}") from exc
    return key or None


def websocket_url(base_url: str) -> str:
    """Mews serves the WebSocket on its own host (ws.mews.com beside api.mews.com)."""
    if "api.mews" in base_url:
        return base_url.replace("https://api.", "wss://ws.") + "/ws/connector"
    return base_url.replace("http", "ws", 1) + "/ws/connector"


async def _enterprise(client: MewsClient) -> Enterprise:
    config = await client.get_configuration()
    if config.enterprise is None:
        raise MewsError("configuration/get returned no enterprise")
    return config.enterprise


async def enterprise_of(client: MewsClient) -> str:
    return (await _enterprise(client)).id


async def properties_of(client: MewsClient) -> tuple[Enterprise, list[Enterprise]]:
    """The enterprise `configuration/get` names, and the properties the token opens: that
    enterprise, or, when it is a portfolio's own (`IsPortfolio`), the portfolio's."""
    enterprise = await _enterprise(client)
    if not enterprise.is_portfolio:
        return enterprise, [enterprise]
    return enterprise, [e async for e in client.get_enterprises() if not e.is_portfolio]


async def clients_of_token(
    credentials: Credentials, make_client: Callable[[Credentials], MewsClient]
) -> dict[str, MewsClient]:
    """EnterpriseId → a client, for every property `credentials` opens.

    A token opens one enterprise, or, a Portfolio Access Token, several: `configuration/get`
    then answers the portfolio's own enterprise (`IsPortfolio`), and `enterprises/getAll`
    lists its properties, each given a client that names it in every request (its limiter
    draws on the token's one budget)."""
    client = make_client(credentials)
    try:
        enterprise, members = await properties_of(client)
        if not enterprise.is_portfolio:
            return {enterprise.id: client}
    except BaseException:
        await client.aclose()
        raise
    await client.aclose()
    log.info(
        "token %s is a portfolio of %d properties", credentials.access_token_hint, len(members)
    )
    return {e.id: make_client(credentials.scoped(e.id, e.chain_id)) for e in members}


async def bind_enterprises(
    settings: MewsSettings,
    make_client: Callable[[Credentials], MewsClient],
    stop: asyncio.Event | None = None,
    *,
    max_delay_s: float = 60.0,
) -> dict[str, MewsClient]:
    """EnterpriseId → a client for its token; retries unreachable tokens until `stop`."""
    bound: dict[str, MewsClient] = {}
    pending = list(settings.credentials)
    delay = 1.0
    while pending and not (stop is not None and stop.is_set()):
        for credentials in list(pending):
            try:
                clients = await clients_of_token(credentials, make_client)
            except MewsError as exc:
                log.warning("cannot reach Mews for %s: %s", credentials.access_token_hint, exc)
                continue
            pending.remove(credentials)
            bound.update(clients)
        if pending:
            if stop is None:
                await asyncio.sleep(delay)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, max_delay_s)
    return bound

"""The publisher's settings, built from the environment when asked (never at import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from attendandt.mews import DEFAULT_CLIENT_NAME, Credentials, MewsSettings, MewsSettingsError
from attendandt.platform.settings import (
    DatabaseSettings,
    NatsSettings,
    ObservabilitySettings,
    SettingsError,
    env_flag,
    env_float,
    env_int,
)

SERVICE = "mews-publisher"
SCHEMA = "publisher"


@dataclass(frozen=True)
class RateLimitSettings:
    """The Mews budget per AccessToken, shared with every other process through NATS KV."""

    requests: int = 200
    per_s: float = 30.0
    burst: int = 20


@dataclass(frozen=True)
class PublisherSettings:
    nats: NatsSettings
    database: DatabaseSettings
    observability: ObservabilitySettings
    mews_base_url: str
    credentials: tuple[Credentials, ...]
    client_name: str = DEFAULT_CLIENT_NAME
    rate_limit: RateLimitSettings = RateLimitSettings()
    #: Client-side timeout of one Mews request (a write that times out is "unknown").
    mews_timeout_s: float = 20.0
    #: A write whose outcome is unknown is looked up only this long after it was sent: Mews
    #: may still be working on a request the client gave up on.
    settle_s: float = 60.0
    #: Whether Mews granted this integration the Restricted `orderItems/cancel`. Without it a
    #: cancelled charge is always offset by a rebate (negative items, `orders/add`); with it,
    #: only an item Mews will not cancel (on a closed bill) is.
    order_items_cancel: bool = True
    #: A 401 (revoked token) stops writes for the enterprise this long before one try again.
    unauthorized_pause_s: float = 300.0
    #: Messages handled at once (each may wait for Mews); different charges only: one
    #: charge's reference is held by one worker at a time.
    workers: int = 4
    #: Staff edits of guests handled at once: their lookups share one customers/getAll, so
    #: more in hand means fewer Mews calls per edit (1 + 1/n). One customer is held by one
    #: worker at a time.
    edit_workers: int = 16
    #: JetStream redelivers a message not acked within this time (a crashed worker).
    ack_wait_s: float = 60.0
    #: Deliveries of one message before a transient failure is reported as a failed charge.
    max_deliver: int = 20
    health_host: str = "127.0.0.1"
    #: 0 picks a free port (tests).
    health_port: int = 8081
    #: The key that seals the tokens of properties onboarded through Integration Webhooks
    #: (MEWS_TOKEN_KEY / MEWS_TOKEN_KEY_FILE); None: only MEWS_ACCESS_TOKENS' are written to.
    token_key: str | None = field(default=None, repr=False)
    #: The ClientToken of every property (MEWS_CLIENT_TOKEN): onboarded properties' tokens
    #: pair with it ("": the one of `credentials`).
    client_token: str = field(default="", repr=False)
    #: With a token key: how often the onboarded properties are looked at.
    integrations_poll_s: float = 2.0

    def pool_size(self) -> int:
        """Connections enough for every worker to hold its charge's or customer's lock (one
        connection each, for as long as Mews takes: charges, cancellations, notes, edits) while
        its transactions take another."""
        return max(self.database.pool_size, 3 * self.workers + self.edit_workers)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PublisherSettings:
        try:
            mews = MewsSettings.from_env(env)
        except MewsSettingsError as exc:
            raise SettingsError(str(exc)) from exc
        return cls(
            nats=NatsSettings.from_env(env),
            database=DatabaseSettings.from_env(env, SCHEMA),
            observability=ObservabilitySettings.from_env(env, SERVICE),
            mews_base_url=mews.base_url,
            credentials=mews.credentials,
            client_name=mews.client_name,
            rate_limit=RateLimitSettings(
                requests=env_int(env, "MEWS_RATE_LIMIT_REQUESTS", 200),
                per_s=env_float(env, "MEWS_RATE_LIMIT_PER_S", 30.0),
                burst=env_int(env, "MEWS_RATE_LIMIT_BURST", 20),
            ),
            mews_timeout_s=env_float(env, "MEWS_TIMEOUT_S", cls.mews_timeout_s),
            settle_s=env_float(env, "SETTLE_S", cls.settle_s),
            order_items_cancel=env_flag(env, "MEWS_ORDER_ITEMS_CANCEL", cls.order_items_cancel),
            unauthorized_pause_s=env_float(env, "UNAUTHORIZED_PAUSE_S", cls.unauthorized_pause_s),
            workers=env_int(env, "WORKERS", cls.workers),
            edit_workers=env_int(env, "EDIT_WORKERS", cls.edit_workers),
            ack_wait_s=env_float(env, "ACK_WAIT_S", cls.ack_wait_s),
            max_deliver=env_int(env, "MAX_DELIVER", cls.max_deliver),
            health_host=env.get("HEALTH_HOST", cls.health_host),
            health_port=env_int(env, "HEALTH_PORT", cls.health_port),
            token_key=mews.token_key,
            client_token=mews.client_token,
            integrations_poll_s=env_float(env, "MEWS_INTEGRATIONS_POLL_S", cls.integrations_poll_s),
        )

"""The gateway's one connection to the platform: NATS request-reply to the domain services
(always with a timeout), JetStream for the sync status and the event stream, and the
authenticator built on top. Created by the app at start, closed at stop."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import msgspec
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.errors import BucketNotFoundError

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.caller import Caller
from attendandt.contracts.events import USER_EVENT
from attendandt.contracts.streams import SIGNIN_LIMITS, ensure_streams
from attendandt.gateway.auth import Authenticator, PrincipalCache, TokenVerifier
from attendandt.gateway.context import current_request_id
from attendandt.gateway.settings import GatewaySettings
from attendandt.gateway.signin_limits import SignInLimiter
from attendandt.platform.messaging import connect
from attendandt.platform.rpc import call

log = logging.getLogger(__name__)

Req = TypeVar("Req", bound=Payload)
Resp = TypeVar("Resp", bound=Payload)

#: Every user event (any enterprise, "portfolio" included): drops that user's cached principal.
USER_EVENTS = USER_EVENT.filter()


class Backend:
    def __init__(
        self,
        settings: GatewaySettings,
        verifier: TokenVerifier | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._signin_limits: SignInLimiter | None = None
        self.verifier = verifier or TokenVerifier(
            settings.signing_key,
            settings.external_jwt,
            access_token_ttl_s=settings.access_token_ttl_s,
        )
        self.principals = PrincipalCache(settings.principal_cache_s)
        self.authenticator = Authenticator(self.verifier, self.principals, self.call)
        self._nc: NatsClient | None = None
        self._user_events: Subscription | None = None

    @property
    def nc(self) -> NatsClient:
        if self._nc is None:
            raise RuntimeError("the gateway is not started")
        return self._nc

    @property
    def js(self) -> JetStreamContext:
        return self.nc.jetstream()

    @property
    def signin_limits(self) -> SignInLimiter:
        if self._signin_limits is None:
            raise RuntimeError("the gateway is not started")
        return self._signin_limits

    async def start(self) -> None:
        self._nc = await connect(self.settings.nats, name="gateway")
        self._user_events = await self._nc.subscribe(USER_EVENTS, cb=self._on_user_event)
        js = self._nc.jetstream()
        try:
            kv = await js.key_value(SIGNIN_LIMITS.bucket)
        except BucketNotFoundError:
            # The gateway may start before any service has created the buckets.
            await ensure_streams(js, streams=(), buckets=(SIGNIN_LIMITS,))
            kv = await js.key_value(SIGNIN_LIMITS.bucket)
        self._signin_limits = SignInLimiter(kv, self.settings.rate_limits, clock=self._clock)

    async def stop(self) -> None:
        if self._nc is not None:
            await self._nc.drain()
            self._nc = None

    async def ready(self) -> dict[str, bool]:
        return {"nats": self._nc is not None and self._nc.is_connected}

    async def call(
        self,
        method: RpcMethod[Req, Resp],
        request: Req,
        *,
        caller: Caller | None = None,
        timeout: float | None = None,
    ) -> Resp:
        """One request-reply call; RpcTimeout / RpcFailure become problems (see problems).
        `caller`: the signed-in user it is made for (every call but the pre-auth ones: sign-in,
        principals, refresh tokens, a password set with a token)."""
        return await call(
            self.nc,
            method,
            request,
            timeout=timeout if timeout is not None else self.settings.rpc_timeout_s,
            correlation_id=current_request_id(),
            caller=caller,
        )

    async def _on_user_event(self, msg: Msg) -> None:
        # Only the user id is read: any change to a user may change what it is allowed.
        try:
            user_id = msgspec.json.decode(msg.data, type=_UserRef).user.user_id
        except msgspec.MsgspecError:
            return
        self.principals.forget_user(user_id)


class _UserSnapshotRef(msgspec.Struct, frozen=True):
    user_id: str


class _UserRef(msgspec.Struct, frozen=True):
    user: _UserSnapshotRef

"""`GET /api/v1/events`: domain events as server-sent events, filtered per caller.

One ordered, ephemeral JetStream consumer per client on ATTENDANDT_EVENTS, starting with
new events, or replaying after a stream sequence (`after`, or the `Last-Event-ID` a
reconnecting EventSource sends: every event's `id` is its stream sequence). A comment is
sent at once (the stream is live from then on) and every few seconds while idle.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from attendandt.contracts.rpc.users import Principal
from attendandt.contracts.streams import ATTENDANDT_EVENTS
from attendandt.gateway.events import decode_event, parse_subject, visible
from attendandt.gateway.permissions import Permission
from attendandt.gateway.problems import ProblemException
from attendandt.gateway.routes.common import BackendDep, needs, principal_of
from attendandt.platform.telemetry import delivery_span

log = logging.getLogger(__name__)

#: The span attribute holding the `id` of the server-sent event it delivered.
SSE_ID = "sse.id"
#: The server removes a client's consumer this long after the client is gone.
INACTIVE_THRESHOLD_S = 60.0

P = Permission


def _start_after(after: int | None, last_event_id: str | None) -> int | None:
    if after is not None:
        return after
    if last_event_id and last_event_id.isdigit():
        return int(last_event_id)
    return None


async def _subscribe(js: JetStreamContext, after: int | None) -> JetStreamContext.PushSubscription:
    # Every public subject version of the stream (v1, and v2 for user events).
    subjects = list(ATTENDANDT_EVENTS.subjects)
    if after is None:
        config = ConsumerConfig(deliver_policy=DeliverPolicy.NEW, filter_subjects=subjects)
    else:
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=after + 1,
            filter_subjects=subjects,
        )
    return await js.subscribe(
        ATTENDANDT_EVENTS.subjects[0],
        stream=ATTENDANDT_EVENTS.name,
        ordered_consumer=True,
        config=config,
        inactive_threshold=INACTIVE_THRESHOLD_S,
    )


async def _messages(
    sub: JetStreamContext.PushSubscription, principal: Principal, keepalive_s: float
) -> AsyncIterator[ServerSentEventMessage]:
    try:
        yield ServerSentEventMessage(comment="connected", data=None)
        while True:
            try:
                msg = await sub.next_msg(timeout=keepalive_s)
            except NatsTimeoutError:
                yield ServerSentEventMessage(comment="keep-alive", data=None)
                continue
            parsed = parse_subject(msg.subject)
            body = decode_event(msg.subject, msg.data)
            if parsed is None or body is None:
                continue
            shown = visible(principal, msg.subject, body)
            if shown is None:
                continue
            sequence = msg.metadata.sequence.stream
            # Ended once the client was written to (the generator resumes after the send):
            # the last span of the event's trace, from the Mews change to this client.
            span = delivery_span(f"sse {msg.subject}", msg.subject, msg.headers, {SSE_ID: sequence})
            try:
                yield ServerSentEventMessage(
                    data=_json(shown), event=f"{parsed.aggregate}.{parsed.event}", id=sequence
                )
            finally:
                span.end()
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()


def _json(body: dict[str, Any]) -> str:
    return msgspec.json.encode(body).decode()


@get(
    "/events",
    **needs(
        P.EVENTS_READ,
        description="Server-sent events: `event` is `<aggregate>.<event>`, `id` the stream "
        "sequence, `data` the event (JSON) as the caller may see it.",
    ),
)
async def events(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    after: Annotated[
        int | None, QueryParameter(ge=0, description="Replay the events after this sequence")
    ] = None,
    last_event_id: Annotated[
        str | None, HeaderParameter(name="Last-Event-ID", max_length=20)
    ] = None,
) -> ServerSentEvent:
    principal = principal_of(request)
    try:
        sub = await _subscribe(backend.js, _start_after(after, last_event_id))
    except NotFoundError as exc:
        raise ProblemException(503, "the event stream does not exist yet") from exc
    return ServerSentEvent(_messages(sub, principal, backend.settings.sse_keepalive_s))


events_router = Router(path="/", route_handlers=[events], tags=["events"])

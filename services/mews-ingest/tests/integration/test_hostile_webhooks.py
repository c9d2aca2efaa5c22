"""Hostile webhook bodies: every malformed one (nesting, encoding, size, shape) is a 4xx with
a problem body, one log line and a stored dead letter of at most 64 KiB; never a 5xx (Mews
would re-send it forever). A body larger than the cap is refused while it is read, never
read whole. Real nats-server, the simulator, ingest's own HTTP server; the fuzzing goes
through the same app in-process (ASGI) for speed."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_support import WEBHOOK_SECRET, stream_changes
from nats.js import JetStreamContext

from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.mews import ChangeSource
from attendandt.mews_ingest.webhooks import (
    KEPT_OF_OVERSIZED,
    MAX_BODY,
    WebhookHandlers,
    create_asgi_app,
)

EDGE_LETTERS = "deadletter.v1.mews-ingest.edge"
PROBLEM = "application/problem+json"


async def _last_letter(js: JetStreamContext) -> tuple[int, DeadLetter]:
    stored = await js.get_last_msg("DEAD_LETTERS", EDGE_LETTERS)
    return stored.seq, msgspec.json.decode(stored.data, type=DeadLetter)


def _hook(enterprise_id: Any, events: Any) -> bytes:
    return json.dumps({"EnterpriseId": enterprise_id, "Events": events}).encode()


@pytest.fixture
def refusals() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("webhook refused ("):
                records.append(record)

    logger = logging.getLogger("attendandt.mews_ingest.webhooks")
    handler = Keep(level=logging.WARNING)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


async def test_malformed_bodies_are_4xx_with_a_log_line_and_a_stored_dead_letter(
    mews_sim, jetstream: JetStreamContext, start_ingest, refusals: list[logging.LogRecord]
) -> None:
    ingest = await start_ingest()
    hotel = mews_sim.gross.id
    customer = str(uuid.uuid4())
    deep = b"[" * 200_000 + b"]" * 200_000  # RecursionError in the decoder
    cases: list[tuple[str, bytes, int, str]] = [
        ("nested", deep, 400, "nested too deeply"),
        ("nested object", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, 400, "nested too deeply"),
        ("not utf-8", b'{"EnterpriseId": "\xff\xfe", "Events": []}', 400, "not UTF-8"),
        ("bare bytes", b"\xff\xfe\x00\x01", 400, "not JSON"),
        ("a list", b"[1, 2, 3]", 400, "not a JSON object"),
        ("wrong type", _hook(7, []), 400, "General Webhook"),
        ("events not a list", _hook(hotel, {"Id": customer}), 400, "General Webhook"),
        # Ids go into subjects and headers: anything but an id is refused, not published.
        ("subject in the id", _hook("a.b.>", []), 400, "General Webhook"),
        (
            "header in an id",
            _hook(
                hotel,
                [{"Discriminator": "CustomerUpdated", "Value": {"Id": "x\r\nNats-Msg-Id: y"}}],
            ),
            400,
            "General Webhook",
        ),
        ("huge number", b'{"EnterpriseId": 1e999999, "Events": []}', 400, "out of range"),
        ("empty", b"", 400, "not JSON"),
    ]
    port = ingest.app.settings.http_port
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        for name, body, status, reason in cases:
            before = (await jetstream.stream_info("DEAD_LETTERS")).state.last_seq
            answer = await http.post(
                "/webhooks/mews", params={"Token": WEBHOOK_SECRET}, content=body
            )
            assert answer.status_code == status, (name, answer.text)
            assert answer.headers["content-type"].startswith(PROBLEM), name
            assert answer.json()["status"] == status
            assert reason in answer.json()["detail"], (name, answer.json())
            seq, letter = await _last_letter(jetstream)
            assert seq > before, f"{name}: no dead letter stored"
            assert reason in letter.reason, (name, letter.reason)
            assert letter.data == body[:KEPT_OF_OVERSIZED], name
            assert refusals[-1].getMessage().endswith(answer.json()["detail"]), name

        # Larger than the cap, declared or streamed (chunked, no length): 413 and a prefix.
        huge = b'{"EnterpriseId": "' + b"e" * (10 * 1024 * 1024) + b'"}'

        async def chunked() -> AsyncIterator[bytes]:
            for at in range(0, len(huge), 256 * 1024):
                yield huge[at : at + 256 * 1024]

        for name, content in (("declared 10 MiB", huge), ("streamed 10 MiB", chunked())):
            answer = await http.post(
                "/webhooks/mews", params={"Token": WEBHOOK_SECRET}, content=content
            )
            assert answer.status_code == 413, (name, answer.text)
            assert answer.headers["content-type"].startswith(PROBLEM)
            _, letter = await _last_letter(jetstream)
            assert letter.data == huge[:KEPT_OF_OVERSIZED], name
            assert "larger than 4 MiB" in letter.reason

        # The endpoint still takes a real delivery afterwards.
        good = _hook(hotel, [{"Discriminator": "CustomerUpdated", "Value": {"Id": customer}}])
        answer = await http.post("/webhooks/mews", params={"Token": WEBHOOK_SECRET}, content=good)
        assert answer.status_code == 202, answer.text
    stored = await stream_changes(jetstream)
    assert customer in {c.mews_id for c in stored if c.source is ChangeSource.WEBHOOK}
    # Nothing of the refused bodies was published.
    assert not {c.enterprise_id for c in stored} & {"a.b.>", "7"}
    # One refusal line per refused body, none of them with the body or the token.
    assert len(refusals) == len(cases) + 2
    for record in refusals:
        assert WEBHOOK_SECRET not in record.getMessage()
        assert len(record.getMessage()) < 500


async def test_an_endless_body_is_refused_without_being_read_whole(
    mews_sim, jetstream: JetStreamContext, start_ingest
) -> None:
    """A body that never ends: a server that read it whole would never answer."""
    ingest = await start_ingest()
    app = create_asgi_app(
        WebhookHandlers(
            WEBHOOK_SECRET,
            ingest.app.accept_webhook,
            ingest.app.reject_webhook,
            ingest.app.readiness,
            ingest.app.onboard_webhook,
        )
    )
    chunk = b"x" * (1024 * 1024)
    handed_out = 0

    async def receive() -> dict[str, Any]:
        nonlocal handed_out
        handed_out += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/webhooks/mews", "raw_path": b"/webhooks/mews",
        "query_string": f"Token={WEBHOOK_SECRET}".encode(), "root_path": "",
        "headers": [(b"content-type", b"application/json")], "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }  # fmt: skip
    await asyncio.wait_for(app(scope, receive, send), 30)  # type: ignore[arg-type]
    assert sent[0]["status"] == 413
    assert handed_out == MAX_BODY // len(chunk) + 1  # read up to the cap, not one chunk more
    _, letter = await _last_letter(jetstream)
    assert letter.data == chunk[:KEPT_OF_OVERSIZED]


# -- fuzzing ---------------------------------------------------------------------------------

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
DISCRIMINATORS = st.sampled_from(
    ["CustomerUpdated", "CustomerAdded", "ServiceOrderUpdated", "ResourceUpdated", "PaymentUpdated",
     "MessageAdded", "Unknown"]
)  # fmt: skip
IDS = st.uuids().map(str) | st.text(max_size=80) | JSON_VALUES


def _events(enterprise: str) -> st.SearchStrategy[bytes]:
    """Valid-shaped General Webhooks whose fields may be wrong (types, ids, sizes)."""
    event = st.fixed_dictionaries(
        {"Discriminator": DISCRIMINATORS | JSON_VALUES},
        optional={"Value": st.fixed_dictionaries({"Id": IDS}) | JSON_VALUES},
    )
    return st.builds(
        lambda ent, events, integration: json.dumps(
            {"EnterpriseId": ent, "IntegrationId": integration, "Events": events}
        ).encode(),
        st.just(enterprise) | IDS,
        st.lists(event, max_size=5) | JSON_VALUES,
        st.none() | IDS,
    )


def _bodies(enterprise: str) -> st.SearchStrategy[bytes]:
    nested = st.integers(min_value=1, max_value=50_000).flatmap(
        lambda depth: st.sampled_from([
            b"[" * depth + b"]" * depth,
            b'{"a":' * depth + b"0" + b"}" * depth,
            b"[" * depth,  # never closed
        ])
    )  # fmt: skip
    huge_numbers = st.integers(min_value=1, max_value=5000).map(
        lambda n: b'{"EnterpriseId": ' + b"9" * n + b', "Events": [1e99999]}'
    )
    not_utf8 = st.binary(min_size=1, max_size=40).map(
        lambda raw: b'{"EnterpriseId": "' + raw + b'\xff\xc0", "Events": []}'
    )
    return st.one_of(
        st.binary(max_size=300),
        JSON_VALUES.map(lambda v: json.dumps(v).encode()),
        nested,
        huge_numbers,
        not_utf8,
        _events(enterprise),
        _events(enterprise).map(lambda b: b[: len(b) // 2]),  # cut short
        st.sampled_from([b"Action", b'{"Action": []}', b'{"Action": "IntegrationCreated"}']),
    )


# Hypothesis warns when the global `random` state changes while it draws; here that is the
# service on the event loop (client libraries draw jitter and ids from `random`) running
# while the worker thread draws, not the strategies, which use none.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
async def test_fuzzed_webhook_bodies_never_get_a_5xx(
    mews_sim, jetstream: JetStreamContext, start_ingest
) -> None:
    """10,000 generated bodies to the real webhook app (in-process ASGI, real JetStream):
    no 5xx, every non-2xx a problem body. Hypothesis runs in a worker thread, each body is
    sent on the test's event loop (where the NATS connection lives)."""
    ingest = await start_ingest()
    app = create_asgi_app(
        WebhookHandlers(
            WEBHOOK_SECRET,
            ingest.app.accept_webhook,
            ingest.app.reject_webhook,
            ingest.app.readiness,
            ingest.app.onboard_webhook,
        )
    )
    loop = asyncio.get_running_loop()
    statuses: dict[int, int] = {}
    failures: list[str] = []
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as http:

        async def post(body: bytes) -> None:
            answer = await http.post(
                "/webhooks/mews", params={"Token": WEBHOOK_SECRET}, content=body
            )
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            if answer.status_code >= 500:
                failures.append(f"{answer.status_code} for {body[:200]!r}")
            elif answer.status_code >= 300:
                problem = answer.json()
                if not answer.headers["content-type"].startswith(PROBLEM) or (
                    problem["status"] != answer.status_code or not problem["detail"]
                ):
                    failures.append(f"no problem body for {body[:200]!r}: {answer.text[:200]}")

        @settings(
            max_examples=10_000,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(_bodies(mews_sim.gross.id))
        def fuzz(body: bytes) -> None:
            asyncio.run_coroutine_threadsafe(post(body), loop).result(timeout=60)

        await asyncio.to_thread(fuzz)
    assert failures == []
    assert sum(statuses.values()) >= 10_000
    # The generator reached both sides: accepted deliveries and refusals.
    assert statuses.get(202, 0) > 0
    assert statuses.get(400, 0) > 0
    print(f"fuzzed webhook answers: {dict(sorted(statuses.items()))}")


async def test_a_hostile_websocket_frame_is_a_bounded_dead_letter(
    mews_sim, jetstream: JetStreamContext, start_ingest
) -> None:
    """A frame of up to the socket's 16 MiB that is not a frame: a dead letter that fits (its
    first 64 KiB), and the handler returns (the socket goes on reading)."""
    ingest = await start_ingest()
    enterprise = ingest.app.enterprises[mews_sim.gross.id]
    live = ingest.app.live
    assert live is not None
    frame = b'{"Events": [' + b"[" * (2 * 1024 * 1024) + b"]}"
    await live.on_frame(enterprise, frame)
    _, letter = await _last_letter(jetstream)
    assert letter.subject == f"websocket.{mews_sim.gross.id}"
    assert letter.data == frame[:KEPT_OF_OVERSIZED]
    assert "WebSocket frame" in letter.reason

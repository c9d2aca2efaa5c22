"""One trace from a change in Mews to the dashboard's live stream, through the whole system as
`make run` starts it (the `stack` fixture, its services sending their spans over OTLP to a
collector in this test): ingest takes the event, sync reads Mews and commands guests, guests
stores the stay and announces it through its outbox, and the gateway writes it to a
signed-in user's server-sent event stream."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from stack_support import Events, ReceivedSpan, SpanReceiver, mews_call, signed_in, wait_until

pytestmark = pytest.mark.slow


def _chain(spans: SpanReceiver, leaf: ReceivedSpan) -> list[ReceivedSpan] | None:
    """`leaf` and its ancestors up to a root, root first, whichever trace each parent is in;
    None while one of them has not been received yet (each service sends in its own time)."""
    received = {s.span_id: s for s in list(spans.spans)}
    chain = [leaf]
    while chain[-1].parent_id:
        parent = received.get(chain[-1].parent_id)
        if parent is None:
            return None
        chain.append(parent)
    return chain[::-1]


@pytest.mark.timeout(900)
def test_a_reservation_change_is_one_trace_from_mews_to_the_live_stream(stack) -> None:
    spans: SpanReceiver = stack["spans"]
    sim = stack["sim"]
    enterprise = mews_call(sim, "configuration/get")["Enterprise"]["Id"]
    client = signed_in(stack)
    events = Events(client)
    try:
        created = httpx.post(
            f"{sim}/_sim/reservations", json={"enterprise_id": enterprise, "state": "Confirmed"}
        )
        created.raise_for_status()
        reservation_id = created.json()["Id"]

        def announced() -> dict[str, Any] | None:
            return next(
                (
                    e
                    for e in list(events.items)
                    if e.get("event", "").startswith("stay.")
                    and e["data"].get("stay", {}).get("mews_id") == reservation_id
                ),
                None,
            )

        # Right after start-up the stay waits behind the initial import (thousands of stays).
        message = wait_until("the new stay on the live stream", announced, timeout=600)
    finally:
        events.close()
        client.close()

    def delivered() -> ReceivedSpan | None:
        return next(
            (
                s
                for s in list(spans.spans)
                if s.service == "gateway" and str(s.attributes.get("sse.id")) == message["id"]
            ),
            None,
        )

    sse = wait_until("the gateway's span of the message", delivered, timeout=120)
    chain = wait_until(
        "every span from Mews to the stream", lambda: _chain(spans, sse), timeout=120
    )

    assert {s.trace_id for s in chain} == {sse.trace_id}
    stay_subject = f"attendandt.v1.{enterprise}.{message['event']}"
    change_subject = f"mews.v1.{enterprise}.change.reservation"
    assert [(s.service, s.name) for s in chain[1:]] == [
        ("mews-ingest", f"publish {change_subject}"),
        ("sync", f"process {change_subject}"),
        ("sync", "publish cmd.v1.guests.upsert_stay"),
        ("guests", "process cmd.v1.guests.upsert_stay"),
        ("guests", f"publish {stay_subject}"),
        ("gateway", f"sse {stay_subject}"),
    ], [(s.service, s.name) for s in chain]
    root = chain[0]
    assert root.service == "mews-ingest"
    assert root.name in ("receive mews websocket", "receive mews webhook")
    assert root.attributes["mews.enterprise_id"] == enterprise

"""The gateway's health port serves `/metrics`: each request's duration by route template
(never the path itself, which carries ids) and status."""

from __future__ import annotations

from gateway_testkit import FakeServices, gateway_settings, serve
from nats.js import JetStreamContext

from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import ensure_streams
from attendandt.gateway.app import create_app
from attendandt.testing.metrics import scrape

DURATION = "attendandt_http_request_duration_seconds_count"


async def test_http_latency_by_route_is_scraped(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices
) -> None:
    await ensure_streams(jetstream)
    async with serve(create_app(gateway_settings(nats_url, health_port=0))) as running:
        assert running.gateway.health is not None
        port = running.gateway.health.port
        before = await scrape(port)
        headers = running.auth(UserRole.FRONT_DESK)
        for _ in range(3):
            found = await running.client.get("/api/v1/guests/g-1", headers=headers)
            assert found.status_code == 200, found.text
        unknown = await running.client.get("/api/v1/no-such-thing/4711", headers=headers)
        assert unknown.status_code == 404
        after = await scrape(port)

    route = "/api/v1/guests/{guest_id}"
    labels = {"method": "GET", "route": route, "status": "200"}
    assert after.value(DURATION, **labels) - before.value(DURATION, **labels) == 3
    assert after.value("attendandt_http_request_duration_seconds_sum", **labels) > before.value(
        "attendandt_http_request_duration_seconds_sum", **labels
    )
    unmatched = {"method": "GET", "route": "(unmatched)", "status": "404"}
    assert after.value(DURATION, **unmatched) - before.value(DURATION, **unmatched) == 1
    # No id from a path in any label (values are numbers: "4711" may well be in one).
    labels_seen = [
        line.split("{", 1)[1].split("}", 1)[0] for line in after.text.splitlines() if "{" in line
    ]
    assert not [seen for seen in labels_seen if "4711" in seen or "g-1" in seen]

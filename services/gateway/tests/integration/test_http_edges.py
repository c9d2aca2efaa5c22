"""The HTTP edge: every error a problem (503/504 from slow or absent services, 502, 400,
404, 405, 429), request ids, security headers, CORS, the OpenAPI document, the web app."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from gateway_testkit import UNLIMITED, FakeServices, Running, gateway_settings, serve
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from attendandt.contracts import asyncapi
from attendandt.contracts.rpc import users as users_rpc
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import ensure_streams
from attendandt.gateway.app import create_app
from attendandt.platform.rpc import Conflict, ServiceError

PROBLEM = "application/problem+json"


def _is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert {"type", "title", "status", "instance"} <= set(problem)
    return problem


async def test_absent_service_is_503_and_slow_service_504(
    nats_url: str, nats_client: NatsClient, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    fake = FakeServices(nats_client)
    await fake.start(methods=users_rpc.METHODS)  # no guests service at all
    try:
        async with serve(create_app(gateway_settings(nats_url, rpc_timeout_s=0.3))) as running:
            loop = asyncio.get_running_loop()
            started = loop.time()
            absent = await running.client.get(
                "/api/v1/guests", headers=running.auth(UserRole.FRONT_DESK)
            )
            problem = _is_problem(absent, 503)
            assert problem["type"].endswith("service-unavailable")
            assert absent.headers["retry-after"] == "5"

            async def slow(request: Any) -> Any:
                await asyncio.sleep(2)
                raise AssertionError("too late to matter")

            fake.overrides["get_user"] = slow
            started = loop.time()
            late = await running.client.get(
                "/api/v1/users/u-desk", headers=running.auth(UserRole.ADMIN)
            )
            assert loop.time() - started < 1.5
            assert _is_problem(late, 504)["type"].endswith("upstream-timeout")
    finally:
        await fake.stop()


async def test_domain_refusals_keep_their_status(gateway: Running, services: FakeServices) -> None:
    async def conflict(_: Any) -> Any:
        raise Conflict("the booking is already fulfilled")

    async def broken(_: Any) -> Any:
        raise RuntimeError("database password is hunter2")

    services.overrides["confirm_booking"] = conflict
    services.overrides["get_booking"] = broken
    desk = gateway.auth(UserRole.FRONT_DESK)
    refused = await gateway.client.post("/api/v1/bookings/b-1/confirm", headers=desk)
    assert _is_problem(refused, 409)["detail"] == "the booking is already fulfilled"
    failed = await gateway.client.get("/api/v1/bookings/b-1", headers=desk)
    assert _is_problem(failed, 502)["type"].endswith("upstream-error")
    assert "hunter2" not in failed.text

    class Teapot(ServiceError):
        status = 422
        title = "Invalid request"

    async def invalid(_: Any) -> Any:
        raise Teapot("quantity is too large")

    services.overrides["create_booking"] = invalid
    body = {"offering_id": "o-1", "guest_id": "g-1", "stay_id": "s-1"}
    answer = await gateway.client.post("/api/v1/bookings", json=body, headers=desk)
    assert _is_problem(answer, 422)["detail"] == "quantity is too large"


async def test_framework_errors_are_problems(gateway: Running) -> None:
    desk = gateway.auth(UserRole.FRONT_DESK)
    invalid = await gateway.client.post(
        "/api/v1/bookings", json={"offering_id": "o-1", "quantity": 0}, headers=desk
    )
    problem = _is_problem(invalid, 400)
    assert problem["errors"]
    bad_query = await gateway.client.get("/api/v1/guests?limit=0", headers=desk)
    assert _is_problem(bad_query, 400)["errors"][0]["key"] == "limit"
    not_json = await gateway.client.post(
        "/api/v1/bookings", content=b"{nope", headers={**desk, "content-type": "application/json"}
    )
    _is_problem(not_json, 400)
    _is_problem(await gateway.client.get("/api/v1/nothing-here", headers=desk), 404)
    _is_problem(await gateway.client.get("/nothing-here"), 404)
    _is_problem(await gateway.client.delete("/api/v1/guests", headers=desk), 405)
    _is_problem(await gateway.client.get("/api/v1/guests"), 401)
    bad_scheme = await gateway.client.get("/api/v1/guests", headers={"Authorization": "Basic x"})
    _is_problem(bad_scheme, 401)


async def test_request_id_and_security_headers(gateway: Running) -> None:
    response = await gateway.client.get(
        "/api/v1/auth/me",
        headers={**gateway.auth(UserRole.VENDOR), "X-Request-ID": "req-12345678"},
    )
    assert response.headers["x-request-id"] == "req-12345678"
    for unmatched in ("/api/v1/auth/me", "/definitely/not/here"):
        headers = (await gateway.client.get(unmatched)).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert len(headers["x-request-id"]) >= 8
    problem = (await gateway.client.get("/api/v1/guests")).json()
    assert problem["request_id"]


async def test_cors_allows_the_configured_origin_only(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices
) -> None:
    await ensure_streams(jetstream)
    settings = gateway_settings(nats_url, cors_origins=("https://app.hotel.example",))
    async with serve(create_app(settings)) as running:
        preflight = {"Access-Control-Request-Method": "GET",
                     "Access-Control-Request-Headers": "authorization"}  # fmt: skip
        allowed = await running.client.options(
            "/api/v1/guests", headers={"Origin": "https://app.hotel.example", **preflight}
        )
        assert allowed.status_code == 204
        assert allowed.headers["access-control-allow-origin"] == "https://app.hotel.example"
        other = await running.client.options(
            "/api/v1/guests", headers={"Origin": "https://evil.example", **preflight}
        )
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"


async def test_sign_in_is_rate_limited_more_strictly(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices
) -> None:
    await ensure_streams(jetstream)
    limits = replace(UNLIMITED, api_per_minute=1000, login_per_minute=3)
    async with serve(create_app(gateway_settings(nats_url, rate_limits=limits))) as running:
        answers = [
            await running.client.post(
                "/api/v1/auth/login", json={"email": f"u{i}@hotel.example", "password": "guess"}
            )
            for i in range(4)
        ]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        problem = _is_problem(answers[3], 429)
        assert problem["type"].endswith("rate-limited")
        assert int(answers[3].headers["retry-after"]) == problem["retry_after"] >= 1
        # The rest of the API still answers.
        me = await running.client.get("/api/v1/auth/me", headers=running.auth(UserRole.VENDOR))
        assert me.status_code == 200


async def test_the_api_limit_says_when_to_come_back(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices
) -> None:
    await ensure_streams(jetstream)
    limits = replace(UNLIMITED, api_per_minute=2)
    async with serve(create_app(gateway_settings(nats_url, rate_limits=limits))) as running:
        desk = running.auth(UserRole.FRONT_DESK)
        answers = [await running.client.get("/api/v1/guests", headers=desk) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        problem = _is_problem(answers[2], 429)
        assert int(answers[2].headers["retry-after"]) == problem["retry_after"] >= 1


async def test_openapi_document_and_docs_page(gateway: Running) -> None:
    document = (await gateway.client.get("/schema/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/guests" in document["paths"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = await gateway.client.get("/schema")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]


async def test_the_event_catalogue_is_served_without_sign_in(gateway: Running) -> None:
    response = await gateway.client.get("/api/v1/asyncapi.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == json.loads(asyncapi.ASYNCAPI_PATH.read_text())
    assert "attendandt.v1.guest" in response.json()["channels"]
    # Listed in the OpenAPI document beside the other routes.
    document = (await gateway.client.get("/schema/openapi.json")).json()
    assert "/api/v1/asyncapi.json" in document["paths"]


async def test_the_web_app_with_spa_fallback(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices, tmp_path: Path
) -> None:
    await ensure_streams(jetstream)
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "app-1234.js").write_text("console.log('hi')")
    (tmp_path.parent / "secret.txt").write_text("outside")
    async with serve(create_app(gateway_settings(nats_url, web_dist=tmp_path))) as running:
        index = await running.client.get("/")
        assert index.status_code == 200
        assert "id=root" in index.text
        deep = await running.client.get("/guests/g-1/timeline")
        assert deep.status_code == 200
        assert "id=root" in deep.text
        asset = await running.client.get("/assets/app-1234.js")
        assert "javascript" in asset.headers["content-type"]
        assert "immutable" in asset.headers["cache-control"]
        escape = await running.client.get("/%2e%2e/secret.txt")
        assert "outside" not in escape.text
        _is_problem(await running.client.get("/api/v1/unknown"), 404)
        assert (await running.client.get("/schema/openapi.json")).status_code == 200

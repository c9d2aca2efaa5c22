"""Every API route, for every role, against the permission table: the table says allowed →
the route answers 2xx; it says no → 403 problem. Generated from the app's own route list, so
a new route without a permission (or without an example request here) fails."""

from __future__ import annotations

import re
from typing import Any

import pytest
from gateway_testkit import ENT, OTHER_VENDOR_USER, PRE_AUTH, PRINCIPALS, FakeServices, Running
from litestar.routes import HTTPRoute

from attendandt.contracts.caller import Caller
from attendandt.contracts.snapshots import UserRole
from attendandt.gateway.app import API_PREFIX
from attendandt.gateway.permissions import PUBLIC_KEY, allowed, caller_of, required

#: Path parameter values: objects of vendor v-1 (the vendor user's own) in enterprise ENT.
PATH_VALUES = {
    "guest_id": "g-1", "stay_id": "s-1", "vendor_id": "v-1", "offering_id": "o-1",
    "booking_id": "b-1", "charge_id": "c-1", "user_id": "u-desk", "enterprise_id": ENT,
    "note_id": "n-1", "request_id": "r-1",
}  # fmt: skip
#: Required query parameters and bodies, by (method, path template).
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/arrivals"): {"date": "2026-11-25"},
    ("GET", "/departures"): {"date": "2026-11-25"},
    ("GET", "/in-house"): {"date": "2026-11-25", "timezone": "Europe/Prague"},
    ("GET", "/vendors/{vendor_id}/settlement"): {
        "from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z",
    },
}  # fmt: skip
#: Routes that call no service (the token, the KV buckets or the event stream answer them).
NO_CALL = {"/auth/me", "/sync", "/sync/{enterprise_id}", "/events"}
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/auth/login"): {"email": "desk@hotel.example", "password": "correct horse battery"},
    ("POST", "/auth/refresh"): {"refresh_token": "rt-1"},
    ("POST", "/auth/logout"): {"refresh_token": "rt-1"},
    ("POST", "/auth/set-password"): {"token": "spt", "new_password": "a long new password"},
    ("POST", "/vendors"): {"enterprise_id": ENT, "name": "Gym", "category": "fitness"},
    ("PATCH", "/vendors/{vendor_id}"): {"name": "Lagoon Spa & Sauna"},
    ("POST", "/vendors/{vendor_id}/offerings"): {
        "name": "Massage", "unit_price": "85.50", "currency": "EUR", "mews_service_id": "svc-1",
    },
    ("PATCH", "/offerings/{offering_id}"): {"unit_price": "90.00"},
    ("POST", "/bookings"): {"offering_id": "o-1", "guest_id": "g-1", "stay_id": "s-1"},
    ("POST", "/bookings/{booking_id}/decline"): {"reason": "fully booked"},
    ("POST", "/bookings/{booking_id}/cancel"): {"reason": "guest changed plans"},
    ("POST", "/charges"): {"offering_id": "o-1", "guest_id": "g-1", "stay_id": "s-1"},
    ("POST", "/charges/{charge_id}/reject"): {"reason": "no booking for this"},
    ("POST", "/charges/{charge_id}/cancel"): {"reason": "the guest was not satisfied"},
    ("PATCH", "/billing-settings"): {"max_charge_amount": "800"},
    ("POST", "/users"): {"email": "new@hotel.example", "name": "New", "role": "front_desk"},
    ("POST", "/users/{user_id}/role"): {"role": "manager"},
    ("POST", "/sync/{enterprise_id}/resync"): {"entities": ["Customer"]},
    ("PATCH", "/guests/{guest_id}"): {"base_version": "2026-11-25T12:00:00Z", "phone": "+44 1"},
    ("POST", "/stays/{stay_id}/notes"): {"text": "Extra towels"},
    ("PUT", "/stays/{stay_id}/notes/{note_id}"): {"text": "Late, 23:00", "base_text": "Late"},
    ("POST", "/guests/{guest_id}/erase"): {"reason": "The guest asked to be forgotten"},
    ("POST", "/guests/{guest_id}/conflicts/resolve"): {
        "edit_id": "e-1", "choices": [{"field": "phone", "keep": "mews"}],
    },
    ("PUT", "/properties/{enterprise_id}/edit-rules"): {
        "rules": [{"field": "notes", "rule": "we_win"}],
    },
}  # fmt: skip


def api_routes(running: Running) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path template under the API prefix, the handler's opt) for every API route."""
    found = []
    for route in running.gateway.litestar.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(API_PREFIX):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                template = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path[len(API_PREFIX) :])
                found.append((method, template, dict(handler.opt)))
    return found


def _url(template: str) -> str:
    return API_PREFIX + template.format(**PATH_VALUES)


async def _request(running: Running, method: str, template: str, headers: dict[str, str]) -> Any:
    url = _url(template)
    params = QUERIES.get((method, template))
    body = BODIES.get((method, template))
    if template == "/events":
        async with running.client.stream("GET", url, headers=headers) as response:
            if response.status_code == 200:
                async for line in response.aiter_lines():
                    assert line.startswith(":")  # the stream's opening comment
                    break
            else:
                await response.aread()
            return response
    return await running.client.request(method, url, params=params, json=body, headers=headers)


def _made_for(services: FakeServices) -> dict[str, Caller | None]:
    """The callers of the calls a request made (every call is made before the answer)."""
    return {s: c for s, c in services.callers if s not in PRE_AUTH}


async def test_every_api_route_names_a_permission(gateway: Running) -> None:
    routes = api_routes(gateway)
    assert len(routes) >= 36
    unnamed = [(m, p) for m, p, opt in routes if not opt.get(PUBLIC_KEY) and not required(opt)]
    assert unnamed == []
    needing_body = [(m, p) for m, p, _ in routes if m in ("POST", "PATCH") and (m, p) not in BODIES]
    bodiless = {"/deactivate", "/confirm", "/fulfil", "/retry", "/password-token", "/approve"}
    assert [r for r in needing_body if not any(r[1].endswith(s) for s in bodiless)] == []


async def test_every_route_for_every_role(gateway: Running, services: FakeServices) -> None:
    """...and every call a route makes for a signed-in user carries that user's `Caller` (its
    role's permissions, its property, its vendor) in the header; only sign-in and what
    precedes it go without."""
    checked = 0
    for method, template, opt in api_routes(gateway):
        if opt.get(PUBLIC_KEY):
            response = await _request(gateway, method, template, {})
            assert response.status_code < 300, (method, template, response.text)
            continue
        anonymous = await _request(gateway, method, template, {})
        assert anonymous.status_code == 401, (method, template)
        assert anonymous.headers["content-type"].startswith("application/problem+json")
        for role in UserRole:
            services.callers.clear()
            response = await _request(gateway, method, template, gateway.auth(role))
            if allowed(role, opt):
                assert response.status_code < 300, (role, method, template, response.text)
                made_for = _made_for(services)
                assert made_for or template in NO_CALL, (role, method, template)
                expected = caller_of(PRINCIPALS[role])
                assert set(made_for.values()) <= {expected}, (role, method, template, made_for)
            else:
                assert response.status_code == 403, (role, method, template, response.text)
                problem = response.json()
                assert problem["status"] == 403
                assert problem["title"] == "Forbidden"
                assert problem["instance"] == _url(template)
            checked += 1
    assert checked >= 4 * 30


@pytest.mark.parametrize(
    "path",
    [
        "/bookings/b-1", "/charges/c-1", "/offerings/o-1", "/vendors/v-1",
        "/vendors/v-1/offerings",
    ],
)  # fmt: skip
async def test_a_vendor_never_sees_another_vendors_objects(gateway: Running, path: str) -> None:
    """Objects of vendor v-1 asked for by the user of vendor v-2: 404, never the data."""
    response = await gateway.client.get(API_PREFIX + path, headers=gateway.auth(OTHER_VENDOR_USER))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert set(problem) <= {"type", "title", "status", "detail", "instance", "request_id"}
    assert "Lagoon" not in response.text


async def test_a_vendor_may_not_filter_on_another_vendor(gateway: Running) -> None:
    for path in ("/bookings", "/charges"):
        response = await gateway.client.get(
            API_PREFIX + path, params={"vendor_id": "v-1"}, headers=gateway.auth(OTHER_VENDOR_USER)
        )
        assert response.status_code == 403


async def test_vendor_sees_guests_through_the_vendor_safe_view(gateway: Running) -> None:
    vendor = gateway.auth(UserRole.VENDOR)
    staff = gateway.auth(UserRole.FRONT_DESK)
    for path, params in [
        ("/guests", {"q": "love"}),
        ("/guests/g-1", {}),
        ("/stays/s-1", {}),
        ("/in-house", {"date": "2026-11-25"}),
    ]:
        seen = await gateway.client.get(API_PREFIX + path, params=params, headers=vendor)
        assert seen.status_code == 200
        assert seen.json()["view"] == "vendor"
        for secret in ("ada@example.com", "600 000 001", "nuts", "1815", "c-1", "m-g-1"):
            assert secret not in seen.text, (path, secret)
        assert "timeline" not in seen.json()
        full = await gateway.client.get(API_PREFIX + path, params=params, headers=staff)
        assert full.json()["view"] == "staff"
    detail = (await gateway.client.get(API_PREFIX + "/guests/g-1", headers=vendor)).json()
    assert detail["guest"] == {
        "guest_id": "g-1", "enterprise_id": ENT, "first_name": "Ada", "last_name": "Lovelace",
    }  # fmt: skip
    assert detail["stays"][0]["room"] == "101"


async def test_staff_of_one_property_cannot_ask_about_another(gateway: Running) -> None:
    """Another property answers as one that does not exist: 404, never 403."""
    response = await gateway.client.get(
        API_PREFIX + "/guests",
        params={"enterprise_id": "another-hotel"},
        headers=gateway.auth(UserRole.FRONT_DESK),
    )
    # Not found, not forbidden: the answer must not tell which properties exist.
    assert response.status_code == 404
    assert PRINCIPALS[UserRole.FRONT_DESK].enterprise_id == ENT

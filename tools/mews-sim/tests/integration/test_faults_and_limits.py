"""Rate limit (429 with/without Retry-After) and injected faults."""

from __future__ import annotations

import time

import httpx
import pytest

BODY = {
    "Extent": {"Customers": True},
    "Emails": ["j.smith@example.com"],
    "Limitation": {"Count": 1},
}


def test_sliding_rate_limit_with_retry_after(api, mews_sim) -> None:
    mews_sim.control.rate_limit(limit=5, window_s=1.0, retry_after=True)
    statuses = [api("customers/getAll", BODY).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429, 429]
    limited = api("customers/getAll", BODY)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "1"
    assert limited.json()["Message"]
    # Per AccessToken: another token of the same enterprise is not limited.
    assert api("customers/getAll", BODY, token=mews_sim.gross.tokens[1]).status_code == 200
    time.sleep(1.05)
    assert api("customers/getAll", BODY).status_code == 200
    assert mews_sim.control.counters()["rate_limited"] == 3


def test_rate_limit_without_retry_after(api, mews_sim) -> None:
    mews_sim.control.rate_limit(limit=2, window_s=30, retry_after=False)
    responses = [api("configuration/get") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert "Retry-After" not in responses[2].headers


def test_default_limit_is_200_per_30_seconds(api, mews_sim) -> None:
    config = mews_sim.control.info()["rate_limit"]
    assert config == {"enabled": True, "limit": 200, "window_s": 30.0, "retry_after": True}


def test_injected_errors_per_path(api, mews_sim) -> None:
    mews_sim.control.fail_next(2, status=503, path="customers/getAll")
    assert api("configuration/get").status_code == 200
    first, second, third = (api("customers/getAll", BODY) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.json()["RequestId"] == first.headers["Request-Id"]
    counters = mews_sim.control.counters()
    assert counters["faults_injected"] == 2
    assert counters["requests_by_path"]["customers/getAll"] == 3
    assert counters["requests_by_token"]["gross-1"] >= 2


def test_injected_refusals_of_an_operation(api, mews_sim) -> None:
    """A Restricted operation not granted (401), a property's rule (403); nothing else 4xx."""
    mews_sim.control.fail_next(1, status=401, path="orderItems/cancel")
    mews_sim.control.fail_next(1, status=403, path="orderItems/cancel")
    body = {"OrderItemIds": ["f5c6b7a8-9d4f-4e2a-8a3b-2f3b8b9e6a1f"]}
    not_granted, forbidden = (api("orderItems/cancel", body) for _ in range(2))
    assert not_granted.status_code == 401
    assert not_granted.json()["Message"] == "The operation is not permitted for this integration."
    assert forbidden.status_code == 403
    assert api("orderItems/cancel", body).status_code == 200  # nothing was applied before
    with pytest.raises(httpx.HTTPStatusError):
        mews_sim.control.fail_next(1, status=404)


def test_latency(api, mews_sim) -> None:
    mews_sim.control.latency(0.4, count=1)
    started = time.monotonic()
    assert api("configuration/get").status_code == 200
    assert time.monotonic() - started >= 0.4


ITEM = {"Name": "Minibar", "UnitCount": 1, "UnitAmount": {"Currency": "GBP", "GrossValue": 4}}
ORDER = {
    "ServiceId": "fc79a518-bc69-45b8-93bd-83326201bd14",
    "AccountId": "fadd5bb6-b428-45d5-94f8-fd0d89fece6d",
}


@pytest.mark.parametrize("mode", ["hold", "drop"])
def test_write_commits_but_client_never_hears(api, mews_sim, mode) -> None:
    mews_sim.control.lose_response(path="orders/add", mode=mode, hold_s=3)
    token = mews_sim.gross.token
    with pytest.raises((httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError)):
        httpx.post(
            mews_sim.api_url("orders/add"),
            json={
                **token.body(),
                **ORDER,
                "Items": [{**ITEM, "ExternalIdentifier": f"lost-{mode}"}],
            },
            timeout=1.0,
        )
    items = api(
        "orderItems/getAll", {"AccountIds": [ORDER["AccountId"]], "Limitation": {"Count": 1000}}
    ).json()
    assert [i["ExternalIdentifier"] for i in items["OrderItems"]].count(f"lost-{mode}") == 1
    assert mews_sim.control.counters()["orders_created"] == 1
    # The fault is used up: the next write answers normally.
    assert api("orders/add", {**ORDER, "Items": [ITEM]}).status_code == 200

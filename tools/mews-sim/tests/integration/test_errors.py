"""Mews-style errors: status, `{"Message", "RequestId"}` body, `Request-Id` header, never a 500."""

from __future__ import annotations

import pytest

CUSTOMERS_BODY = {
    "Extent": {"Customers": True},
    "Limitation": {"Count": 10},
    "UpdatedUtc": {"StartUtc": "2024-01-01T00:00:00Z", "EndUtc": "2024-02-01T00:00:00Z"},
}


def assert_error(response, status: int, fragment: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["Message"], str)
    assert fragment in body["Message"]
    assert body["RequestId"] == response.headers["Request-Id"]


def test_every_response_has_a_request_id(api, http, mews_sim) -> None:
    ok = api("configuration/get")
    assert ok.status_code == 200
    assert ok.headers["Request-Id"]
    control = http.get(f"{mews_sim.base_url}/_sim/health")
    assert control.headers["Request-Id"]
    assert ok.headers["Request-Id"] != api("configuration/get").headers["Request-Id"]


@pytest.mark.parametrize(("access", "client"), [("WRONG", None), (None, "WRONG"), ("", None)])
def test_bad_tokens_are_401(mews_sim, http, access, client) -> None:
    token = mews_sim.gross.token
    body = {
        "ClientToken": client if client is not None else token.client_token,
        "AccessToken": access if access is not None else token.access_token,
        "Client": "t",
    }
    assert_error(http.post(mews_sim.api_url("configuration/get"), json=body), 401, "Invalid")


def test_net_access_token_with_gross_client_token_mismatch_is_401(mews_sim, http) -> None:
    body = {
        "ClientToken": mews_sim.gross.tokens[1].client_token,
        "AccessToken": mews_sim.net.tokens[0].access_token,
        "Client": "t",
    }
    assert_error(http.post(mews_sim.api_url("configuration/get"), json=body), 401)


def test_missing_client_is_400(mews_sim, http) -> None:
    token = mews_sim.gross.token
    body = {"ClientToken": token.client_token, "AccessToken": token.access_token}
    assert_error(http.post(mews_sim.api_url("configuration/get"), json=body), 400, "Client")


@pytest.mark.parametrize(
    "path",
    [
        "configuration/get/",
        "Configuration/get",
        "configuration/GET",
        "customers/getall",
        "nothing/here",
        "reservations/getAll/2023-06-07",
    ],
)
def test_wrong_paths_are_404(mews_sim, http, path) -> None:
    token = mews_sim.gross.token
    assert_error(http.post(mews_sim.api_url(path), json=token.body()), 404)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_are_404(mews_sim, http, method) -> None:
    response = http.request(method, mews_sim.api_url("configuration/get"))
    assert_error(response, 404)


def test_unknown_root_path_is_404_json(mews_sim, http) -> None:
    assert_error(http.get(f"{mews_sim.base_url}/api/connector/v2/x"), 404)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b'{"a": 1,}',
        b"[1, 2]",
        b"null",
        b"42",
        b'"text"',
        b"\xff\xfe",
        b"[" * 5000 + b"]" * 5000,
        b'{"ClientToken": NaN}',
    ],
)
def test_malformed_bodies_are_400(mews_sim, http, raw) -> None:
    response = http.post(
        mews_sim.api_url("customers/getAll"),
        content=raw,
        headers={"content-type": "application/json"},
    )
    assert_error(response, 400, "Invalid JSON")


def test_limitation_is_required_and_bounded(api) -> None:
    base = {k: v for k, v in CUSTOMERS_BODY.items() if k != "Limitation"}
    assert_error(api("customers/getAll", base), 400, "Limitation")
    for bad in (0, 1001, -1, "10", 1.5, None, True):
        assert_error(
            api("customers/getAll", {**base, "Limitation": {"Count": bad}}), 400, "Limitation"
        )
    assert_error(
        api("customers/getAll", {**base, "Limitation": {"Count": 5, "Cursor": "not-a-guid"}}), 400
    )
    assert api("customers/getAll", {**base, "Limitation": {"Count": 1000}}).status_code == 200


def test_id_arrays_are_capped(api) -> None:
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1001)]
    assert_error(
        api("customers/getAll", {**CUSTOMERS_BODY, "CustomerIds": ids}), 400, "CustomerIds"
    )
    assert api("customers/getAll", {**CUSTOMERS_BODY, "CustomerIds": ids[:1000]}).status_code == 200
    # 100 is the documented cap for AccountIds on order items.
    assert_error(
        api("orderItems/getAll", {"AccountIds": ids[:101], "Limitation": {"Count": 10}}),
        400,
        "AccountIds",
    )
    assert (
        api("orderItems/getAll", {"AccountIds": ids[:100], "Limitation": {"Count": 10}}).status_code
        == 200
    )
    # 1 is the cap for CompanyIds on customers.
    assert_error(
        api("customers/getAll", {**CUSTOMERS_BODY, "CompanyIds": ids[:2]}), 400, "CompanyIds"
    )


def test_time_intervals_are_at_most_three_months(api) -> None:
    body = {
        **CUSTOMERS_BODY,
        "UpdatedUtc": {"StartUtc": "2024-01-01T00:00:00Z", "EndUtc": "2024-04-01T00:00:00Z"},
    }
    assert api("customers/getAll", body).status_code == 200
    body["UpdatedUtc"]["EndUtc"] = "2024-04-01T00:00:01Z"
    assert_error(api("customers/getAll", body), 400, "UpdatedUtc")
    body["UpdatedUtc"] = {"StartUtc": "2024-02-01T00:00:00Z", "EndUtc": "2024-01-01T00:00:00Z"}
    assert_error(api("customers/getAll", body), 400, "UpdatedUtc")
    body["UpdatedUtc"] = {"StartUtc": "yesterday", "EndUtc": "2024-01-01T00:00:00Z"}
    assert_error(api("customers/getAll", body), 400, "UpdatedUtc")


def test_required_filters(api) -> None:
    assert_error(
        api("customers/getAll", {"Extent": {"Customers": True}, "Limitation": {"Count": 5}}),
        400,
        "CustomerIds",
    )
    assert_error(api("bills/getAll", {"Limitation": {"Count": 5}}), 400, "BillIds")
    assert_error(api("orderItems/getAll", {"Limitation": {"Count": 5}}), 400)
    assert_error(api("products/getAll", {"Limitation": {"Count": 5}}), 400, "ServiceIds")
    assert_error(api("resources/getAll", {"Limitation": {"Count": 5}}), 400, "Extent")


FUZZ_VALUES = [
    None,
    True,
    0,
    -1,
    10**30,
    1.5,
    "",
    "x" * 10000,
    [],
    [None],
    [1, 2],
    {},
    {"Value": None},
    ["00000000-0000-4000-8000-000000000000"] * 2000,
]
FUZZ_OPERATIONS = [
    "customers/getAll",
    "customers/add",
    "customers/update",
    "reservations/getAll/2023-06-06",
    "reservations/add",
    "reservations/cancel",
    "reservations/start",
    "orders/add",
    "orderItems/getAll",
    "bills/getAll",
    "resources/getAll",
    "products/getAll",
    "rates/getAll",
    "companies/getAll",
    "services/getAll",
    "customers/search",
    "enterprises/getAll",
]
FUZZ_FIELDS = [
    "Limitation",
    "Extent",
    "CustomerIds",
    "UpdatedUtc",
    "ServiceId",
    "AccountId",
    "Reservations",
    "ReservationIds",
    "ReservationId",
    "Items",
    "ProductOrders",
    "LastName",
    "OverwriteExisting",
    "Email",
    "CustomerId",
    "Name",
    "States",
    "EnterpriseIds",
    "BillId",
    "ServiceIds",
    "Address",
]


@pytest.mark.parametrize("operation", FUZZ_OPERATIONS)
def test_fuzzed_fields_never_answer_500(api, mews_sim, operation) -> None:
    mews_sim.control.rate_limit(enabled=False)
    for n, field in enumerate(FUZZ_FIELDS):
        for value in FUZZ_VALUES[n % 3 :: 3]:
            response = api(
                operation, {field: value, "Limitation": {"Count": 3}, "Extent": {"Customers": True}}
            )
            assert response.status_code in (200, 400, 403), (operation, field, value, response.text)
            assert "Message" in response.json() or response.status_code == 200

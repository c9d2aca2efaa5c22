"""A portfolio property's client names its property in every request; a token's client
for one enterprise names none; `clients_of_token` opens one client per property."""

from __future__ import annotations

import json
from typing import Any

import httpx

from attendandt.mews import Credentials, MewsClient, UnlimitedLimiter, clients_of_token
from attendandt.mews.models import CustomersGetAll, CustomersUpdate, OrdersAdd, ReservationsGetAll

TOKEN = Credentials("client-token", "portfolio-token", "portfolio")
HOTEL = "11111111-1111-1111-1111-111111111111"
CHAIN = "cccccccc-cccc-cccc-cccc-cccccccccccc"


def _client(credentials: Credentials, sent: list[dict[str, Any]], answer: Any) -> MewsClient:
    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append({"path": request.url.path.rsplit("/api/connector/v1/", 1)[-1], **body})
        return httpx.Response(200, json=answer(request.url.path, body))

    return MewsClient(
        credentials,
        environment="http://mews.test",
        limiter=UnlimitedLimiter(),
        transport=httpx.MockTransport(handle),
    )


def _empty(path: str, body: dict[str, Any]) -> dict[str, Any]:
    if path.endswith("orders/add"):
        return {"OrderId": "o-1"}
    if path.endswith("customers/update"):
        return {"Id": "c-1"}
    return {"Customers": [], "Reservations": [], "Cursor": None}


async def _every_kind_of_request(client: MewsClient) -> None:
    [_ async for _ in client.get_customers(CustomersGetAll(customer_ids=["c-1"]))]
    [_ async for _ in client.get_reservations(ReservationsGetAll(reservation_ids=["r-1"]))]
    await client.add_order(OrdersAdd(service_id="s", account_id="a"))
    await client.update_customer(CustomersUpdate(customer_id="c-1", email="a@example.com"))


async def test_a_portfolio_property_is_named_in_every_request() -> None:
    sent: list[dict[str, Any]] = []
    async with _client(TOKEN.scoped(HOTEL, CHAIN), sent, _empty) as client:
        await _every_kind_of_request(client)
    named = {
        b["path"]: {
            k: b[k] for k in ("EnterpriseId", "EnterpriseIds", "ChainId", "ChainIds") if k in b
        }
        for b in sent
    }
    assert named == {
        "customers/getAll": {"ChainIds": [CHAIN]},
        "reservations/getAll/2023-06-06": {"EnterpriseIds": [HOTEL]},
        "orders/add": {"EnterpriseId": HOTEL},
        "customers/update": {"ChainId": CHAIN},
    }


async def test_a_single_enterprise_token_names_no_enterprise() -> None:
    sent: list[dict[str, Any]] = []
    async with _client(TOKEN, sent, _empty) as client:
        await _every_kind_of_request(client)
    assert len(sent) == 4
    for body in sent:
        assert not {"EnterpriseId", "EnterpriseIds", "ChainId", "ChainIds"} & body.keys()


async def test_a_request_naming_enterprises_itself_keeps_them() -> None:
    sent: list[dict[str, Any]] = []
    other = "22222222-2222-2222-2222-222222222222"
    async with _client(TOKEN.scoped(HOTEL, CHAIN), sent, _empty) as client:
        request = ReservationsGetAll(reservation_ids=["r-1"], enterprise_ids=[other])
        [_ async for _ in client.get_reservations(request)]
    assert sent[0]["EnterpriseIds"] == [other]


def _portfolio(path: str, body: dict[str, Any]) -> dict[str, Any]:
    if path.endswith("configuration/get"):
        return {"Enterprise": {"Id": "portfolio", "IsPortfolio": True}}
    return {
        "Enterprises": [
            {"Id": "portfolio", "IsPortfolio": True},
            {"Id": HOTEL, "ChainId": CHAIN, "IsPortfolio": False},
            {"Id": "hotel-2", "ChainId": CHAIN, "IsPortfolio": False},
        ],
        "Cursor": None,
    }


async def test_a_portfolio_token_opens_a_client_per_property() -> None:
    sent: list[dict[str, Any]] = []
    made: list[MewsClient] = []

    def make(credentials: Credentials) -> MewsClient:
        made.append(_client(credentials, sent, _portfolio))
        return made[-1]

    clients = await clients_of_token(TOKEN, make)
    assert sorted(clients) == sorted([HOTEL, "hotel-2"])
    assert clients[HOTEL].credentials.scope is not None
    assert clients[HOTEL].credentials.scope.chain_id == CHAIN
    assert clients[HOTEL].credentials.access_token == TOKEN.access_token
    assert "portfolio-token" not in repr(clients[HOTEL].credentials)
    assert [b["path"] for b in sent] == ["configuration/get", "enterprises/getAll"]
    for client in made:
        await client.aclose()


async def test_a_single_enterprise_token_opens_one_client() -> None:
    sent: list[dict[str, Any]] = []

    def make(credentials: Credentials) -> MewsClient:
        return _client(
            credentials,
            sent,
            lambda path, body: {"Enterprise": {"Id": HOTEL, "IsPortfolio": False}},
        )

    clients = await clients_of_token(TOKEN, make)
    assert list(clients) == [HOTEL]
    assert clients[HOTEL].credentials.scope is None
    await clients[HOTEL].aclose()

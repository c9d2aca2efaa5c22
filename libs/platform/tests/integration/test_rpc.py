"""Request-reply on a real nats-server: typed replies, errors as statuses, timeouts."""

import asyncio

import pytest
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.platform.rpc import NotFound, RpcFailure, RpcTimeout, answer, call


class Ping(Payload, frozen=True, kw_only=True):
    SCHEMA = "test.ping"
    name: str


class Pong(Payload, frozen=True, kw_only=True):
    SCHEMA = "test.pong"
    greeting: str


async def _serve(nc: NatsClient, method: RpcMethod[Ping, Pong], delay: float = 0) -> None:
    async def greet(request: Ping) -> Pong:
        await asyncio.sleep(delay)
        if request.name == "nobody":
            raise NotFound("no guest called nobody")
        if request.name == "boom":
            raise RuntimeError("secret internals")
        return Pong(greeting=f"hello {request.name}")

    async def on_request(msg: Msg) -> None:
        body, headers = await answer(method, msg.data, greet)
        await nc.publish(msg.reply, body, headers=headers)

    await nc.subscribe(method.subject, queue="tests", cb=on_request)


@pytest.fixture
async def method(nats_client: NatsClient, unique: str) -> RpcMethod[Ping, Pong]:
    m = RpcMethod(service=f"s{unique}", method="greet", request=Ping, response=Pong)
    await _serve(nats_client, m)
    return m


async def test_typed_reply(nats_client: NatsClient, method) -> None:
    assert await call(nats_client, method, Ping(name="Ada")) == Pong(greeting="hello Ada")


async def test_service_error_becomes_status(nats_client: NatsClient, method) -> None:
    with pytest.raises(RpcFailure) as failure:
        await call(nats_client, method, Ping(name="nobody"))
    assert failure.value.error.status == 404
    assert failure.value.error.detail == "no guest called nobody"


async def test_unexpected_error_is_500_without_internals(nats_client: NatsClient, method) -> None:
    with pytest.raises(RpcFailure) as failure:
        await call(nats_client, method, Ping(name="boom"))
    assert failure.value.error.status == 500
    assert "secret" not in str(failure.value.error)


async def test_bad_request_is_400(nats_client: NatsClient, method) -> None:
    reply = await nats_client.request(method.subject, b'{"name": 5}', timeout=2)
    assert reply.headers["Attendandt-Rpc-Status"] == "400"
    assert b"Expected `str`" in reply.data


async def test_absent_and_slow_services_time_out(nats_client: NatsClient, unique: str) -> None:
    absent = RpcMethod(service=f"gone{unique}", method="greet", request=Ping, response=Pong)
    with pytest.raises(RpcTimeout) as missing:
        await call(nats_client, absent, Ping(name="x"), timeout=0.5)
    assert missing.value.no_responders

    slow = RpcMethod(service=f"slow{unique}", method="greet", request=Ping, response=Pong)
    await _serve(nats_client, slow, delay=1.0)
    with pytest.raises(RpcTimeout) as late:
        await call(nats_client, slow, Ping(name="x"), timeout=0.2)
    assert not late.value.no_responders

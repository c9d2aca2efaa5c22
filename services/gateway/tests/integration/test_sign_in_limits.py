"""Sign-in limits through real HTTP and real NATS KV: sliding windows per client and per
account, separate limits per action, lockout with back-off per account and address,
`Retry-After` on every 429, forwarded headers believed only from configured proxies, and the
state shared by two gateways. Time is driven by an injected clock, never waited for."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from gateway_testkit import UNLIMITED, FakeServices, Running, gateway_settings, serve
from nats.js import JetStreamContext

from attendandt.contracts.rpc import users as users_rpc
from attendandt.contracts.streams import SIGNIN_LIMITS, ensure_streams
from attendandt.gateway.app import create_app
from attendandt.gateway.clients import parse_networks
from attendandt.gateway.settings import RateLimits, Window

LOGIN = "/api/v1/auth/login"
GOOD = "correct horse battery"  # what the stand-in users service accepts
PROXY = parse_networks("127.0.0.1")


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@contextlib.asynccontextmanager
async def gateway_with(
    nats_url: str, jetstream: JetStreamContext, clock: Clock, limits: RateLimits, **settings: Any
) -> AsyncIterator[Running]:
    await ensure_streams(jetstream)
    app = create_app(gateway_settings(nats_url, rate_limits=limits, **settings), clock=clock)
    async with serve(app) as running:
        yield running


async def login(
    running: Running,
    email: str,
    password: str = "wrong",
    *,
    forwarded_for: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = dict(headers or {})
    if forwarded_for is not None:
        sent["X-Forwarded-For"] = forwarded_for
    return await running.client.post(
        LOGIN, json={"email": email, "password": password}, headers=sent
    )


def retry_after(response: httpx.Response) -> int:
    """The 429's wait, checked to be a positive whole number in both header and body."""
    assert response.status_code == 429, response.text
    header = response.headers["retry-after"]
    assert header.isdigit(), header
    value = int(header)
    assert value >= 1
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["retry_after"] == value
    return value


def statuses(responses: list[httpx.Response]) -> list[int]:
    return [r.status_code for r in responses]


async def test_forwarded_for_from_an_untrusted_peer_is_one_client(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices, clock: Clock
) -> None:
    limits = replace(UNLIMITED, login_per_minute=5)
    async with gateway_with(nats_url, jetstream, clock, limits) as running:
        answers = [
            await login(running, f"u{i}@hotel.example", forwarded_for=f"198.51.100.{i}")
            for i in range(20)
        ]
        assert statuses(answers) == [401] * 5 + [429] * 15
        retry_after(answers[5])
        # ... and the users service audits the peer, not what the client claimed.
        audited = {c.client_ip for m, c in services.calls if m == "authenticate"}
        assert audited == {"127.0.0.1"}


async def test_a_trusted_proxy_forwards_each_client(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices, clock: Clock
) -> None:
    limits = replace(UNLIMITED, login_per_minute=5)
    async with gateway_with(nats_url, jetstream, clock, limits, forwarded_allow=PROXY) as running:
        answers = [
            await login(running, f"u{i}@hotel.example", forwarded_for=f"198.51.100.{i}")
            for i in range(20)
        ]
        assert statuses(answers) == [401] * 20
        audited = [c.client_ip for m, c in services.calls if m == "authenticate"]
        assert audited == [f"198.51.100.{i}" for i in range(20)]

        # What a client writes itself is left of what the proxy appended: the right-most
        # untrusted address counts, whatever the client puts in front of it.
        spoofed = [
            await login(running, f"s{i}@hotel.example", forwarded_for=f"10.9.9.{i}, 203.0.113.5")
            for i in range(6)
        ]
        assert statuses(spoofed) == [401] * 5 + [429]
        # A chain of our own proxies is skipped too.
        chained = await login(running, "c@hotel.example", forwarded_for="203.0.113.5, 127.0.0.1")
        retry_after(chained)


async def test_the_forwarded_header_when_the_proxy_writes_that_one(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices, clock: Clock
) -> None:
    limits = replace(UNLIMITED, login_per_minute=2)
    async with gateway_with(
        nats_url,
        jetstream,
        clock,
        limits,
        forwarded_allow=PROXY,
        forwarded_header="forwarded",
    ) as running:
        for i in range(3):
            # X-Forwarded-For is not what this proxy maintains: ignored.
            await login(running, f"x{i}@hotel.example", forwarded_for=f"198.51.100.{i}")
        ipv6 = {"Forwarded": 'for="[2001:db8:cafe::17]:4711";proto=https'}
        first = await login(running, "a@hotel.example", headers=ipv6)
        # Another host in the same /64 is the same client.
        same_net = {"Forwarded": 'for=198.51.100.1, for="[2001:db8:cafe::99]"'}
        second = await login(running, "b@hotel.example", headers=same_net)
        third = await login(running, "c@hotel.example", headers=same_net)
        assert statuses([first, second]) == [401, 401]
        retry_after(third)
        audited = [c.client_ip for m, c in services.calls if m == "authenticate"]
        assert audited[-2:] == ["2001:db8:cafe::17", "2001:db8:cafe::99"]


async def test_the_window_slides(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices, clock: Clock
) -> None:
    limits = replace(UNLIMITED, login_per_minute=3)
    async with gateway_with(nats_url, jetstream, clock, limits) as running:
        for offset in (0, 30, 20):  # attempts at t=0, 30, 50
            clock.advance(offset)
            assert (await login(running, "a@hotel.example")).status_code == 401
        clock.advance(9)  # t=59: three in the last minute
        assert retry_after(await login(running, "a@hotel.example")) == 1
        clock.advance(2)  # t=61: the one at t=0 has left the window, those at 30, 50 not
        assert (await login(running, "a@hotel.example")).status_code == 401
        # A fixed per-minute window would allow a fresh three here; this one waits for t=90.
        assert retry_after(await login(running, "a@hotel.example")) == 29


async def test_each_action_has_its_own_limit(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices, clock: Clock
) -> None:
    limits = replace(
        UNLIMITED,
        login_per_minute=1,
        refresh_per_minute=2,
        logout_per_minute=2,
        set_password_per_minute=2,
    )
    async with gateway_with(nats_url, jetstream, clock, limits) as running:
        calls = {
            "/api/v1/auth/refresh": {"refresh_token": "rt-1"},
            "/api/v1/auth/logout": {"refresh_token": "rt-1"},
            "/api/v1/auth/set-password": {"token": "t", "new_password": "a long new secret"},
        }
        assert (await login(running, "a@hotel.example")).status_code == 401
        retry_after(await login(running, "a@hotel.example"))
        for path, body in calls.items():
            answers = [await running.client.post(path, json=body) for _ in range(3)]
            assert [a.status_code < 400 for a in answers] == [True, True, False], path
            retry_after(answers[2])


async def test_one_account_is_limited_across_addresses(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices, clock: Clock
) -> None:
    limits = replace(UNLIMITED, login_per_account=Window(3, 900.0))
    async with gateway_with(nats_url, jetstream, clock, limits, forwarded_allow=PROXY) as running:
        spread = [
            await login(running, " Desk@Hotel.example ", forwarded_for=f"198.51.100.{i}")
            for i in range(4)
        ]
        assert statuses(spread[:3]) == [401] * 3
        assert "account" in spread[3].json()["detail"]
        assert retry_after(spread[3]) == 900
        # The normalised email is the account; another account is not affected.
        retry_after(await login(running, "desk@hotel.example", forwarded_for="192.0.2.1"))
        assert (await login(running, "other@hotel.example")).status_code == 401
        clock.advance(901)
        assert (await login(running, "desk@hotel.example", GOOD)).status_code == 200


async def test_lockout_backs_off_per_address_and_a_success_resets_it(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices, clock: Clock
) -> None:
    limits = replace(UNLIMITED, lockout_after=5, lockout_s=60.0, lockout_max_s=150.0)
    attacker, user = "198.51.100.66", "203.0.113.10"
    email = "desk@hotel.example"
    async with gateway_with(nats_url, jetstream, clock, limits, forwarded_allow=PROXY) as running:

        async def fail_until_locked() -> int:
            answers = [await login(running, email, forwarded_for=attacker) for _ in range(5)]
            assert statuses(answers) == [401] * 5
            # Locked: even the right password waits, and the users service is not asked.
            asked = len(services.calls)
            locked = await login(running, email, GOOD, forwarded_for=attacker)
            assert len(services.calls) == asked
            return retry_after(locked)

        waits = [await fail_until_locked()]
        # The real user, at another address, is not locked out by the attacker.
        assert (await login(running, email, GOOD, forwarded_for=user)).status_code == 200
        for _ in range(2):
            clock.advance(waits[-1] + 1)
            waits.append(await fail_until_locked())
        assert waits == [60, 120, 150]  # doubling, capped

        # While locked the wait only shrinks; after it, a success resets the back-off.
        clock.advance(100)
        assert retry_after(await login(running, email, forwarded_for=attacker)) == 50
        clock.advance(51)
        assert (await login(running, email, GOOD, forwarded_for=attacker)).status_code == 200
        assert await fail_until_locked() == 60


async def test_a_parallel_burst_gets_no_more_through_than_a_sequence(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices, clock: Clock
) -> None:
    limits = replace(UNLIMITED, lockout_after=5)
    async with (
        gateway_with(nats_url, jetstream, clock, limits) as one,
        gateway_with(nats_url, jetstream, clock, limits) as two,
    ):
        burst = await asyncio.gather(
            *(login((one, two)[i % 2], "desk@hotel.example") for i in range(20))
        )
        assert sorted(statuses(list(burst))) == [401] * 5 + [429] * 15
        asked = [m for m, _ in services.calls if m == users_rpc.AUTHENTICATE.method]
        assert len(asked) == 5


async def test_two_gateways_share_the_limits(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices, clock: Clock
) -> None:
    limits = replace(UNLIMITED, login_per_minute=4)
    async with (
        gateway_with(nats_url, jetstream, clock, limits) as one,
        gateway_with(nats_url, jetstream, clock, limits) as two,
    ):
        answers = [await login((one, two)[i % 2], f"u{i}@hotel.example") for i in range(6)]
        assert statuses(answers) == [401] * 4 + [429] * 2
        retry_after(answers[4])
        retry_after(answers[5])
        # The shared state names no email and no address.
        kv = await jetstream.key_value(SIGNIN_LIMITS.bucket)
        keys = await kv.keys()
        assert keys
        assert not any("@" in key or "127.0.0.1" in key for key in keys)


async def test_without_the_shared_state_sign_in_is_refused_not_unlimited(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices, clock: Clock
) -> None:
    async with gateway_with(nats_url, jetstream, clock, UNLIMITED) as running:
        await jetstream.delete_key_value(SIGNIN_LIMITS.bucket)
        answer = await login(running, "a@hotel.example", GOOD)
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "5"
        assert not [m for m, _ in services.calls if m == users_rpc.AUTHENTICATE.method]

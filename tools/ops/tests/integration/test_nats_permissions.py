"""The NATS users of `contracts.permissions` on a real nats-server started with the generated
accounts (the text `make run`, compose and Kubernetes run): each user can do its job and
nothing else, anonymous connections are refused, hotel systems read and publish nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import Client as NatsClient
from nats.errors import Error as NatsError
from nats.errors import NoRespondersError, NoServersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from attendandt.contracts import permissions as p
from attendandt.contracts.base import Subject
from attendandt.contracts.commands import UPSERT_USER
from attendandt.contracts.events import GUEST_EVENT, STAY_EVENT
from attendandt.contracts.streams import ATTENDANDT_EVENTS, DOMAIN_COMMANDS, ensure_streams
from attendandt.platform.consumer import ConsumerPolicy
from attendandt.platform.messaging import connect_options
from attendandt.platform.settings import NatsSettings
from attendandt.platform.unrouted import UnroutedCommandSweeper
from attendandt.testing.servers import LocalProcessServer, start_nats

REPO = Path(__file__).resolve().parents[4]
HOTELS = (p.HotelSystem("example-pos"), p.HotelSystem("crm", restricted=True))


@dataclass
class Accounts:
    url: str
    passwords: dict[str, str]
    server: LocalProcessServer


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Accounts]:
    folder = tmp_path_factory.mktemp("nats-accounts")
    (folder / "accounts.conf").write_text(p.render_accounts(HOTELS))
    (folder / "nats.conf").write_text("include ./accounts.conf\n")
    names = [u.name for u in p.USERS] + [h.name for h in HOTELS]
    passwords = {name: p.new_password() for name in names}
    hotel_names = {h.name for h in HOTELS}
    env = {p.password_variable(n, hotel=n in hotel_names): pw for n, pw in passwords.items()}
    server = start_nats(folder / "server", config=folder / "nats.conf", env=env)
    try:
        yield Accounts(server.url, passwords, server)
    finally:
        server.stop()


@dataclass
class Client:
    nc: NatsClient
    errors: list[str] = field(default_factory=list)

    async def violations(self, expected: int) -> list[str]:
        """The permission violations the server reported (waits for `expected` of them)."""
        await self.nc.flush()
        for _ in range(250):  # the machine may be busy: up to 5 s
            found = [e for e in self.errors if "permissions violation" in e]
            if len(found) >= expected:
                return found
            await asyncio.sleep(0.02)
        return [e for e in self.errors if "permissions violation" in e]


@contextlib.asynccontextmanager
async def as_user(accounts: Accounts, user: str) -> AsyncIterator[Client]:
    errors: list[str] = []

    async def record(error: Exception) -> None:
        errors.append(str(error).lower())

    settings = NatsSettings(url=accounts.url, user=user, password=accounts.passwords[user])
    nc = await nats.connect(
        accounts.url, allow_reconnect=False, error_cb=record, **connect_options(settings)
    )
    try:
        yield Client(nc, errors)
    finally:
        await nc.close()


def sample(subject: Subject[Any], enterprise: str = "ent-1") -> str:
    parts = dict.fromkeys(subject.parts, enterprise)
    for name, values in subject.allowed:
        parts[name] = values[0]
    if "service" in parts:
        parts["service"] = "svc"
    if "consumer" in parts:
        parts["consumer"] = "c"
    return subject.format(**parts)


@pytest.fixture(scope="module")
async def streams(accounts: Accounts) -> None:
    """What `attendandt dev` / the migration job do first, as the ops user; plus the
    restricted stream another change adds (created here by its name and subjects)."""
    async with as_user(accounts, p.OPS) as ops:
        js = ops.nc.jetstream()
        await ensure_streams(js)
        with contextlib.suppress(NatsError):
            await js.add_stream(
                StreamConfig(name=p.RESTRICTED_STREAM, subjects=[p.RESTRICTED_SUBJECTS])
            )
        for hotel in HOTELS:
            await js.add_consumer(
                ATTENDANDT_EVENTS.name,
                ConsumerConfig(durable_name=hotel.name, ack_policy=AckPolicy.EXPLICIT),
            )
            await js.add_consumer(
                p.RESTRICTED_STREAM,
                ConsumerConfig(durable_name=hotel.name, ack_policy=AckPolicy.EXPLICIT),
            )


# --------------------------------------------------------------------------- generated files


def test_committed_accounts_conf_is_generated_from_contracts() -> None:
    committed = (REPO / "deploy" / "k8s" / "base" / "nats" / "accounts.conf").read_text()
    assert committed == p.render_accounts(p.EXAMPLE_HOTEL_SYSTEMS), (
        "deploy/k8s/base/nats/accounts.conf is stale: run "
        "`uv run attendandt nats accounts --output deploy/k8s/base/nats/accounts.conf`"
    )


def test_consumer_names_are_the_ones_the_services_use() -> None:
    from attendandt.guests import consumers as guests
    from attendandt.guests import erasure_consumers as guests_erasure
    from attendandt.mews_publisher import cancellation_records as publisher_cancellation
    from attendandt.mews_publisher import charges as publisher_charges
    from attendandt.mews_publisher import customer_updates as publisher_customers
    from attendandt.mews_publisher import stay_notes as publisher_notes
    from attendandt.sync import consumer as sync
    from attendandt.users import consumers as users
    from attendandt.vendors import companies as vendor_companies
    from attendandt.vendors import erasure as vendors_erasure
    from attendandt.vendors import reconciliation as vendors_reconciliation
    from attendandt.vendors import service as vendors

    used = {
        "guests": {
            guests.UPSERT_GUEST_POLICY.consumer,
            guests.UPSERT_STAY_POLICY.consumer,
            guests.UPSERT_PROPERTY_POLICY.consumer,
            guests.UPSERT_ROOM_POLICY.consumer,
            guests.UPSERT_STAY_BILL_POLICY.consumer,
            guests.RECORD_EDIT_RESULT_POLICY.consumer,
            guests.RECORD_STAY_NOTE_RESULT_POLICY.consumer,
            guests_erasure.ERASE_GUEST_POLICY.consumer,
            guests_erasure.RECEIPTS_POLICY.consumer,
            guests.BOOKINGS_POLICY.consumer,
            guests.CHARGES_POLICY.consumer,
        },
        "sync": {sync.DURABLE},
        "users": {users.UPSERT_USER_POLICY.consumer},
        "vendors": {
            vendors.UPSERT_VENDOR_CONSUMER,
            vendors.RECORD_CHARGE_RESULT_CONSUMER,
            vendors.RECORD_CHARGE_CANCELLATION_CONSUMER,
            vendors.STAY_EVENTS_CONSUMER,
            vendors.UPSERT_CATALOGUE_CONSUMER,
            vendor_companies.UPSERT_COMPANY_CONSUMER,
            vendors_erasure.ERASE_GUEST_CONSUMER,
            vendors_reconciliation.RECORD_CHARGE_IN_MEWS_CONSUMER,
        },
        "mews-publisher": {
            publisher_charges.POST_CHARGE_CONSUMER,
            publisher_customers.UPDATE_CUSTOMER_CONSUMER,
            publisher_cancellation.CANCEL_CHARGE_CONSUMER,
            publisher_notes.WRITE_STAY_NOTE_CONSUMER,
        },
    }
    for name, durables in used.items():
        assert {c.durable for c in p.user(name).consumes} == durables, name


def test_who_may_publish_user_commands_and_requests() -> None:
    """`cmd.v1.users.>` only by the ops command; `rpc.v1.>` by the gateway and ops, vendors
    on guests' methods only, and sync on the one vendors method reconciliation reads."""
    for who in p.USERS:
        allowed = p.allow_lists(who).publish
        commands = ("cmd.v1.>", "cmd.v1.users.>", UPSERT_USER.template)
        may_command = any(s in commands for s in allowed)
        assert may_command == (who.name == p.OPS), who.name
        calls = {s for s in allowed if s.startswith("rpc.")}
        if who.name in ("gateway", p.OPS):
            assert calls, who.name
        else:
            only = {"vendors": {"rpc.v1.guests.>"}, "sync": {"rpc.v1.vendors.posted_charges"}}
            assert calls == only.get(who.name, set()), who.name
        assert not any(s in (">", "*", "$JS.API.>") for s in allowed) or who.admin, who.name


# --------------------------------------------------------------------------- on the server


async def test_anonymous_and_wrong_password_are_refused(accounts: Accounts) -> None:
    for credentials in ({}, {"user": "gateway", "password": "wrong"}):
        errors: list[str] = []

        async def record(error: Exception, errors: list[str] = errors) -> None:
            errors.append(str(error).lower())

        with pytest.raises((NoServersError, NatsError)):
            await nats.connect(
                accounts.url,
                allow_reconnect=False,
                connect_timeout=2,
                error_cb=record,
                **credentials,  # type: ignore[arg-type]
            )
        assert any("authorization violation" in e for e in errors), (credentials, errors)
    log = accounts.server.log_path
    assert log is not None
    assert 'authentication error - user "gateway"' in log.read_text().lower()


@pytest.mark.parametrize("user", [u.name for u in p.USERS if u.name != p.OPS])
async def test_each_service_does_its_job(accounts: Accounts, streams: None, user: str) -> None:
    """Verify the streams, publish what it produces, create and pull its consumers (as the
    platform configures them) and ack, use its buckets: no violation."""
    who = p.user(user)
    async with as_user(accounts, user) as client:
        js = client.nc.jetstream()
        await ensure_streams(js)  # what every service does at start: verify only
        for subject in who.produces:
            ack = await js.publish(sample(subject), b"{}", timeout=5)
            assert ack.seq > 0
        if who.dead_letters:
            await js.publish(f"deadletter.v1.{user}.c", b"{}", timeout=5)
        for consumer in who.consumes:
            config = ConsumerPolicy(service=user, consumer=consumer.durable).consumer_config(
                consumer.filter
            )
            sub = await js.pull_subscribe(
                consumer.filter, durable=consumer.durable, stream=consumer.stream.name,
                config=config,
            )  # fmt: skip
            with contextlib.suppress(TimeoutError):  # nats-py's own subclass or the plain one
                for msg in await sub.fetch(1, timeout=0.5):
                    await msg.ack_sync(timeout=2)
            await sub.unsubscribe()
        for bucket in who.kv_write:
            kv = await js.key_value(bucket.bucket)
            await kv.put(f"probe-{user}", b"1")
            assert (await kv.get(f"probe-{user}")).value == b"1"
        for bucket in who.kv_read:
            kv = await js.key_value(bucket.bucket)
            with contextlib.suppress(Exception):  # empty bucket: "no keys"
                await kv.keys()
        for spec in who.reads:
            ordered = await js.subscribe(spec.subjects[0], stream=spec.name, ordered_consumer=True)
            await ordered.unsubscribe()
        if who.sweeps:
            assert who.sweeps == (DOMAIN_COMMANDS,)
            async with as_user(accounts, p.OPS) as ops:
                await ops.nc.jetstream().publish(f"cmd.v1.nobody-{user}.verb", b"{}", timeout=5)
            sweeper = UnroutedCommandSweeper(js, service=user, after_s=0, interval_s=1)
            assert await sweeper.sweep_once() >= 1
        assert await client.violations(0) == []


async def request_once_answered(nc: NatsClient, subject: str) -> nats.aio.msg.Msg:
    """The request's reply, asked again while the server says nobody answers: a flushed
    subscription was once not yet seen by another connection's request on a loaded
    machine. A request the permissions refuse never gets a responder, so it still fails."""
    for _ in range(50):
        try:
            return await nc.request(subject, b"ping", timeout=5)
        except NoRespondersError:
            await asyncio.sleep(0.1)
    return await nc.request(subject, b"ping", timeout=5)


async def test_request_reply_from_the_gateway_only(accounts: Accounts, streams: None) -> None:
    async with (
        as_user(accounts, "users") as users,
        as_user(accounts, "gateway") as gateway,
        as_user(accounts, "mews-ingest") as ingest,
    ):

        async def answer(msg: nats.aio.msg.Msg) -> None:
            await msg.respond(b"pong")

        await users.nc.subscribe("rpc.v1.users.get_user", queue="users", cb=answer)
        await users.nc.flush()
        reply = await request_once_answered(gateway.nc, "rpc.v1.users.get_user")
        assert reply.data == b"pong"
        assert await gateway.violations(0) == []
        assert await users.violations(0) == []
        # mews-ingest faces the internet: it may neither call nor read others' replies.
        await ingest.nc.publish("rpc.v1.users.get_user", b"{}")
        await ingest.nc.subscribe("_INBOX_gateway.>")
        found = await ingest.violations(2)
        assert any('publish to "rpc.v1.users.get_user"' in v for v in found), found
        assert any('subscription to "_inbox_gateway.>"' in v for v in found), found
        # A responder replies only to a request it received, not to a subject it picks.
        await users.nc.publish("_INBOX_gateway.forged", b"x")
        found = await users.violations(1)
        assert any('publish to "_inbox_gateway.forged"' in v for v in found), found


@pytest.mark.parametrize("user", [u.name for u in p.USERS if u.name != p.OPS])
async def test_no_service_can_publish_user_commands(
    accounts: Accounts, streams: None, user: str
) -> None:
    """The hole this closes: a vendor user made admin by one message on NATS."""
    async with as_user(accounts, p.OPS) as ops, as_user(accounts, user) as client:
        js = ops.nc.jetstream()
        before = (await js.stream_info(DOMAIN_COMMANDS.name)).state.messages
        for subject in p.OPERATOR_ONLY:
            await client.nc.publish(sample(subject), b'{"role": "admin"}')
        found = await client.violations(len(p.OPERATOR_ONLY))
        for subject in p.OPERATOR_ONLY:
            assert any(f'publish to "{sample(subject)}"' in v for v in found), (subject, found)
        assert (await js.stream_info(DOMAIN_COMMANDS.name)).state.messages == before


async def test_a_service_cannot_bend_its_consumer_to_other_subjects(
    accounts: Accounts, streams: None
) -> None:
    """guests may create `guests-upsert-guest` only with its own filter: not one that reads
    the users service's commands, and no consumer under another name."""
    async with as_user(accounts, "guests") as guests:
        js = guests.nc.jetstream(timeout=1)
        bent = ConsumerPolicy(service="guests", consumer="guests-upsert-guest").consumer_config(
            UPSERT_USER.template
        )
        with pytest.raises(NatsError):
            await js.add_consumer(DOMAIN_COMMANDS.name, bent)
        other = ConsumerPolicy(service="guests", consumer="users-upsert-user").consumer_config(
            UPSERT_USER.template
        )
        with pytest.raises(NatsError):
            await js.add_consumer(DOMAIN_COMMANDS.name, other)
        found = await guests.violations(2)
        assert any("guests-upsert-guest.cmd.v1.users.upsert_user" in v for v in found), found
        assert any("users-upsert-user" in v for v in found), found


async def test_hotel_system_reads_public_events_and_publishes_nothing(
    accounts: Accounts, streams: None
) -> None:
    async with (
        as_user(accounts, "guests") as guests,
        as_user(accounts, "example-pos") as hotel,
        as_user(accounts, p.OPS) as ops,
    ):
        live = await hotel.nc.subscribe("attendandt.v1.>")
        await hotel.nc.flush()
        # The import across accounts may take a moment to carry the interest: probe first.
        for _ in range(50):
            await guests.nc.publish(sample(GUEST_EVENT, "probe"), b"{}")
            with contextlib.suppress(NatsTimeoutError):
                await live.next_msg(timeout=0.2)
                break
        hotel_js = hotel.nc.jetstream(prefix=p.HOTEL_JS_PREFIX, timeout=2)
        pull = await hotel_js.pull_subscribe_bind(durable="example-pos", stream="ATTENDANDT_EVENTS")
        await guests.nc.jetstream().publish(sample(STAY_EVENT, "ent-9"), b"{}", timeout=5)
        seen = []
        for _ in range(20):
            batch = await pull.fetch(50, timeout=2)
            for msg in batch:
                seen.append(msg.subject)
                await msg.ack_sync(timeout=2)
            if sample(STAY_EVENT, "ent-9") in seen:
                break
        assert sample(STAY_EVENT, "ent-9") in seen
        info = await ops.nc.jetstream().consumer_info("ATTENDANDT_EVENTS", "example-pos")
        assert info.num_ack_pending == 0
        assert await hotel.violations(0) == []

        before = {
            s: (await ops.nc.jetstream().stream_info(s)).state.messages
            for s in (ATTENDANDT_EVENTS.name, DOMAIN_COMMANDS.name)
        }
        forbidden = (
            sample(GUEST_EVENT),
            UPSERT_USER.template,
            "rpc.v1.users.get_user",
            "$JS.API.STREAM.DELETE.ATTENDANDT_EVENTS",
            f"{p.HOTEL_JS_PREFIX}.CONSUMER.CREATE.ATTENDANDT_EVENTS.mine",
            f"{p.HOTEL_JS_PREFIX}.CONSUMER.MSG.NEXT.ATTENDANDT_EVENTS.crm",
            f"{p.HOTEL_JS_PREFIX}.CONSUMER.MSG.NEXT.{p.RESTRICTED_STREAM}.example-pos",
        )
        for subject in forbidden:
            await hotel.nc.publish(subject, b"{}")
        await hotel.nc.subscribe("attendandt.restricted.v1.>")
        await hotel.nc.subscribe("_INBOX_crm.>")
        found = await hotel.violations(len(forbidden) + 2)
        for subject in forbidden:
            assert any(f'publish to "{subject.lower()}"' in v for v in found), (subject, found)
        assert any('subscription to "attendandt.restricted.v1.>"' in v for v in found), found
        assert any('subscription to "_inbox_crm.>"' in v for v in found), found
        after = {
            s: (await ops.nc.jetstream().stream_info(s)).state.messages
            for s in (ATTENDANDT_EVENTS.name, DOMAIN_COMMANDS.name)
        }
        assert after == before


async def test_granted_hotel_system_reads_restricted_guest_data(
    accounts: Accounts, streams: None
) -> None:
    restricted = "attendandt.restricted.v1.ent-1.guest.updated"
    async with as_user(accounts, "guests") as guests, as_user(accounts, "crm") as crm:
        await guests.nc.jetstream().publish(restricted, b'{"email": "x"}', timeout=5)
        crm_js = crm.nc.jetstream(prefix=p.HOTEL_JS_PREFIX, timeout=2)
        pull = await crm_js.pull_subscribe_bind(durable="crm", stream=p.RESTRICTED_STREAM)
        seen = []
        for msg in await pull.fetch(10, timeout=5):  # earlier tests may have put some there
            seen.append(msg.subject)
            await msg.ack_sync(timeout=2)
        assert restricted in seen
        await crm.nc.subscribe("attendandt.restricted.v1.>")
        assert await crm.violations(0) == []


async def test_sync_reads_the_backlog_of_the_import_targets_and_no_other_consumer(
    accounts: Accounts, streams: None
) -> None:
    """An import's backpressure (sync.backpressure) reads guests' two command consumers; the
    info of any other consumer stays closed to sync."""
    async with as_user(accounts, "guests") as guests, as_user(accounts, "sync") as sync:
        filters = {c.durable: c.filter for c in p.user("guests").consumes}
        for stream, durable in p.IMPORT_TARGETS:
            policy = ConsumerPolicy(service="guests", consumer=durable)
            await guests.nc.jetstream().add_consumer(
                stream.name, policy.consumer_config(filters[durable])
            )
        for stream, durable in p.IMPORT_TARGETS:
            info = await sync.nc.jetstream(timeout=2).consumer_info(stream.name, durable)
            assert info.num_pending == 0
        with pytest.raises(NatsError):
            await sync.nc.jetstream(timeout=1).consumer_info(
                DOMAIN_COMMANDS.name, "guests-upsert-room"
            )
        found = await sync.violations(1)
        assert any("consumer.info.domain_commands.guests-upsert-room" in v for v in found), found

"""Provisioning through `cmd.v1.users.upsert_user` on the running service (real NATS and
Postgres): once-only effects, out-of-order commands, dead letters, and the outbox."""

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine
from users_support import CHEAP, event_reader

from attendandt.contracts.base import decode
from attendandt.contracts.commands import UPSERT_USER, UpsertUser
from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.rpc import users as api
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import ensure_streams
from attendandt.platform.messaging import publish
from attendandt.platform.outbox import OutboxRelay
from attendandt.platform.settings import DatabaseSettings, NatsSettings
from attendandt.users.app import UsersApp, create_app
from attendandt.users.models import outbox
from attendandt.users.service import UserService
from attendandt.users.settings import UsersSettings

ENT = "8a1f3b0e-1c2d-4e5f-9a8b-7c6d5e4f3a2b"
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _command(command_id: str, email: str, *, at: datetime = T0, **fields: object) -> UpsertUser:
    values: dict[str, object] = {"name": "Provisioned", "role": UserRole.FRONT_DESK, **fields}
    return UpsertUser(
        command_id=command_id,
        enterprise_id=str(values.pop("enterprise_id", ENT)),
        issued_at=at,
        email=email,
        **values,  # type: ignore[arg-type]
    )


async def _send(js: JetStreamContext, command: UpsertUser, msg_id: str) -> None:
    await publish(js, UPSERT_USER, command, msg_id=msg_id)


async def test_a_command_delivered_twice_has_one_effect_and_one_event(
    app: UsersApp, jetstream: JetStreamContext
) -> None:
    events = await event_reader(jetstream)
    command = _command("cmd-1", "Prov@Hotel.Example", external_subject="sb|1", name="Prov")
    # Published twice with different message ids (past JetStream's de-duplication): the
    # inbox, keyed by command_id, makes the second one a no-op.
    await _send(jetstream, command, "first")
    await _send(jetstream, command, "second")
    await _send(jetstream, _command("cmd-marker", "marker@hotel.example", name="Marker"), "marker")

    await events.until(lambda seen: any(e.user.name == "Marker" for _, e in seen))
    seen = await events.settle()
    # Public events name the user, never its email.
    assert [(s, e.user.name) for s, e in seen] == [
        (f"attendandt.v2.{ENT}.user.created", "Prov"),
        (f"attendandt.v2.{ENT}.user.created", "Marker"),
    ]
    principal = await app.service.get_principal_by_subject(
        api.GetPrincipalBySubjectRequest(subject="sb|1")
    )
    assert principal.principal.enterprise_id == ENT


async def test_an_older_command_changes_nothing_and_changes_announce_the_right_event(
    app: UsersApp, jetstream: JetStreamContext
) -> None:
    events = await event_reader(jetstream)
    email = "prov@hotel.example"
    vendor = {"role": UserRole.VENDOR, "vendor_id": "v-7"}

    async def step(command: UpsertUser, expected: int) -> None:
        await _send(jetstream, command, command.command_id)
        await events.until(lambda seen: len(seen) >= expected)

    await step(_command("c-new", email, at=T0 + timedelta(minutes=5), name="New"), 1)
    # Arrives late: older than what was applied, so it changes nothing (no event either).
    await _send(jetstream, _command("c-old", email, at=T0, name="Old"), "c-old")
    await step(_command("c-marker", "marker@hotel.example"), 2)
    await step(_command("c-role", email, at=T0 + timedelta(minutes=6), name="New", **vendor), 3)
    await step(_command("c-rename", email, at=T0 + timedelta(minutes=7), name="Newer", **vendor), 4)
    await step(
        _command("c-off", email, at=T0 + timedelta(minutes=8), name="Newer", is_active=False,
                 **vendor),
        5,
    )  # fmt: skip

    seen = [(s, e) for s, e in await events.settle() if e.user.name.startswith("New")]
    assert [(s.rsplit(".", 1)[1], e.user.name, e.user.role, e.user.is_active) for s, e in seen] == [
        ("created", "New", UserRole.FRONT_DESK, True),
        ("role_changed", "New", UserRole.VENDOR, True),
        ("updated", "Newer", UserRole.VENDOR, True),
        ("deactivated", "Newer", UserRole.VENDOR, False),
    ]
    user_id = seen[0][1].user.user_id
    assert [e.event_id for _, e in seen] == [f"user:{user_id}:{n}" for n in range(1, 5)]


async def test_bad_commands_become_dead_letters_and_the_consumer_goes_on(
    app: UsersApp, jetstream: JetStreamContext
) -> None:
    events = await event_reader(jetstream)
    letters = await jetstream.pull_subscribe("deadletter.v1.>", stream="DEAD_LETTERS")
    await jetstream.publish(UPSERT_USER.template, b"\x00 not json")
    await _send(jetstream, _command("c-vendor", "v@spa.example", role=UserRole.VENDOR), "v")
    # Provisioning may not take away the last admin either.
    admin = await app.service.ensure_admin("root@hotel.example", "correct horse battery")
    await _send(
        jetstream,
        _command("c-demote", "root@hotel.example", role=UserRole.MANAGER,
                 enterprise_id="portfolio"),
        "d",
    )  # fmt: skip
    await _send(jetstream, _command("c-good", "good@hotel.example", name="Good"), "g")

    await events.until(lambda seen: any(e.user.name == "Good" for _, e in seen))
    reasons = [decode(m.data, DeadLetter).reason for m in await letters.fetch(3, timeout=5)]
    assert len(reasons) == 3
    assert reasons[0].startswith("cannot decode")
    assert "a vendor user needs a vendor_id" in reasons[1]
    assert "last active admin" in reasons[2]
    still = await app.service.get_principal(api.GetPrincipalRequest(user_id=admin.user.user_id))
    assert still.principal.role == UserRole.ADMIN


async def test_a_failed_transaction_publishes_nothing(
    service: UserService, engine: AsyncEngine, jetstream: JetStreamContext, database_url: str
) -> None:
    """The commit itself fails (a deferred check at COMMIT, after the outbox row was
    written): nothing is relayed, the inbox does not hold the command, and a retry works."""
    await ensure_streams(jetstream)
    admin_conn = await asyncpg.connect(database_url)
    await admin_conn.execute(
        """
        create function users.refuse_doomed() returns trigger language plpgsql as $$
        begin
          if new.email = 'doomed@hotel.example' then raise exception 'commit refused'; end if;
          return new;
        end $$;
        create constraint trigger refuse_doomed after insert on users.users
          deferrable initially deferred for each row execute function users.refuse_doomed();
        """
    )
    relay = OutboxRelay(engine, outbox, jetstream)
    command = _command("c-doomed", "doomed@hotel.example")
    try:
        with pytest.raises(Exception, match="commit refused"):
            await service.upsert_user(command, consumer="users-upsert-user")
        assert await relay.relay_once() == 0
        assert (await jetstream.stream_info("ATTENDANDT_EVENTS")).state.messages == 0
        counts = await admin_conn.fetchrow(
            "select (select count(*) from users.users) as users,"
            " (select count(*) from users.inbox) as inbox,"
            " (select count(*) from users.audit_log) as audit"
        )
        assert dict(counts) == {"users": 0, "inbox": 0, "audit": 0}

        await admin_conn.execute("drop trigger refuse_doomed on users.users")
        assert await service.upsert_user(command, consumer="users-upsert-user") == "created"
        assert await relay.relay_once() == 1
        assert (await jetstream.stream_info("ATTENDANDT_EVENTS")).state.messages == 1
        # The same command again: nothing new to relay.
        assert await service.upsert_user(command, consumer="users-upsert-user") == "duplicate"
        assert await relay.relay_once() == 0
    finally:
        await admin_conn.close()


async def test_what_was_committed_before_stop_is_published_at_stop(
    service: UserService,
    users_url: str,
    nats_url: str,
    jetstream: JetStreamContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The running relay is held back here, so only the flush at stop can publish."""

    async def held(relay: OutboxRelay, stop: asyncio.Event) -> None:
        await stop.wait()

    monkeypatch.setattr(OutboxRelay, "run", held)
    await ensure_streams(jetstream)
    settings = UsersSettings(
        database=DatabaseSettings(url=users_url, schema="users", pool_size=3),
        nats=NatsSettings(url=nats_url),
        health_host="127.0.0.1",
        health_port=0,
        hashing=CHEAP,
    )
    app = create_app(settings)
    stop = asyncio.Event()
    running = asyncio.create_task(app.run(stop))
    try:
        await asyncio.wait_for(app.started.wait(), 30)
        command = _command("c-late", "late@hotel.example")
        assert await service.upsert_user(command, consumer="users-upsert-user") == "created"
        assert (await jetstream.stream_info("ATTENDANDT_EVENTS")).state.messages == 0
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
    assert (await jetstream.stream_info("ATTENDANDT_EVENTS")).state.messages == 1

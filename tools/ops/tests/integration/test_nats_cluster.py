"""The manifests' 3-node NATS cluster, for real: a server killed mid-stream loses nothing and
doubles nothing.

Three nats-servers run deploy/k8s/base/nats/nats.conf (cluster routes, JetStream, client
TLS, the generated accounts: see cluster_support); `attendandt nats ensure-streams` makes
every stream and bucket R3 as the manifests' migration job asks (NATS_STREAM_REPLICAS=3).
mews-ingest, sync and guests run as their own processes, each as its own NATS user with
NATS_URL listing the three servers, against the Mews simulator and a real Postgres.

The simulator makes changes (new customers, announced by webhooks; changed reservations,
by the WebSocket and webhooks) in three waves. The first is flowing when the server holding
the most service connections, made leader of MEWS_CHANGES through the JetStream API (a
step-down naming it), is killed with SIGKILL; the second is made while it is dead; the
third after it is back. No service is restarted: their clients fail over to the others.

Oracles (each change touches an entity no other change touches, so each has one version):
- nothing lost: every changed customer and reservation is in guests' rows at exactly the
  UpdatedUtc the simulator gave it (the customer with our name), and has its event in
  ATTENDANDT_EVENTS; nothing was dead-lettered;
- nothing doubled: a trigger in Postgres records every row write of guests.guests and
  guests.stays. Guests writes a row only for a newer version, so a change applied twice
  (a redelivered command, an inbox or a version check that failed over badly) shows as the
  same version written twice: no (row, UpdatedUtc, digest) is written twice, and each
  change's version exactly once. In the replicated streams no Nats-Msg-Id is stored twice
  (a publish retried across the failover is de-duplicated by the new leader), and each
  change's version has exactly one public event.
- the killed server, restarted, catches up: its own replica of MEWS_CHANGES reaches the
  leader's last sequence.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
from cluster_support import (
    AUDIT_SQL,
    NatsUsers,
    client_users,
    manifest_cluster_config,
    msg_ids,
    stored_messages,
    stream_state_on,
    tail,
)
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from attendandt.contracts.events import GuestEvent, StayEvent
from attendandt.contracts.mews import MewsChange
from attendandt.contracts.permissions import OPS
from attendandt.contracts.streams import BUCKETS, MEWS_CHANGES, STREAMS
from attendandt.ops.migrate import migration_sets
from attendandt.ops.nats_accounts import stream_replicas
from attendandt.platform.messaging import connect
from attendandt.platform.provision import provision, role_url
from attendandt.platform.settings import NatsSettings, SettingsError
from attendandt.testing.polling import eventually
from attendandt.testing.processes import free_port, spawn, stop
from attendandt.testing.servers import ClusterNode, NatsCluster, start_nats_cluster

pytestmark = pytest.mark.slow

#: Changes per wave: flowing at the kill, made while the server is dead, after it is back.
BEFORE, DURING, AFTER = 100, 150, 50
SERVICES = ("mews-ingest", "sync", "guests")
WEBHOOK_SECRET = "cluster-webhook-secret"


@dataclass(frozen=True)
class Change:
    table: str  # guests | stays
    mews_id: str
    updated_utc: datetime
    last_name: str | None = None


class Changes:
    """Changes made in the simulator, one per entity: a new customer (webhook) or a changed
    reservation (WebSocket), alternately."""

    def __init__(self, mews_sim: Any) -> None:
        self.sim = mews_sim
        self.enterprise = mews_sim.gross.id
        self.reservations = [r["Id"] for r in mews_sim.control.reservations(self.enterprise)]
        self.made: list[Change] = []

    def make(self, count: int) -> list[Change]:
        made: list[Change] = []
        for _ in range(count):
            n = len(self.made)
            if n % 2 == 0:
                name = f"Cluster-{n}"
                customer = self.sim.control.add_customer(
                    LastName=name, Notes=f"change {n}", enterprise_id=self.enterprise
                )
                change = Change("guests", customer["Id"], _utc(customer["UpdatedUtc"]), name)
            else:
                reservation = self.sim.control.update_reservation(
                    self.reservations[n // 2], ChannelNumber=f"cluster-{n}"
                )
                change = Change("stays", reservation["Id"], _utc(reservation["UpdatedUtc"]))
            self.made.append(change)
            made.append(change)
        return made


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def users() -> NatsUsers:
    return NatsUsers.make()


@pytest.fixture
def cluster(tmp_path: Path, users: NatsUsers) -> Iterator[NatsCluster]:
    nodes = start_nats_cluster(
        tmp_path / "nats",
        config=manifest_cluster_config(tmp_path / "tls"),
        env=users.server_env(),
        scheme="tls",
    )
    try:
        yield nodes
    finally:
        nodes.stop()


@pytest.fixture
async def ops(cluster: NatsCluster, users: NatsUsers, tmp_path: Path) -> AsyncIterator[NatsClient]:
    """The ops user's connection, through every server like the services'."""
    settings = NatsSettings(
        url=cluster.url,
        user=OPS,
        password=users.passwords[OPS],
        tls_ca_file=str(tmp_path / "tls" / "ca.crt"),
    )
    client = await connect(settings, "cluster-test")
    try:
        yield client
    finally:
        await client.close()


async def _ensure_streams_r3(cluster: NatsCluster, users: NatsUsers, tmp_path: Path) -> str:
    """`attendandt nats ensure-streams` as the migration job runs it (its environment)."""
    env = {
        **os.environ,
        **users.client_env(OPS, cluster.url, tmp_path / "tls" / "ca.crt"),
        "NATS_STREAM_REPLICAS": "3",
        # Not the settings of a `make run` in the project folder.
        "ATTENDANDT_DEVDATA": str(tmp_path / "no-devdata"),
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "attendandt.ops", "nats", "ensure-streams"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def _guests_database(admin_url: str) -> str:
    [guests] = [m for m in migration_sets() if m.service == "guests"]
    await provision(admin_url, schema=guests.schema, role=guests.schema, password=None)
    url = role_url(admin_url, guests.schema)
    from attendandt.platform.migrations import upgrade

    await upgrade(url, guests.script_location, guests.schema)
    return url


def _start_services(
    mews_sim: Any, cluster: NatsCluster, users: NatsUsers, guests_url: str, logs: Path
) -> tuple[dict[str, subprocess.Popen[bytes]], dict[str, int]]:
    """The three services, each as its own process; their ports (ingest's takes webhooks,
    each answers /readyz on its own)."""
    token = mews_sim.gross.token
    ca = logs.parent / "tls" / "ca.crt"
    common = {
        **os.environ,
        "MEWS_BASE_URL": mews_sim.base_url,
        "MEWS_WS_URL": mews_sim.ws_url,
        "MEWS_CLIENT_TOKEN": token.client_token,
        "MEWS_ACCESS_TOKENS": token.access_token,
        "LOG_LEVEL": "WARNING",
    }
    ports = {service: free_port() for service in SERVICES}
    extra = {
        "mews-ingest": {
            "HTTP_PORT": str(ports["mews-ingest"]),
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            # Its first sweep looks back this far (more than the sweeps' overlap): this
            # test's changes, not the seed's history.
            "RESYNC_HORIZON_S": "600",
        },
        # These changes are the test; the initial import of the seed is not.
        "sync": {"SYNC_INITIAL_IMPORT": "false", "HEALTH_PORT": str(ports["sync"])},
        "guests": {"DATABASE_URL": guests_url, "HEALTH_PORT": str(ports["guests"])},
    }
    modules = {"mews-ingest": "attendandt.mews_ingest", "sync": "attendandt.sync"}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs.mkdir(exist_ok=True)
    for service in SERVICES:
        env = {**common, **users.client_env(service, cluster.url, ca), **extra[service]}
        with (logs / f"{service}.log").open("wb") as log:
            processes[service] = spawn(
                [sys.executable, "-m", modules.get(service, "attendandt.guests"), "serve"],
                env=env,
                stdout=log,
            )
    return processes, ports


async def _ready(ports: dict[str, int]) -> bool:
    """Every service started all it runs (consumers, relays, sockets): its /readyz is 200."""
    async with httpx.AsyncClient(timeout=2) as http:
        for port in ports.values():
            try:
                answer = await http.get(f"http://127.0.0.1:{port}/readyz")
            except httpx.HTTPError:
                return False
            if answer.status_code != 200:
                return False
    return True


async def _applied(admin_url: str, enterprise: str, changes: list[Change]) -> list[Change]:
    """The changes guests' rows hold at exactly their version."""
    conn = await asyncpg.connect(admin_url)
    try:
        rows = await conn.fetch(
            "select 'guests' as tbl, mews_id, mews_updated_utc, last_name from guests.guests"
            " where enterprise_id = $1 and mews_id = any($2)"
            " union all select 'stays', mews_id, mews_updated_utc, null from guests.stays"
            " where enterprise_id = $1 and mews_id = any($3)",
            enterprise,
            [c.mews_id for c in changes if c.table == "guests"],
            [c.mews_id for c in changes if c.table == "stays"],
        )
    finally:
        await conn.close()
    held = {(r["tbl"], r["mews_id"]): (r["mews_updated_utc"], r["last_name"]) for r in rows}
    return [c for c in changes if held.get((c.table, c.mews_id)) == (c.updated_utc, c.last_name)]


async def _leader(js: JetStreamContext, stream: str) -> str | None:
    try:
        info = await js.stream_info(stream)
    except Exception:  # an election under way
        return None
    return info.cluster.leader if info.cluster else None


async def _make_leader(ops: NatsClient, js: JetStreamContext, stream: str, node: str) -> None:
    """Move the stream's leadership to `node` (a step-down naming the preferred server)."""
    if await _leader(js, stream) == node:
        return
    body = json.dumps({"placement": {"preferred": node}}).encode()
    answer = await ops.request(f"$JS.API.STREAM.LEADER.STEPDOWN.{stream}", body, timeout=10)
    assert json.loads(answer.data).get("success"), answer.data

    async def moved() -> bool:
        return await _leader(js, stream) == node

    await eventually(moved, timeout=30, what=f"{node} to lead {stream}")


async def _victim(cluster: NatsCluster) -> tuple[ClusterNode, Counter[str]]:
    """The server holding the most service connections (each service holds one or two)."""
    held = {node.name: await client_users(node) for node in cluster.nodes}
    services = {name: sum(c[s] for s in SERVICES) for name, c in held.items()}
    name = max(services, key=lambda n: services[n])
    return cluster.node(name), Counter({s: held[name][s] for s in SERVICES if held[name][s]})


async def _services_connected(cluster: NatsCluster) -> Counter[str]:
    total: Counter[str] = Counter()
    for node in cluster.nodes:
        if node.running:
            total += await client_users(node)
    return Counter({s: total[s] for s in SERVICES})


def test_the_replica_count_comes_from_the_argument_or_the_environment() -> None:
    assert stream_replicas(None, {}) is None
    assert stream_replicas(None, {"NATS_STREAM_REPLICAS": " "}) is None
    assert stream_replicas(None, {"NATS_STREAM_REPLICAS": "3"}) == 3
    assert stream_replicas(1, {"NATS_STREAM_REPLICAS": "3"}) == 1
    for bad in ("0", "three", "-1"):
        with pytest.raises(SettingsError, match="NATS_STREAM_REPLICAS"):
            stream_replicas(None, {"NATS_STREAM_REPLICAS": bad})
    refused = subprocess.run(
        [sys.executable, "-m", "attendandt.ops", "nats", "ensure-streams", "--replicas", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "1 or more" in refused.stderr


async def _events(js: JetStreamContext) -> Counter[tuple[str, str, datetime]]:
    """Public events per (table, Mews id, UpdatedUtc) of the guest or stay they announce."""
    events: Counter[tuple[str, str, datetime]] = Counter()
    for subject, data in await stored_messages(js, "ATTENDANDT_EVENTS"):
        if ".guest." in subject:
            guest = msgspec.json.decode(data, type=GuestEvent)
            events[("guests", guest.guest.mews_id, guest.guest.mews_updated_utc)] += 1
        elif ".stay." in subject:
            stay = msgspec.json.decode(data, type=StayEvent)
            if ":guest:" not in stay.event_id:  # a guest who arrived after its stay
                events[("stays", stay.stay.mews_id, stay.stay.mews_updated_utc)] += 1
    return events


async def test_a_killed_server_loses_nothing_and_doubles_nothing(
    mews_sim: Any,
    database_url: str,
    cluster: NatsCluster,
    users: NatsUsers,
    ops: NatsClient,
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    mews_sim.control.rate_limit(enabled=False)
    js = ops.jetstream(timeout=5)

    created = await _ensure_streams_r3(cluster, users, tmp_path)
    assert f"created stream {MEWS_CHANGES.name}" in created
    for name in [s.name for s in STREAMS] + [f"KV_{b.bucket}" for b in BUCKETS]:
        info = await js.stream_info(name)
        assert info.config.num_replicas == 3, name
        assert info.cluster is not None
        assert len(info.cluster.replicas or []) == 2, name

    guests_url = await _guests_database(database_url)
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(AUDIT_SQL)
    finally:
        await admin.close()

    logs = tmp_path / "logs"
    processes, ports = _start_services(mews_sim, cluster, users, guests_url, logs)

    def diagnosis() -> str:
        return "\n".join(f"--- {s}\n{tail(logs / f'{s}.log')}" for s in SERVICES)

    mews_sim.control.configure_webhooks(
        f"http://127.0.0.1:{ports['mews-ingest']}/webhooks/mews",
        secret=WEBHOOK_SECRET,
        # Deliveries refused (503) while the stream elects a new leader come again soon,
        # and for long enough.
        retry_delay_s=0.5,
        max_attempts=400,
        batch_delay_s=0.05,
    )
    changes = Changes(mews_sim)
    enterprise = changes.enterprise
    try:

        async def flowing() -> bool:
            return bool(await _applied(database_url, enterprise, changes.made))

        # Every service up before the kill: one still starting when it happens may stop
        # (and be started again by Kubernetes), which is not what this test is about.
        try:
            await eventually(lambda: _ready(ports), timeout=120, what="every service ready")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{diagnosis()}") from None
        # Wave 1, until some of it is through: ingest, sync and guests all work.
        await asyncio.to_thread(changes.make, BEFORE)
        await eventually(flowing, timeout=120, what="the first changes in guests")

        async def everyone_connected() -> Counter[str]:
            found = await _services_connected(cluster)
            return found if all(found[s] for s in SERVICES) else Counter()

        connected = await eventually(everyone_connected, timeout=30, what="every service")
        victim, on_victim = await _victim(cluster)
        await _make_leader(ops, js, MEWS_CHANGES.name, victim.name)

        cluster.kill(victim)
        in_flight = BEFORE - len(await _applied(database_url, enterprise, changes.made))
        killed_at = time.monotonic()

        # Wave 2, while the server is dead: everything arrives through the other two.
        during = await asyncio.to_thread(changes.make, DURING)

        async def all_applied() -> bool:
            done = await _applied(database_url, enterprise, changes.made)
            return len(done) == len(changes.made)

        try:
            await eventually(all_applied, timeout=180, what="every change in guests")
        except AssertionError as exc:
            missing = len(changes.made) - len(
                await _applied(database_url, enterprise, changes.made)
            )
            raise AssertionError(f"{exc}: {missing} changes lost\n{diagnosis()}") from None
        assert not victim.running
        new_leader = await _leader(js, MEWS_CHANGES.name)
        assert new_leader not in (None, victim.name)
        # Every service is still the process it was, connected again, through the others.
        assert all(p.poll() is None for p in processes.values()), diagnosis()

        async def reconnected() -> bool:
            return await _services_connected(cluster) == connected

        await eventually(reconnected, timeout=60, what=f"the same connections as {connected}")
        through_the_outage = in_flight + len(during)
        outage_s = time.monotonic() - killed_at

        # The server back: it rejoins, and wave 3 goes through the whole cluster again.
        cluster.start(victim)
        await asyncio.to_thread(cluster.wait_healthy)
        await asyncio.to_thread(changes.make, AFTER)
        await eventually(all_applied, timeout=120, what="wave 3 in guests")

        async def caught_up() -> bool:
            leader_state = (await js.stream_info(MEWS_CHANGES.name)).state
            own = await stream_state_on(victim, MEWS_CHANGES.name)
            return own is not None and own["last_seq"] == leader_state.last_seq

        await eventually(caught_up, timeout=60, what=f"{victim.name}'s replica to catch up")

        async def announced() -> bool:
            found = await _events(js)
            return all(found[(c.table, c.mews_id, c.updated_utc)] for c in changes.made)

        # The outbox relay publishes after each commit: every event out before the stop.
        await eventually(announced, timeout=60, what="every change's event")
    finally:
        mews_sim.control.configure_webhooks(None)
        for process in processes.values():
            stop(process, sig=signal.SIGTERM, timeout=20)

    # Nothing doubled, in Postgres: no version written twice, each change's exactly once.
    admin = await asyncpg.connect(database_url)
    try:
        writes = await admin.fetch(
            "select tbl, enterprise_id, mews_id, mews_updated_utc, mews_digest"
            " from write_audit.writes"
        )
    finally:
        await admin.close()
    versions = Counter(tuple(w) for w in writes)
    assert versions, "the audit saw no write"
    assert max(versions.values()) == 1, [v for v, n in versions.items() if n > 1][:5]
    per_change = Counter((w["tbl"], w["mews_id"], w["mews_updated_utc"]) for w in writes)
    assert all(per_change[(c.table, c.mews_id, c.updated_utc)] == 1 for c in changes.made)

    # Nothing lost, nothing doubled, in the replicated streams. A change is often announced
    # more than once (WebSocket, webhook, the sweep after a reconnect): still written once.
    sightings = Counter(
        msgspec.json.decode(data, type=MewsChange).mews_id
        for _, data in await stored_messages(js, MEWS_CHANGES.name)
    )
    assert all(sightings[c.mews_id] >= 1 for c in changes.made)
    announced_again = sum(sightings[c.mews_id] > 1 for c in changes.made)
    for stream in (MEWS_CHANGES.name, "ATTENDANDT_EVENTS"):
        ids = await msg_ids(js, stream)
        assert ids, stream
        assert max(ids.values()) == 1, (stream, [i for i, n in ids.items() if n > 1][:5])
    events = await _events(js)
    per_event = [events[(c.table, c.mews_id, c.updated_utc)] for c in changes.made]
    assert per_event == [1] * len(changes.made), Counter(per_event)
    assert (await js.stream_info("DEAD_LETTERS")).state.messages == 0

    print(
        f"\n{len(changes.made)} changes; {victim.name} killed (led {MEWS_CHANGES.name}, held "
        f"{dict(on_victim)}), {new_leader} took over; {through_the_outage} changes went "
        f"through while it was dead ({in_flight} in flight at the kill, {len(during)} made "
        f"after it) in {outage_s:.1f} s; {announced_again} announced more than once, each "
        f"written once; whole test {time.monotonic() - started:.1f} s"
    )

"""On-demand resyncs: bounded by the resync horizon, refused for a property ingest does not
hold, cancellable between two windows, and never in the way of other requests. Real
nats-server, the simulator (both of its hotels), ingest in the test's process."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from ingest_support import ingest_settings, stream_changes, wait_for
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from attendandt.contracts.caller import Caller
from attendandt.contracts.mews import ChangeSource, MewsEntity
from attendandt.contracts.rpc.ingest import (
    CANCEL_RESYNC,
    RESYNC,
    START_RESYNC,
    SWEEP,
    CancelResyncRequest,
    SweepRequest,
)
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import INGEST_CHECKPOINTS, ensure_streams
from attendandt.mews import Credentials
from attendandt.mews_ingest.checkpoints import Checkpoints
from attendandt.mews_ingest.settings import SWEPT_ENTITIES
from attendandt.ops.cli import build_parser
from attendandt.platform.rpc import RpcFailure, call
from attendandt.testing.nats_accounts import nats_env

ADMIN = Caller(user_id="u-admin", role=UserRole.ADMIN, permissions=(RESYNC,))


async def _refusal(nc: NatsClient, method, request) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(RpcFailure) as failed:
        await call(nc, method, request, caller=ADMIN, timeout=10)
    return failed.value.error.status, failed.value.error.detail


async def test_a_resync_beyond_the_horizon_or_of_an_unknown_property_is_refused(
    mews_sim, nats_client: NatsClient, start_ingest
) -> None:
    ingest = await start_ingest()  # resync horizon: 600 s
    hotel = mews_sim.gross.id
    long_ago = SweepRequest(enterprise_id=hotel, since=datetime(2000, 1, 1, tzinfo=UTC))
    for method in (START_RESYNC, SWEEP):
        status, detail = await _refusal(nats_client, method, long_ago)
        assert status == 422
        assert "older than the resync horizon" in detail
        assert "the oldest allowed is " in detail
        assert "attendandt sync backfill" in detail
        oldest = datetime.fromisoformat(detail.split("the oldest allowed is ")[1].split(";")[0])
        assert abs((datetime.now(UTC) - oldest) - timedelta(seconds=600)) < timedelta(seconds=30)
    # Nothing was started by a refused request.
    assert ingest.app.enterprises[hotel].resync is None

    nowhere = SweepRequest(enterprise_id="00000000-0000-0000-0000-000000000000")
    for method in (START_RESYNC, SWEEP):
        status, detail = await _refusal(nats_client, method, nowhere)
        assert status == 404
        assert "not one of the properties ingested here" in detail
    status, _ = await _refusal(
        nats_client, CANCEL_RESYNC, CancelResyncRequest(enterprise_id=nowhere.enterprise_id)
    )
    assert status == 404
    # Within the horizon: started, answered at once with the job.
    job = await call(
        nats_client,
        START_RESYNC,
        SweepRequest(
            enterprise_id=hotel,
            entities=("customer",),
            since=datetime.now(UTC) - timedelta(seconds=60),
        ),
        caller=ADMIN,
        timeout=10,
    )
    assert job.state == "running"
    assert job.entities == ("customer",)
    running = ingest.app.enterprises[hotel].resync
    assert running is not None
    assert running.task is not None
    await asyncio.wait_for(asyncio.shield(running.task), 60)
    assert running.state == "done"


async def test_a_running_resync_is_cancelled_between_windows_and_blocks_nobody(
    mews_sim, nats_url: str, nats_client: NatsClient, jetstream: JetStreamContext, start_ingest
) -> None:
    """A resync of 590 one-second windows, each read slowed by the simulator (so it cannot
    end within the test): meanwhile another property's sweep is answered, a second resync
    of the same property is refused at once, a live change arrives; the cancel stops it
    between two windows and says how far it got."""
    gross, net = mews_sim.gross, mews_sim.net
    # Ingest both hotels: the second one's requests must not wait for the first's resync.
    both = replace(
        ingest_settings(mews_sim, nats_url, mews_sim.ws_url).mews,
        credentials=tuple(
            Credentials(client_token=h.token.client_token, access_token=h.token.access_token)
            for h in (gross, net)
        ),
    )
    # One-second windows make the resync long; the sweeps ingest makes when it starts are
    # kept short by checkpoints at the present (no overlap), and are over before it begins.
    await ensure_streams(jetstream)
    checkpoints = Checkpoints(await jetstream.key_value(INGEST_CHECKPOINTS.bucket))
    started = datetime.now(UTC)
    for hotel in (gross, net):
        for entity in SWEPT_ENTITIES:
            await checkpoints.advance(hotel.id, entity, started)
    ingest = await start_ingest(sweep_window_s=1.0, sweep_overlap_s=0.0, mews=both)
    assert set(ingest.app.enterprises) == {gross.id, net.id}

    async def started_sweeps_over() -> bool:
        states = [ingest.app.board.get(h.id) for h in (gross, net)]
        return all(s.last_sweep_at is not None and s.last_sweep_at > started for s in states)

    await wait_for(started_sweeps_over, what="the sweeps made at start")
    mews_sim.control.latency(0.2, path="customers/getAll")
    try:
        since = datetime.now(UTC) - timedelta(seconds=590)
        job = await call(
            nats_client,
            START_RESYNC,
            SweepRequest(enterprise_id=gross.id, entities=("customer",), since=since),
            caller=ADMIN,
            timeout=10,
        )
        resync = ingest.app.enterprises[gross.id].resync
        assert resync is not None
        assert resync.job_id == job.job_id
        await wait_for(
            lambda: resync.progress is not None and resync.progress.window >= 2,
            what="two windows of the resync",
        )

        # Not blocked: another property's sweep is answered while the resync runs...
        other = await call(
            nats_client,
            SWEEP,
            SweepRequest(
                enterprise_id=net.id,
                entities=("resource",),
                since=datetime.now(UTC) - timedelta(seconds=5),
            ),
            caller=ADMIN,
            timeout=30,
        )
        assert [e.entity for e in other.entities] == ["resource"]
        # ...a second resync of the same property is refused at once, not queued...
        with pytest.raises(RpcFailure) as twice:
            await call(
                nats_client,
                START_RESYNC,
                SweepRequest(enterprise_id=gross.id),
                caller=ADMIN,
                timeout=5,
            )
        assert twice.value.error.status == 409
        assert job.job_id in twice.value.error.detail
        # ...and live changes keep arriving (a webhook from the simulator).
        customer = mews_sim.control.add_customer(LastName="Meanwhile")

        async def arrived() -> bool:
            return any(
                c.mews_id == customer["Id"] and c.source is not ChangeSource.SWEEP
                for c in await stream_changes(jetstream)
            )

        await wait_for(arrived, what="the live change during the resync")
        assert resync.state == "running"
        # Visible while it runs: progress and an ETA on the status board.
        shown = ingest.app.board.get(gross.id).resync
        assert shown is not None
        assert shown.job_id == job.job_id
        assert shown.state == "running"
        assert shown.window >= 2
        assert shown.eta_s is not None
        assert shown.eta_s > 0

        cancelled = await call(
            nats_client,
            CANCEL_RESYNC,
            CancelResyncRequest(enterprise_id=gross.id),
            caller=ADMIN,
            timeout=10,
        )
        assert cancelled.job_id == job.job_id
        assert cancelled.state == "cancelled"
        assert cancelled.entity == "customer"
        assert 2 <= cancelled.window < cancelled.windows
        assert cancelled.windows >= 590
        assert cancelled.entities_done == ()
        # It stopped at a window's end: every change before `reached` is stored.
        assert cancelled.reached == since + timedelta(seconds=cancelled.window)
        assert resync.task is not None
        assert resync.task.done()
        windows_then = cancelled.window
        # Nothing runs on: no further window after the cancel.
        assert resync.progress is not None
        assert resync.progress.window == windows_then
        with pytest.raises(RpcFailure) as again:
            await call(
                nats_client,
                CANCEL_RESYNC,
                CancelResyncRequest(enterprise_id=gross.id),
                caller=ADMIN,
                timeout=10,
            )
        assert again.value.error.status == 404
        shown = ingest.app.board.get(gross.id).resync
        assert shown is not None
        assert shown.state == "cancelled"
        assert shown.window == cancelled.window
    finally:
        mews_sim.control.clear_faults()


async def test_the_sweep_command_keeps_to_the_same_horizon(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`attendandt ingest sweep --since 2000-01-01` is refused before it connects anywhere
    (NATS_URL points at nothing: a connection attempt would fail differently)."""
    monkeypatch.setenv("NATS_URL", "nats://127.0.0.1:1")
    monkeypatch.setenv("MEWS_BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("MEWS_CLIENT_TOKEN", "client")
    monkeypatch.setenv("MEWS_ACCESS_TOKENS", "access")
    monkeypatch.setenv("RESYNC_HORIZON_S", str(30 * 86400))
    args = build_parser().parse_args(
        ["ingest", "sweep", "--enterprise", "e-1", "--since", "2000-01-01"]
    )
    assert await args.handler(args) == 2
    said = capsys.readouterr().out
    assert "older than the resync horizon (30 days" in said
    assert "attendandt sync backfill --enterprise e-1" in said


async def test_the_resync_command_starts_follows_and_cancels_the_services_job(
    mews_sim,
    nats_url: str,
    jetstream: JetStreamContext,
    start_ingest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`attendandt ingest resync`: refused beyond the horizon with the server's reason;
    `--detach` starts the job, `--cancel` stops it; followed, Ctrl-C cancels it."""
    gross = mews_sim.gross
    await ensure_streams(jetstream)
    checkpoints = Checkpoints(await jetstream.key_value(INGEST_CHECKPOINTS.bucket))
    started = datetime.now(UTC)
    for entity in SWEPT_ENTITIES:
        await checkpoints.advance(gross.id, entity, started)
    ingest = await start_ingest(sweep_window_s=1.0, sweep_overlap_s=0.0)
    await wait_for(
        lambda: (ingest.app.board.get(gross.id).last_sweep_at or started) > started,
        what="the sweeps made at start",
    )
    for name, value in nats_env(nats_url).items():
        monkeypatch.setenv(name, value)
    parser = build_parser()

    async def run(*words: str) -> tuple[int, str]:
        args = parser.parse_args(["ingest", "resync", "--enterprise", gross.id, *words])
        code = await args.handler(args)
        return code, capsys.readouterr().out

    code, said = await run("--since", "2000-01-01")
    assert code == 1
    assert "older than the resync horizon" in said

    mews_sim.control.latency(0.2, path="customers/getAll")
    try:
        code, said = await run("--entity", "customer", "--since", "9m", "--detach")
        assert code == 0
        resync = ingest.app.enterprises[gross.id].resync
        assert resync is not None
        assert f"resync {resync.job_id} of {gross.id} started" in said
        code, said = await run("--cancel")
        assert code == 0
        assert f"resync {resync.job_id} of {gross.id}: cancelled" in said

        # Followed: the bar runs until Ctrl-C, which cancels the job.
        follow = asyncio.create_task(run("--entity", "customer", "--since", "9m"))
        await wait_for(
            lambda: (
                (job := ingest.app.enterprises[gross.id].resync) is not None
                and job is not resync
                and job.progress is not None
                and job.progress.window >= 2
            ),
            what="the followed resync's second window",
        )
        os.kill(os.getpid(), signal.SIGINT)
        code, said = await asyncio.wait_for(follow, 60)
        assert code == 1
        assert "cancelling the resync" in said
        assert ": cancelled, at customer window" in said
    finally:
        mews_sim.control.clear_faults()


async def test_a_resync_does_not_wait_behind_a_long_routine_sweep(
    mews_sim, nats_client: NatsClient, jetstream: JetStreamContext, start_ingest
) -> None:
    """The routine sweep ingest starts with walks 500 slowed one-second windows of customers
    (a first import in small). A resync asked for meanwhile runs at once: the routine pass
    steps aside at a window's end, then goes on from its checkpoint."""
    gross = mews_sim.gross
    await ensure_streams(jetstream)
    checkpoints = Checkpoints(await jetstream.key_value(INGEST_CHECKPOINTS.bucket))
    started = datetime.now(UTC)
    behind = started - timedelta(seconds=500)
    for entity in SWEPT_ENTITIES:
        await checkpoints.advance(gross.id, entity, behind if entity == "customer" else started)
    mews_sim.control.latency(0.2, path="customers/getAll")
    try:
        ingest = await start_ingest(sweep_window_s=1.0, sweep_overlap_s=0.0)

        async def routine_at() -> datetime:
            at = await checkpoints.get(gross.id, MewsEntity.CUSTOMER)
            assert at is not None
            return at

        async def routine_under_way() -> bool:
            return await routine_at() >= behind + timedelta(seconds=3)

        await wait_for(routine_under_way, what="the routine sweep's third window")
        job = await call(
            nats_client,
            START_RESYNC,
            SweepRequest(
                enterprise_id=gross.id,
                entities=("resource",),
                since=datetime.now(UTC) - timedelta(seconds=20),
            ),
            caller=ADMIN,
            timeout=10,
        )
        resync = ingest.app.enterprises[gross.id].resync
        assert resync is not None
        assert resync.job_id == job.job_id
        # Done within a few windows of the routine pass: 500 windows at 0.2 s or more each
        # would take over 100 s; `wait_for` gives up after 30.
        await wait_for(lambda: resync.state == "done", what="the resync, ahead of the routine")
        stood = await routine_at()
        assert stood < started - timedelta(seconds=10)
    finally:
        mews_sim.control.clear_faults()

    # The routine pass goes on from where it stood (its whole walk takes minutes on the
    # budget's ingest lane: only its going on is waited for).
    async def routine_goes_on() -> bool:
        return await routine_at() >= stood + timedelta(seconds=5)

    await wait_for(routine_goes_on, what="the routine sweep, after the resync")

"""The initial import of a property on the simulator and a real NATS: every room, and every
reservation colliding with the last 90 and next 365 days whatever its UpdatedUtc; once, on
the first start (a restart imports nothing); shown in the sync health; resumed at the first
unfinished window after a stop or a failure."""

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from nats.js import JetStreamContext
from sync_support import all_commands, sync_settings, wait_for

from attendandt.contracts.streams import SYNC_HEALTH, ensure_streams
from attendandt.mews import Credentials, MewsClient, MewsServerError, RetryPolicy, TimeInterval
from attendandt.mews.models import ReservationsGetAll, ResourceExtent, ResourcesGetAll
from attendandt.sync.app import SyncApp
from attendandt.sync.applier import Applier
from attendandt.sync.initial_import import (
    ImportProgress,
    InitialImport,
    import_range,
    import_windows,
    read_state,
)

RESERVATIONS = "reservations/getAll/2023-06-06"


def _client(mews_sim: Any, **options: Any) -> MewsClient:
    token = mews_sim.gross.token
    return MewsClient(
        Credentials(client_token=token.client_token, access_token=token.access_token),
        environment=mews_sim.base_url,
        **options,
    )


async def _truth(mews_sim: Any) -> tuple[dict[str, datetime], set[str]]:
    """What the import must bring, found without CollidingUtc: every reservation (by
    UpdatedUtc since long ago) whose scheduled stay meets the import's range, with its
    UpdatedUtc; and every room."""
    async with _client(mews_sim) as mews:
        now = datetime.now(UTC)
        ever = TimeInterval(start_utc=now - timedelta(days=3 * 365), end_utc=now + timedelta(1))
        every = await mews.get_reservations(ReservationsGetAll(updated_utc=ever)).collect()
        request = ResourcesGetAll(extent=ResourceExtent(resources=True, inactive=True))
        rooms = {r.id for r in await mews.get_resources(request).collect()}
    start, end = import_range(now)
    colliding = {
        r.id: r.updated_utc
        for r in every
        if r.scheduled_start_utc is not None
        and r.scheduled_end_utc is not None
        and r.updated_utc is not None
        and r.scheduled_start_utc < end
        and r.scheduled_end_utc > start
    }
    return colliding, rooms


def _reservation_calls(mews_sim: Any) -> int:
    return int(mews_sim.control.counters()["requests_by_path"].get(RESERVATIONS, 0))


async def _health(jetstream: JetStreamContext, enterprise: str) -> dict[str, Any]:
    kv = await jetstream.key_value(SYNC_HEALTH.bucket)
    try:
        entry = await kv.get(enterprise)
    except Exception:
        return {}
    return dict(msgspec.json.decode(entry.value or b"{}"))


def test_the_range_and_its_windows() -> None:
    start, end = import_range(datetime(2026, 3, 10, 17, 45, tzinfo=UTC))
    assert start == datetime(2025, 12, 9, tzinfo=UTC)  # 90 days back, and one more
    assert end == datetime(2027, 3, 12, tzinfo=UTC)  # the end of +365 days, and one more
    front, *months = import_windows(start, end)
    # The front desk's days first: every hotel's today (UTC-12 to UTC+14) is inside.
    assert front.start_utc == datetime(2026, 3, 9, tzinfo=UTC)
    assert front.end_utc == datetime(2026, 3, 12, tzinfo=UTC)
    assert months[0].start_utc == start
    assert months[-1].end_utc == end
    for before, after in itertools.pairwise(months):
        assert before.end_utc == after.start_utc  # half-open, no gap, no overlap
    # Mews takes CollidingUtc intervals of three months at most.
    assert all(w.end_utc - w.start_utc <= timedelta(days=92) for w in [front, *months])
    assert len(months) == 6


async def test_the_first_start_imports_the_property_once(
    mews_sim: Any, nats_url: str, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    mews_sim.control.rate_limit(enabled=False)
    expected, rooms = await _truth(mews_sim)
    month_ago = datetime.now(UTC) - timedelta(days=30)
    untouched = {i for i, updated in expected.items() if updated < month_ago}
    assert untouched, "the seed has reservations not updated for a month: the point here"
    enterprise = mews_sim.gross.id

    async def start() -> tuple[SyncApp, asyncio.Event, asyncio.Task[None]]:
        app = SyncApp(sync_settings(mews_sim, nats_url, initial_import=True))
        stop = asyncio.Event()
        task = asyncio.create_task(app.run(stop))
        await wait_for(lambda: app.ready.is_set() or task.done(), what="sync to start")
        if task.done():
            task.result()
        return app, stop, task

    async def imported() -> dict[str, Any] | None:
        health = await _health(jetstream, enterprise)
        return health if health.get("import_state") == "done" else None

    _, stop, task = await start()
    try:
        health = await wait_for(imported, timeout=60, what="the import done, in the health")
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)

    assert health["import_windows_done"] == health["import_windows_total"] == 7
    assert health["import_reservations"] == len(expected)
    assert health["import_started_at"] <= health["import_finished_at"]
    _, stays, room_commands = await all_commands(jetstream)
    assert {s.stay.mews_id for s in stays} == set(expected)  # untouched ones too
    assert {r.room.mews_id for r in room_commands} == rooms
    assert all(r.room.state for r in room_commands)
    assert all(r.room.category_name for r in room_commands)  # every room has its type
    assert all(s.stay.resource_name for s in stays if s.stay.resource_mews_id)
    marker = await read_state(await jetstream.key_value(SYNC_HEALTH.bucket), enterprise)
    assert marker is not None
    assert marker.state == "done"

    # A restart finds the import done: not a single reservation read.
    mews_sim.control.reset_counters()
    restarted_at = datetime.now(UTC)
    _, stop, task = await start()
    try:

        async def reported_again() -> bool:
            health = await _health(jetstream, enterprise)
            updated = health.get("updated_at")
            return updated is not None and datetime.fromisoformat(updated) > restarted_at

        await wait_for(reported_again, what="the restarted sync's health")
        await asyncio.sleep(1.0)  # an import would have begun by now
        assert (await _health(jetstream, enterprise))["import_state"] == "done"
        assert _reservation_calls(mews_sim) == 0
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_a_stopped_or_failed_import_resumes_at_its_first_unfinished_window(
    mews_sim: Any, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    mews_sim.control.rate_limit(enabled=False)
    expected, _ = await _truth(mews_sim)
    enterprise = mews_sim.gross.id
    kv = await jetstream.key_value(SYNC_HEALTH.bucket)
    fast = RetryPolicy(max_attempts=2, backoff_initial=0.01, backoff_max=0.05, jitter=0)

    stop = asyncio.Event()
    seen: list[ImportProgress] = []

    def stop_after_two_windows(progress: ImportProgress) -> None:
        seen.append(progress)
        if progress.windows_done == 2:
            stop.set()

    async with _client(mews_sim, retry=fast) as mews:
        job = InitialImport(Applier(mews, enterprise, jetstream), kv)
        stopped = await job.run(progress=stop_after_two_windows, stop=stop)
    assert (stopped.state, stopped.windows_done, stopped.windows_total) == ("pending", 2, 7)
    assert not seen[0].resumed

    # The next run (another process: nothing in memory) fails in its first window.
    mews_sim.control.fail_next(2, status=500, path=RESERVATIONS)
    async with _client(mews_sim, retry=fast) as mews:
        job = InitialImport(Applier(mews, enterprise, jetstream), kv)
        with pytest.raises(MewsServerError):
            await job.run()
    failed = await read_state(kv, enterprise)
    assert failed is not None
    assert (failed.state, failed.windows_done) == ("failed", 2)
    assert failed.error is not None
    assert "500" in failed.error

    # And the one after that finishes it, from window 3.
    mews_sim.control.clear_faults()
    mews_sim.control.reset_counters()
    resumed: list[ImportProgress] = []
    async with _client(mews_sim, retry=fast) as mews:
        job = InitialImport(Applier(mews, enterprise, jetstream), kv)
        done = await job.run(progress=resumed.append)
    assert resumed[0].resumed
    assert resumed[0].windows_done == 2
    # From window 3 on: each page, then each window as it is done, up to the seventh.
    shown = [p.windows_done for p in resumed]
    assert shown == sorted(shown)
    assert set(shown) == {2, 3, 4, 5, 6, 7}
    assert done.state == "done"
    assert done.reservations == len(expected)  # each reservation counted once
    # Five windows read (one page each on this seed), not seven.
    assert _reservation_calls(mews_sim) == 5
    _, stays, _ = await all_commands(jetstream)
    assert {s.stay.mews_id for s in stays} == set(expected)

    # Done stays done: another run reads nothing.
    mews_sim.control.reset_counters()
    async with _client(mews_sim, retry=fast) as mews:
        again = await InitialImport(Applier(mews, enterprise, jetstream), kv).run()
    assert again.state == "done"
    assert _reservation_calls(mews_sim) == 0

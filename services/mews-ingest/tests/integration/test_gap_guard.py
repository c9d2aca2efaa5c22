"""The gap guard across restarts: a silence longer than the bound (one a previous process left
in KV too) makes the first sweep start at the resync horizon; a recent contact does not; a
checkpoint older than the horizon is swept from the horizon and announced as a backfill
needed. Real nats-server and the simulator; times are set by writing the KV entries."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
from ingest_support import stream_changes, wait_for
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from attendandt.contracts.kv import IngestState
from attendandt.contracts.mews import ChangeSource, MewsEntity
from attendandt.contracts.streams import (
    INGEST_CHECKPOINTS,
    INGEST_STATE,
    BackfillDone,
    backfill_done_key,
    ensure_streams,
)
from attendandt.mews_ingest.checkpoints import Checkpoints, LastContacts
from attendandt.mews_ingest.settings import SWEPT_ENTITIES

SILENCE_S = 3600.0  # the tests' silence bound (ingest_settings)
HORIZON_S = 600.0  # and resync horizon


async def _checkpoints(jetstream: JetStreamContext) -> KeyValue:
    await ensure_streams(jetstream)
    return await jetstream.key_value(INGEST_CHECKPOINTS.bucket)


async def _set_checkpoints(kv: KeyValue, enterprise_id: str, at: datetime) -> None:
    checkpoints = Checkpoints(kv)
    for entity in SWEPT_ENTITIES:
        await checkpoints.advance(enterprise_id, entity, at)


async def _swept_customers(jetstream: JetStreamContext) -> dict[str, datetime | None]:
    return {
        c.mews_id: c.observed_version
        for c in await stream_changes(jetstream)
        if c.entity is MewsEntity.CUSTOMER and c.source is ChangeSource.SWEEP
    }


async def _touched_customer_before_checkpoints(mews_sim: Any, kv: KeyValue) -> str:
    """A customer changed just before every checkpoint: a sweep from the checkpoints does
    not see it, a sweep from the horizon does."""
    [customer] = mews_sim.control.touch("customers", 1, mews_sim.gross.id)
    # UpdatedUtc has whole seconds: the next second is after the change.
    after = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    await _set_checkpoints(kv, mews_sim.gross.id, after)
    return str(customer)


async def test_a_silence_across_a_restart_makes_the_first_sweep_a_full_resync(
    mews_sim, jetstream: JetStreamContext, start_ingest
) -> None:
    kv = await _checkpoints(jetstream)
    hotel = mews_sim.gross.id
    customer = await _touched_customer_before_checkpoints(mews_sim, kv)
    # A previous process last heard from the property two hours ago (the bound is one).
    silent_since = datetime.now(UTC) - timedelta(seconds=2 * SILENCE_S)
    await LastContacts(kv).keep(hotel, silent_since)

    ingest = await start_ingest(sweep_overlap_s=0.0)
    board = ingest.app.board
    await wait_for(lambda: board.get(hotel).last_sweep_at is not None, what="the first sweep")

    assert board.get(hotel).last_full_resync_at is not None
    assert customer in await _swept_customers(jetstream)  # only a sweep from the horizon sees it
    assert ingest.app.enterprises[hotel].gap.due == set()
    assert not board.get(hotel).backfill_needed  # the checkpoints were within the horizon

    # Resynced: the contact kept for the next process is now, not two hours ago.
    async def contact_kept() -> bool:
        kept = await LastContacts(kv).get(hotel)
        return kept is not None and kept > silent_since + timedelta(seconds=SILENCE_S)

    await wait_for(contact_kept, what="the new contact in KV")


async def test_a_recent_contact_across_a_restart_sweeps_from_the_checkpoints(
    mews_sim, jetstream: JetStreamContext, start_ingest
) -> None:
    kv = await _checkpoints(jetstream)
    hotel = mews_sim.gross.id
    customer = await _touched_customer_before_checkpoints(mews_sim, kv)
    await LastContacts(kv).keep(hotel, datetime.now(UTC) - timedelta(seconds=SILENCE_S / 2))

    ingest = await start_ingest(sweep_overlap_s=0.0)
    board = ingest.app.board
    await wait_for(lambda: board.get(hotel).last_sweep_at is not None, what="the first sweep")

    assert board.get(hotel).last_full_resync_at is None
    assert customer not in await _swept_customers(jetstream)
    assert ingest.app.enterprises[hotel].gap.due == set()


async def test_a_checkpoint_beyond_the_horizon_sweeps_from_it_and_asks_for_a_backfill(
    mews_sim,
    jetstream: JetStreamContext,
    start_ingest,
    caplog: pytest.LogCaptureFixture,
) -> None:
    kv = await _checkpoints(jetstream)
    hotel = mews_sim.gross.id
    checkpoint = (datetime.now(UTC) - timedelta(days=20)).replace(microsecond=0)
    await _set_checkpoints(kv, hotel, checkpoint)
    # Not silent: the checkpoints alone are too old.
    await LastContacts(kv).keep(hotel, datetime.now(UTC) - timedelta(minutes=1))
    horizon_then = datetime.now(UTC) - timedelta(seconds=HORIZON_S)
    # The seed has customers changed between the checkpoint and the horizon: the ones a
    # sweep from the horizon skips, and a backfill must fetch.
    token = mews_sim.gross.token
    skipped = httpx.post(
        mews_sim.api_url("customers/getAll"),
        json={
            **token.body(),
            "Extent": {"Customers": True},
            "UpdatedUtc": {
                "StartUtc": checkpoint.isoformat().replace("+00:00", "Z"),
                "EndUtc": horizon_then.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            },
            "Limitation": {"Count": 1000},
        },
        timeout=30,
    ).json()["Customers"]
    assert skipped, "the seed has no customer changed between the checkpoint and the horizon"
    [touched] = mews_sim.control.touch("customers", 1, hotel)  # within the horizon

    caplog.set_level(logging.WARNING, logger="attendandt.mews_ingest.property_sweeps")
    ingest = await start_ingest(sweep_overlap_s=0.0)
    board = ingest.app.board
    await wait_for(lambda: board.get(hotel).last_sweep_at is not None, what="the first sweep")

    swept = await _swept_customers(jetstream)
    assert touched in swept
    assert not ({c["Id"] for c in skipped} - {touched}) & set(swept)
    assert all(v is not None and v >= horizon_then - timedelta(seconds=5) for v in swept.values())
    state = board.get(hotel)
    assert state.backfill_needed
    assert state.backfill_since == checkpoint
    assert state.backfill_reason is not None
    assert "20.0 days old" in state.backfill_reason
    assert f"--enterprise {hotel} --since {checkpoint:%Y-%m-%d}" in state.backfill_reason
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("backfill needed" in w and hotel in w and "20.0 days old" in w for w in warnings), (
        warnings
    )

    # Announced until dealt with: a restart (its checkpoints now fresh) keeps the flag.
    await ingest.close()
    again = await start_ingest(sweep_overlap_s=0.0)
    state = again.app.board.get(hotel)
    assert state.backfill_needed
    assert state.backfill_since == checkpoint

    # Until a backfill covers the gap: one that starts after it does not, one from it does.
    state_kv = await jetstream.key_value(INGEST_STATE.bucket)
    later = BackfillDone(since=checkpoint + timedelta(days=1), finished_at=datetime.now(UTC))
    await state_kv.put(backfill_done_key(hotel), msgspec.json.encode(later))
    assert await again.app.board.settle_backfills() == []
    assert again.app.board.get(hotel).backfill_needed
    covering = BackfillDone(since=checkpoint, finished_at=datetime.now(UTC))
    await state_kv.put(backfill_done_key(hotel), msgspec.json.encode(covering))

    async def cleared() -> bool:
        entry = await state_kv.get(hotel)
        shown = msgspec.json.decode(entry.value or b"", type=IngestState)
        return not shown.backfill_needed and shown.backfill_reason is None

    await wait_for(cleared, what="the flag cleared on the status board")


async def test_the_last_contact_is_written_at_a_bounded_rate(jetstream: JetStreamContext) -> None:
    kv = await _checkpoints(jetstream)
    now = [1000.0]
    contacts = LastContacts(kv, every_s=10.0, clock=lambda: now[0])
    first = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert await contacts.keep("e-1", first)  # never written: at once
    assert not await contacts.keep("e-1", first + timedelta(seconds=1))
    now[0] += 9.9
    assert not await contacts.keep("e-1", first + timedelta(seconds=2))
    assert await contacts.get("e-1") == first
    now[0] += 0.1
    assert await contacts.keep("e-1", first + timedelta(seconds=3))
    assert await contacts.keep("e-1", first + timedelta(seconds=4), force=True)  # shutdown
    assert not await contacts.keep("e-1", first + timedelta(seconds=4), force=True)  # unchanged
    assert await contacts.get("e-1") == first + timedelta(seconds=4)
    assert await contacts.keep("e-2", first)  # each property its own pace

"""Changes → batched Mews fetches → commands, on the simulator and a real NATS."""

import asyncio

import msgspec
from nats.js import JetStreamContext
from sync_support import announce, stored_commands, wait_for

from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import ensure_streams
from attendandt.mews import Credentials, MewsClient
from attendandt.mews.models import ReservationsGetAll


async def _sim_reservations(mews_sim, ids: list[str]) -> dict:
    token = mews_sim.gross.token
    async with MewsClient(
        Credentials(client_token=token.client_token, access_token=token.access_token),
        environment=mews_sim.base_url,
    ) as client:
        found = await client.get_reservations(ReservationsGetAll(reservation_ids=ids)).collect()
    return {r.id: r for r in found}


async def test_a_burst_is_fetched_in_a_few_calls_and_commands_match_mews(
    mews_sim, jetstream: JetStreamContext, start_sync
) -> None:
    mews_sim.reset("default")
    mews_sim.control.rate_limit(enabled=False)
    ids = await asyncio.to_thread(mews_sim.control.touch, "reservations", 1000, mews_sim.gross.id)
    # The whole burst waits when sync starts: one pass must take it all.
    await ensure_streams(jetstream)
    await announce(jetstream, mews_sim.gross.id, MewsEntity.RESERVATION, ids)
    mews_sim.control.reset_counters()
    await start_sync()

    async def all_commanded() -> bool:
        _, stays = await stored_commands(jetstream)
        return {s.stay.mews_id for s in stays} >= set(ids)

    await wait_for(all_commanded, what="an UpsertStay for every change")
    counters = mews_sim.control.counters()
    by_path = counters["requests_by_path"]
    calls = {
        name: sum(n for path, n in by_path.items() if path.endswith(name))
        for name in ("reservations/getAll/2023-06-06", "customers/getAll", "resources/getAll")
    }
    # One pass: the reservations, the people on them, their rooms, each in pages of 1000 ids.
    # 1000 reservations name up to ~1,100 people (owners and companions): two pages at most.
    # Fetching per change would be 1000 calls.
    assert calls == {
        "reservations/getAll/2023-06-06": 1,
        "customers/getAll": calls["customers/getAll"],
        "resources/getAll": 1,
    }, by_path
    assert 1 <= calls["customers/getAll"] <= 2, by_path
    guests, stays = await stored_commands(jetstream)
    truth = await _sim_reservations(mews_sim, ids)
    latest = {s.stay.mews_id: s.stay for s in stays}
    for mews_id in ids:
        assert latest[mews_id].mews_updated_utc == truth[mews_id].updated_utc
        assert latest[mews_id].mews_state == truth[mews_id].state
    owners = {r.account_id for r in truth.values() if r.account_type == "Customer"}
    assert owners <= {g.guest.mews_id for g in guests}, "a stay points to a guest never commanded"


async def test_an_id_mews_does_not_know_becomes_a_dead_letter(
    mews_sim, jetstream: JetStreamContext, start_sync
) -> None:
    await start_sync()
    [real] = mews_sim.control.touch("customers", 1, mews_sim.gross.id)
    await announce(
        jetstream,
        mews_sim.gross.id,
        MewsEntity.CUSTOMER,
        [real, "00000000-0000-0000-0000-00000000dead"],
    )

    async def dead_lettered() -> bool:
        try:
            raw = await jetstream.get_last_msg("DEAD_LETTERS", "deadletter.v1.sync.sync-changes")
        except Exception:
            return False
        return "not found in Mews" in msgspec.json.decode(raw.data, type=DeadLetter).reason

    await wait_for(dead_lettered, what="the dead letter")
    guests, _ = await stored_commands(jetstream)
    assert real in {g.guest.mews_id for g in guests}


async def test_under_a_strict_rate_limit_nothing_is_dropped(
    mews_sim, jetstream: JetStreamContext, start_sync
) -> None:
    await start_sync(coalesce_window_s=0.0, batch_max=5)  # many small passes → many calls
    mews_sim.control.rate_limit(limit=4, window_s=1.0)
    ids = mews_sim.control.touch("customers", 40, mews_sim.gross.id)
    await announce(jetstream, mews_sim.gross.id, MewsEntity.CUSTOMER, ids)

    async def all_commanded() -> bool:
        guests, _ = await stored_commands(jetstream)
        return {g.guest.mews_id for g in guests} >= set(ids)

    await wait_for(all_commanded, timeout=60, what="every customer despite 429s")
    assert mews_sim.control.counters()["rate_limited"] > 0


async def test_health_is_reported_in_kv(mews_sim, jetstream: JetStreamContext, start_sync) -> None:
    await start_sync()
    ids = mews_sim.control.touch("customers", 3, mews_sim.gross.id)
    await announce(jetstream, mews_sim.gross.id, MewsEntity.CUSTOMER, ids)
    kv = await jetstream.key_value("sync_health")

    async def reported() -> bool:
        try:
            entry = await kv.get(mews_sim.gross.id)
        except Exception:
            return False
        state = msgspec.json.decode(entry.value or b"{}")
        return state.get("changes_applied", 0) >= 3 and state.get("mews_calls_total", 0) >= 1

    await wait_for(reported, what="the health entry")


async def test_owners_already_commanded_are_not_fetched_again(
    mews_sim, jetstream: JetStreamContext, start_sync
) -> None:
    await start_sync()
    ids = mews_sim.control.touch("reservations", 20, mews_sim.gross.id)
    await announce(jetstream, mews_sim.gross.id, MewsEntity.RESERVATION, ids)

    async def stays_commanded(count: int) -> bool:
        _, stays = await stored_commands(jetstream)
        return len(stays) >= count

    await wait_for(lambda: stays_commanded(len(set(ids))), what="the first pass")
    mews_sim.control.reset_counters()
    await asyncio.sleep(1.1)  # a new second: new versions (UpdatedUtc has whole seconds)
    again = mews_sim.control.touch("reservations", 20, mews_sim.gross.id)
    await announce(jetstream, mews_sim.gross.id, MewsEntity.RESERVATION, again)
    await wait_for(lambda: stays_commanded(len(set(ids)) + len(set(again))), what="the second pass")
    by_path = mews_sim.control.counters()["requests_by_path"]
    assert by_path.get("reservations/getAll/2023-06-06", 0) >= 1
    assert by_path.get("customers/getAll", 0) == 0, by_path

"""Backfill imports everything, and resumes where an interrupted run stopped."""

from datetime import UTC, datetime, timedelta

import pytest
from nats.js import JetStreamContext
from sync_support import stored_commands

from attendandt.contracts.streams import SYNC_HEALTH, ensure_streams
from attendandt.mews import Credentials, MewsClient, TimeInterval
from attendandt.mews.models import CustomersGetAll, ReservationsGetAll
from attendandt.sync.applier import Applier
from attendandt.sync.backfill import Backfill, BackfillProgress


class Interrupted(Exception):
    pass


@pytest.fixture
async def mews(mews_sim):
    token = mews_sim.gross.token
    async with MewsClient(
        Credentials(client_token=token.client_token, access_token=token.access_token),
        environment=mews_sim.base_url,
    ) as client:
        yield client


async def test_backfill_imports_every_customer_and_reservation_and_resumes(
    mews_sim, mews: MewsClient, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    config = await mews.get_configuration()
    end = config.now_utc or datetime.now(UTC)
    since = end - timedelta(days=400)
    window = TimeInterval(start_utc=since, end_utc=end)
    customers = {
        c.id for c in await mews.get_customers(CustomersGetAll(updated_utc=window)).collect()
    }
    reservations = {
        r.id for r in await mews.get_reservations(ReservationsGetAll(updated_utc=window)).collect()
    }
    assert customers
    assert reservations

    backfill = Backfill(
        Applier(mews, mews_sim.gross.id, jetstream), await jetstream.key_value(SYNC_HEALTH.bucket)
    )
    windows_done: list[BackfillProgress] = []

    def stop_after_three(progress: BackfillProgress) -> None:
        windows_done.append(progress)
        if len(windows_done) == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        await backfill.run(since, end, entities=("customers",), progress=stop_after_three)

    resumed: list[BackfillProgress] = []
    counts = await backfill.run(since, end, progress=resumed.append)
    customer_windows = [p for p in resumed if p.entity == "customers"]
    assert customer_windows[0].resumed
    assert customer_windows[0].window == 4  # windows 1-3 were done before the interruption
    assert counts["reservations"] == len(reservations)

    guests, stays = await stored_commands(jetstream)
    assert {g.guest.mews_id for g in guests} >= customers
    assert {s.stay.mews_id for s in stays} == reservations
    assert all(s.stay.resource_name for s in stays if s.stay.resource_mews_id)

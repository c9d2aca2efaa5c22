"""A clean stop keeps what ingest last knew: the state is written to KV after intake and
the sweeps have stopped and before the NATS connection closes (`platform.runtime`'s stop
steps), so the next process sees it."""

from datetime import UTC, datetime

from ingest_support import wait_for
from nats.js import JetStreamContext

from attendandt.contracts.kv import IngestState, decode_value
from attendandt.contracts.streams import INGEST_CHECKPOINTS, INGEST_STATE
from attendandt.mews_ingest.checkpoints import LastContacts


async def test_what_ingest_heard_just_before_the_stop_is_in_kv_once_it_stopped(
    mews_sim, jetstream: JetStreamContext, start_ingest
) -> None:
    # Contacts are written at most once an hour while running: after the first, only the
    # write at stop can keep a later one (and it fails once the connection is closed).
    ingest = await start_ingest(last_contact_write_s=3600)
    app = ingest.app
    enterprise_id = mews_sim.gross.id
    contacts = LastContacts(await jetstream.key_value(INGEST_CHECKPOINTS.bucket))
    first = await wait_for(lambda: contacts.get(enterprise_id), what="a first last contact")
    await wait_for(lambda: app.board.get(enterprise_id).websocket == "connected")

    heard_at = datetime.now(UTC)
    assert heard_at > first
    assert app.live is not None
    app.live.heard(app.enterprises[enterprise_id], heard_at, live=True)
    await ingest.close()

    assert ingest.task.done()
    kept = await contacts.get(enterprise_id)
    assert kept is not None
    assert kept >= heard_at  # a sweep may have ended later still
    entry = await (await jetstream.key_value(INGEST_STATE.bucket)).get(enterprise_id)
    stored = decode_value(entry.value, IngestState)
    assert stored.last_live_at is not None
    assert stored.last_live_at >= heard_at
    # Intake stopped before the state was written: the socket said goodbye.
    assert stored.websocket == "disconnected"

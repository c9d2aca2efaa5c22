"""A property whose AccessToken Mews refuses (HTTP 401: its key rotated and the webhook with
the new one missed) shows refused, not live: on ingest's board (`token_refused_since`), so
in its phase, until a call with a good token succeeds again. Real nats-server, the simulator
refusing the old token, ingest in the test's process."""

from __future__ import annotations

from datetime import UTC, datetime

from ingest_support import onboarding_mews, wait_for
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError

from attendandt.contracts.kv import IngestState, SyncHealth, decode_value, property_phase
from attendandt.contracts.streams import INGEST_STATE


def _live(enterprise_id: str) -> SyncHealth:
    """What sync reports of a property in step: only ingest's board can say it is not."""
    return SyncHealth(
        enterprise_id=enterprise_id,
        import_state="done",
        configuration_synced_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


async def _stored(js: JetStreamContext, enterprise_id: str) -> IngestState | None:
    """The property's entry as the gateway and `attendandt status` read it."""
    kv = await js.key_value(INGEST_STATE.bucket)
    try:
        entry = await kv.get(enterprise_id)
    except KeyNotFoundError:
        return None
    return decode_value(entry.value, IngestState)


async def test_a_refused_token_shows_refused_until_a_new_key_is_in_use(
    mews_sim, nats_url: str, jetstream: JetStreamContext, start_ingest
) -> None:
    mews, _ = onboarding_mews(mews_sim, nats_url)
    ingest = await start_ingest(mews=mews)
    app = ingest.app
    assert app.board is not None
    board = app.board
    control = mews_sim.control
    hotel = control.connect_property("Hotel Refused")
    enterprise, integration = hotel["enterprise_id"], hotel["integration_id"]
    await wait_for(
        lambda: enterprise in app.enterprises and board.get(enterprise).last_sweep_at is not None,
        what="the onboarded property swept",
    )
    assert board.get(enterprise).token_refused_since is None

    # A new key whose webhook never reaches ingest: the old token is refused at once.
    control.configure_webhooks(None)
    rotated = control.rotate_api_key(integration, old_token_grace_s=0)
    app.enterprises[enterprise].sweep_requested.set()

    async def refused() -> IngestState | None:
        state = await _stored(jetstream, enterprise)
        return state if state is not None and state.token_refused_since is not None else None

    shown = await wait_for(refused, what="the refusal on the board in KV")
    assert shown.token_refused_reason is not None
    assert "401" in shown.token_refused_reason
    assert "Invalid AccessToken" in shown.token_refused_reason
    assert rotated["access_token"] not in shown.token_refused_reason
    assert hotel["access_token"] not in shown.token_refused_reason
    # Refused, though sync last saw it in step; still "enabled" in Mews.
    assert shown.integration_state == "enabled"
    assert property_phase(shown, _live(enterprise)) == "refused"
    assert property_phase(shown, None) == "refused"
    since = shown.token_refused_since

    # Refused again by the retries: still refused since the first refusal.
    calls = control.requests_for(enterprise)
    await wait_for(lambda: control.requests_for(enterprise) > calls, what="a retried sweep")
    assert board.get(enterprise).token_refused_since == since

    # Webhooks delivered again and another key issued: ingest takes it, its sweep succeeds,
    # the refusal is cleared.
    settings = app.settings
    control.configure_webhooks(
        f"http://127.0.0.1:{settings.http_port}/webhooks/mews",
        secret=settings.webhook_secret,
        retry_delay_s=0.3,
        max_attempts=20,
        batch_delay_s=0.05,
    )
    again = control.rotate_api_key(integration, old_token_grace_s=0)
    await wait_for(
        lambda: (
            enterprise in app.enterprises
            and app.enterprises[enterprise].client.credentials.access_token == again["access_token"]
        ),
        what="the new key in use",
    )

    async def accepted() -> IngestState | None:
        state = await _stored(jetstream, enterprise)
        ok = state is not None and state.token_refused_since is None
        return state if ok and state.last_sweep_error is None else None

    cleared = await wait_for(accepted, what="the refusal cleared in KV")
    assert cleared.token_refused_reason is None
    assert property_phase(cleared, _live(enterprise)) == "live"

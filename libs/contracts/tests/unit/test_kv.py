"""The stored KV values: snapshotted with the payloads, and entries already stored stay
readable."""

from datetime import UTC, datetime

import msgspec
import pytest

from attendandt.contracts.kv import (
    KV_VALUES,
    IngestState,
    SyncHealth,
    decode_value,
    is_enterprise_key,
    property_phase,
)
from attendandt.contracts.schema import snapshot_path, snapshotted


def test_every_stored_value_is_snapshotted() -> None:
    assert set(KV_VALUES) <= set(snapshotted())
    for value in KV_VALUES:
        assert snapshot_path(value).exists(), f"{value.__name__}: run `make schemas`"


def test_an_entry_written_before_a_field_existed_still_decodes() -> None:
    # What an ingest of an earlier version stored: no alarm, no backfill fields.
    old = b'{"enterprise_id": "ent-1", "websocket": "connected", "reconnects": 2}'
    state = decode_value(old, IngestState)
    assert (state.enterprise_id, state.websocket, state.reconnects) == ("ent-1", "connected", 2)
    assert state.alert_reasons == ()
    assert state.backfill_needed is False


def test_an_entry_from_a_newer_writer_still_decodes() -> None:
    newer = b'{"enterprise_id": "ent-1", "consumer_lag": 3, "a_field_from_later": true}'
    assert decode_value(newer, SyncHealth).consumer_lag == 3


def test_a_value_round_trips_as_its_writer_encodes_it() -> None:
    at = datetime(2026, 11, 25, 12, tzinfo=UTC)
    state = IngestState(enterprise_id="ent-1", alert_reasons=("silence",), alert_raised_at=at)
    assert decode_value(msgspec.json.encode(state), IngestState) == state
    health = SyncHealth(enterprise_id="ent-1", import_state="running", import_windows_done=2)
    assert decode_value(msgspec.json.encode(health), SyncHealth) == health


@pytest.mark.parametrize("data", [b"", b"not json", b'{"consumer_lag": "many"}'])
def test_an_unreadable_entry_is_a_msgspec_error(data: bytes) -> None:
    with pytest.raises(msgspec.MsgspecError):
        decode_value(data, SyncHealth)


def test_only_undotted_keys_are_enterprises() -> None:
    assert is_enterprise_key("ent-1")
    assert not is_enterprise_key("backfill_done.ent-1")
    assert not is_enterprise_key("import.ent-1")
    assert not is_enterprise_key("")


@pytest.mark.parametrize(
    ("integration_state", "import_state", "configured", "phase"),
    [
        (None, None, False, "onboarding"),  # sync has read nothing yet
        ("enabled", "pending", False, "importing"),
        ("enabled", "running", True, "importing"),
        ("enabled", "failed", True, "importing"),  # tried again
        ("enabled", "done", True, "live"),
        (None, None, True, "live"),  # no first import asked for, configuration read
        ("disabled", "done", True, "stopped"),
        ("canceled", "running", True, "stopped"),
        ("deleted", None, False, "stopped"),
    ],
)
def test_a_property_phase_follows_ingest_and_sync(
    integration_state: str | None, import_state: str | None, configured: bool, phase: str
) -> None:
    ingest = IngestState(enterprise_id="e", integration_state=integration_state)
    health = SyncHealth(
        enterprise_id="e",
        import_state=import_state,  # type: ignore[arg-type]
        configuration_synced_at=datetime(2026, 12, 5, tzinfo=UTC) if configured else None,
    )
    assert property_phase(ingest, health) == phase


def test_a_property_sync_has_not_seen_is_onboarding() -> None:
    assert property_phase(IngestState(enterprise_id="e"), None) == "onboarding"
    assert property_phase(None, None) == "onboarding"


REFUSED_AT = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("import_state", "configured"),
    [("done", True), (None, True), ("running", True), (None, False)],
)
def test_a_property_whose_token_mews_refuses_is_refused_whatever_sync_saw(
    import_state: str | None, configured: bool
) -> None:
    """A live (or importing, or onboarding) property whose token Mews refuses is not in step:
    it shows refused, not the phase its last good reads left."""
    ingest = IngestState(
        enterprise_id="e",
        integration_state="enabled",
        token_refused_since=REFUSED_AT,
        token_refused_reason="reservations/getAll: HTTP 401: Invalid AccessToken",
    )
    health = SyncHealth(
        enterprise_id="e",
        import_state=import_state,  # type: ignore[arg-type]
        configuration_synced_at=REFUSED_AT if configured else None,
    )
    assert property_phase(ingest, health) == "refused"
    assert property_phase(ingest, None) == "refused"
    # A token from MEWS_ACCESS_TOKENS (no integration) is refused alike.
    env = msgspec.structs.replace(ingest, integration_state=None)
    assert property_phase(env, health) == "refused"


@pytest.mark.parametrize("integration_state", ["disabled", "canceled", "deleted"])
def test_a_stopped_integration_stays_stopped_though_its_token_was_refused(
    integration_state: str,
) -> None:
    ingest = IngestState(
        enterprise_id="e", integration_state=integration_state, token_refused_since=REFUSED_AT
    )
    health = SyncHealth(enterprise_id="e", import_state="done", configuration_synced_at=REFUSED_AT)
    assert property_phase(ingest, health) == "stopped"


def test_a_token_accepted_again_is_live_again() -> None:
    ingest = IngestState(enterprise_id="e", integration_state="enabled", token_refused_since=None)
    health = SyncHealth(enterprise_id="e", import_state="done", configuration_synced_at=REFUSED_AT)
    assert property_phase(ingest, health) == "live"


def test_an_ingest_state_stored_before_token_refusals_decodes_as_not_refused() -> None:
    stored = b'{"enterprise_id": "e", "websocket": "connected", "integration_state": "enabled"}'
    state = decode_value(stored, IngestState)
    assert (state.token_refused_since, state.token_refused_reason) == (None, None)

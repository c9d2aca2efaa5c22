"""`attendandt status` shows what ingest and sync report per property."""

import os
import subprocess
import sys
from datetime import UTC, datetime

import msgspec
from nats.js import JetStreamContext

from attendandt.contracts.streams import ensure_streams
from attendandt.testing.nats_accounts import nats_env


async def test_status_prints_each_property(nats_url: str, jetstream: JetStreamContext) -> None:
    await ensure_streams(jetstream)
    now = datetime.now(UTC).isoformat()
    ingest = await jetstream.key_value("ingest_state")
    await ingest.put(
        "ent-1",
        msgspec.json.encode({"websocket": "connected", "reconnects": 3, "last_event_at": now}),
    )
    sync = await jetstream.key_value("sync_health")
    await sync.put(
        "ent-1",
        msgspec.json.encode(
            {
                "consumer_lag": 42,
                "rate_limited_429s": 7,
                "last_applied_at": now,
                "configuration_synced_at": now,
            }
        ),
    )
    await sync.put(
        "backfill.ent-1.customers", b'{"since": "x", "done_until": "y"}'
    )  # not a property

    result = subprocess.run(
        [sys.executable, "-m", "attendandt.ops", "status"],
        env={**os.environ, **nats_env(nats_url)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "property ent-1" in result.stdout
    # Configuration read, no import reported, no integration (configured by environment).
    assert "  phase:  live\n" in result.stdout
    assert "websocket connected, 3 connects" in result.stdout
    assert "lag 42 changes" in result.stdout
    assert "7 429s" in result.stdout
    assert "backfill" not in result.stdout
    assert "MEWS_CHANGES 0" in result.stdout


async def test_status_says_when_a_property_needs_a_backfill(
    nats_url: str, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    ingest = await jetstream.key_value("ingest_state")
    reason = "the customer checkpoint was 41.0 days old, beyond the resync horizon (30 days)"
    await ingest.put(
        "ent-2",
        msgspec.json.encode(
            {"websocket": "connected", "backfill_needed": True, "backfill_reason": reason}
        ),
    )
    result = subprocess.run(
        [sys.executable, "-m", "attendandt.ops", "status"],
        env={**os.environ, **nats_env(nats_url)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"BACKFILL NEEDED: {reason}" in result.stdout


async def test_status_shows_a_raised_alarm_and_why(
    nats_url: str, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    ingest = await jetstream.key_value("ingest_state")
    detail = "no WebSocket event or webhook since 2026-12-03 10:00:00 UTC"
    await ingest.put(
        "ent-3",
        msgspec.json.encode(
            {
                "websocket": "connected",
                "alert_reasons": ["silence"],
                "alert_details": [detail],
                "alert_raised_at": datetime.now(UTC).isoformat(),
            }
        ),
    )
    await ingest.put("ent-4", msgspec.json.encode({"websocket": "connected"}))
    result = subprocess.run(
        [sys.executable, "-m", "attendandt.ops", "status"],
        env={**os.environ, **nats_env(nats_url)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "property ent-3: RED" in result.stdout
    assert "ALARM since" in result.stdout
    assert ": silence" in result.stdout
    assert detail in result.stdout
    assert "property ent-4: green" in result.stdout


async def test_status_prints_each_property_s_phase_and_integration(
    nats_url: str, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    ingest = await jetstream.key_value("ingest_state")
    sync = await jetstream.key_value("sync_health")
    # Onboarded through Integration Webhooks, then disabled in Mews: stopped, whatever sync says.
    await ingest.put(
        "ent-stopped",
        msgspec.json.encode({"integration_id": "int-1", "integration_state": "disabled"}),
    )
    await sync.put("ent-stopped", msgspec.json.encode({"import_state": "done"}))
    await ingest.put(
        "ent-importing",
        msgspec.json.encode({"integration_id": "int-2", "integration_state": "enabled"}),
    )
    await sync.put("ent-importing", msgspec.json.encode({"import_state": "running"}))
    await sync.put("ent-live", msgspec.json.encode({"import_state": "done"}))
    await ingest.put("ent-new", msgspec.json.encode({"websocket": "connecting"}))
    result = subprocess.run(
        [sys.executable, "-m", "attendandt.ops", "status"],
        env={**os.environ, **nats_env(nats_url)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    phases = {}
    for block in result.stdout.split("property ")[1:]:
        name = block.split(":", 1)[0]
        phases[name] = next(
            line.removeprefix("  phase:  ") for line in block.splitlines() if "phase:" in line
        )
    assert phases == {
        "ent-importing": "importing, Mews integration enabled (int-2)",
        "ent-live": "live",
        "ent-new": "onboarding",
        "ent-stopped": "stopped, Mews integration disabled (int-1)",
    }

"""`attendandt status`: what the platform knows about each property, at a glance.

Reads what ingest and sync report (NATS KV `ingest_state` and `sync_health`), the streams'
backlogs and the dead letters; needs NATS_URL and the ops user (NATS_USER, NATS_PASSWORD).
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from typing import Any

import msgspec
from nats.js import JetStreamContext
from nats.js.errors import BucketNotFoundError, NotFoundError

from attendandt.contracts.streams import DEAD_LETTERS, INGEST_STATE, STREAMS, SYNC_HEALTH
from attendandt.platform.logging import redact_text
from attendandt.platform.messaging import connect
from attendandt.platform.settings import NatsSettings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("status", help="sync status per property, streams, dead letters")
    parser.set_defaults(handler=run)


async def _bucket(js: JetStreamContext, name: str) -> dict[str, dict[str, Any]]:
    try:
        kv = await js.key_value(name)
        keys = await kv.keys()
    except (BucketNotFoundError, NotFoundError):
        return {}
    except Exception:
        return {}
    found = {}
    for key in keys:
        entry = await kv.get(key)
        if entry.value:
            found[key] = msgspec.json.decode(entry.value)
    return found


def _ago(value: str | None) -> str:
    if not value:
        return "never"
    seconds = (datetime.now(UTC) - datetime.fromisoformat(value)).total_seconds()
    return f"{seconds:.0f}s ago" if seconds < 120 else f"{seconds / 60:.0f}m ago"


async def run(_: argparse.Namespace) -> int:
    nc = await connect(NatsSettings.from_env(os.environ), "attendandt-cli")
    try:
        js = nc.jetstream()
        ingest = await _bucket(js, INGEST_STATE.bucket)
        sync = {k: v for k, v in (await _bucket(js, SYNC_HEALTH.bucket)).items() if "." not in k}
        streams: dict[str, int | None] = {}
        for spec in STREAMS:
            try:
                streams[spec.name] = (await js.stream_info(spec.name)).state.messages
            except NotFoundError:
                streams[spec.name] = None
    finally:
        await nc.close()
    enterprises = sorted(set(ingest) | set(sync))
    if not enterprises:
        print("no property reported yet (is mews-ingest or sync running?)")
    for enterprise in enterprises:
        state, health = ingest.get(enterprise, {}), sync.get(enterprise, {})
        reasons = state.get("alert_reasons") or []
        print(f"property {enterprise}: {'RED' if reasons else 'green'}")
        if reasons:
            print(f"  ALARM since {_ago(state.get('alert_raised_at'))}: {', '.join(reasons)}")
            for detail in state.get("alert_details") or []:
                print(f"    {redact_text(str(detail))}")
        print(
            f"  ingest: websocket {state.get('websocket', '?')}, {state.get('reconnects', 0)} "
            f"connects, last event {_ago(state.get('last_event_at'))}, last webhook "
            f"{_ago(state.get('last_webhook_at'))}, last sweep {_ago(state.get('last_sweep_at'))}"
            + (
                f", sweep error: {redact_text(str(state['last_sweep_error']))}"
                if state.get("last_sweep_error")
                else ""
            )
        )
        if state.get("backfill_needed"):
            print(f"  BACKFILL NEEDED: {redact_text(str(state.get('backfill_reason') or '?'))}")
        print(
            f"  sync:   lag {health.get('consumer_lag', '?')} changes, last applied "
            f"{_ago(health.get('last_applied_at'))}, {health.get('mews_calls_per_minute', 0)} Mews "
            f"calls/min, {health.get('rate_limited_429s', 0)} 429s, "
            f"{health.get('dead_letters', 0)} dead letters"
        )
    print(
        "streams: "
        + ", ".join(
            f"{name} {count if count is not None else 'missing'}" for name, count in streams.items()
        )
    )
    dead = streams.get(DEAD_LETTERS.name) or 0
    if dead:
        print(f"{dead} dead letters: `attendandt dlq list`")
    return 0

"""`attendandt status`: what the platform knows about each property, at a glance.

Reads what ingest and sync report (NATS KV `ingest_state` and `sync_health`): each property's
phase (onboarding, importing, live, stopped, refused: Mews refuses its token, and what to
do) and its Mews integration's state when it was onboarded through Integration Webhooks, its
alarm, connection and lag; the streams' backlogs and the dead letters; needs NATS_URL and the
ops user (NATS_USER, NATS_PASSWORD).
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from typing import TypeVar

import msgspec
from nats.js import JetStreamContext
from nats.js.errors import BucketNotFoundError, NotFoundError

from attendandt.contracts.kv import (
    IngestState,
    KVValue,
    SyncHealth,
    decode_value,
    is_enterprise_key,
    property_phase,
)
from attendandt.contracts.streams import DEAD_LETTERS, INGEST_STATE, STREAMS, SYNC_HEALTH
from attendandt.platform.logging import redact_text
from attendandt.platform.messaging import connect
from attendandt.platform.settings import NatsSettings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("status", help="sync status per property, streams, dead letters")
    parser.set_defaults(handler=run)


V = TypeVar("V", bound=KVValue)


async def _bucket(js: JetStreamContext, name: str, kind: type[V]) -> dict[str, V]:
    """Each enterprise's entry (dotted keys are other entries beside them); an unreadable
    entry is left out rather than stopping the whole report."""
    try:
        kv = await js.key_value(name)
        keys = await kv.keys()
    except (BucketNotFoundError, NotFoundError):
        return {}
    except Exception:
        return {}
    found = {}
    for key in keys:
        if not is_enterprise_key(key):
            continue
        entry = await kv.get(key)
        if not entry.value:
            continue
        try:
            found[key] = decode_value(entry.value, kind)
        except msgspec.MsgspecError:
            print(f"unreadable {name} entry for {key}")
    return found


def _ago(value: datetime | None) -> str:
    if value is None:
        return "never"
    seconds = (datetime.now(UTC) - value).total_seconds()
    return f"{seconds:.0f}s ago" if seconds < 120 else f"{seconds / 60:.0f}m ago"


async def run(_: argparse.Namespace) -> int:
    nc = await connect(NatsSettings.from_env(os.environ), "attendandt-cli")
    try:
        js = nc.jetstream()
        ingest = await _bucket(js, INGEST_STATE.bucket, IngestState)
        sync = await _bucket(js, SYNC_HEALTH.bucket, SyncHealth)
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
        _print_property(enterprise, ingest.get(enterprise), sync.get(enterprise))
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


def _phase(state: IngestState | None, health: SyncHealth | None) -> str:
    """The property's phase (`property_phase`, as the web app shows it) and, for a property
    onboarded through Integration Webhooks, its integration's state as Mews last gave it."""
    phase: str = property_phase(state, health)
    if state is not None and state.integration_state is not None:
        integration = f"Mews integration {state.integration_state}"
        if state.integration_id:
            integration += f" ({state.integration_id})"
        phase += f", {integration}"
    return phase


def _refused(state: IngestState) -> str:
    """Why a refused property syncs nothing, and what to do about it."""
    reason = redact_text(state.token_refused_reason or "HTTP 401")
    if state.integration_id is not None:
        remedy = (
            "the hotel must reconnect the integration in Mews (a new key is needed: "
            "Mews sends it to ingest in IntegrationApiKeyCreated)"
        )
    else:
        remedy = "a new AccessToken is needed in MEWS_ACCESS_TOKENS (then restart the services)"
    return (
        f"  TOKEN REFUSED by Mews since {_ago(state.token_refused_since)} ({reason}): "
        f"nothing syncs; {remedy}"
    )


def _print_property(enterprise: str, state: IngestState | None, health: SyncHealth | None) -> None:
    reasons = state.alert_reasons if state is not None else ()
    refused = state is not None and property_phase(state, health) == "refused"
    print(f"property {enterprise}: {'RED' if reasons or refused else 'green'}")
    print(f"  phase:  {_phase(state, health)}")
    if state is not None and refused:
        print(_refused(state))
    if state is not None and reasons:
        print(f"  ALARM since {_ago(state.alert_raised_at)}: {', '.join(reasons)}")
        for detail in state.alert_details:
            print(f"    {redact_text(detail)}")
    if state is None:
        print("  ingest: no report")
    else:
        print(
            f"  ingest: websocket {state.websocket}, {state.reconnects} connects, last event "
            f"{_ago(state.last_event_at)}, last webhook {_ago(state.last_webhook_at)}, last "
            f"sweep {_ago(state.last_sweep_at)}"
            + (
                f", sweep error: {redact_text(state.last_sweep_error)}"
                if state.last_sweep_error
                else ""
            )
        )
        if state.backfill_needed:
            print(f"  BACKFILL NEEDED: {redact_text(state.backfill_reason or '?')}")
    if health is None:
        print("  sync:   no report")
    else:
        print(
            f"  sync:   lag {health.consumer_lag} changes, last applied "
            f"{_ago(health.last_applied_at)}, {health.mews_calls_per_minute} Mews calls/min, "
            f"{health.rate_limited_429s} 429s, {health.dead_letters} dead letters"
        )

"""Sync status per enterprise (the KV values mews-ingest and sync keep, as the gateway shows
them) and the on-demand resync.

The stored values are defined once, in `attendandt.contracts.kv`: the gateway decodes those
and builds the responses below from them (`of`), which leave out the enterprise id that
`SyncStatus` carries once."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from attendandt.contracts.kv import IngestState, PropertyPhase, SyncHealth
from attendandt.contracts.reconciliation import ChargeReconcileReport
from attendandt.contracts.rpc.ingest import ResyncJob
from attendandt.gateway.schemas.base import AwareDatetime, Body, Text


class IngestStatus(msgspec.Struct, frozen=True, kw_only=True):
    """mews-ingest's view of one enterprise (`IngestState`, KV `ingest_state`)."""

    @classmethod
    def of(cls, state: IngestState) -> IngestStatus:
        return msgspec.convert(state, cls, from_attributes=True)

    websocket: str = "disconnected"
    reconnects: int = 0
    last_event_at: datetime | None = None
    last_webhook_at: datetime | None = None
    last_sweep_at: datetime | None = None
    last_sweep_changes: int = 0
    last_sweep_error: str | None = None
    checkpoint_lag_s: float | None = None
    updated_at: datetime | None = None
    #: The on-demand resync running or last run, and how far it got.
    resync: ResyncJob | None = None
    #: The last sweep from the resync horizon after a long silence (or on a first start).
    last_full_resync_at: datetime | None = None
    #: A checkpoint was older than the resync horizon: changes since `backfill_since` may
    #: have been skipped; `backfill_reason` says what to run.
    backfill_needed: bool = False
    backfill_reason: str | None = None
    backfill_since: datetime | None = None
    #: The last WebSocket event or webhook (a live change).
    last_live_at: datetime | None = None
    #: Since when the WebSocket is down (None while connected).
    websocket_down_since: datetime | None = None
    #: The silence alarm in force (`sync.alert`): `silence`, `websocket_down`,
    #: `dead_letters`; empty when the property is green. `alert_details` says what each saw.
    alert_reasons: list[str] = []
    alert_details: list[str] = []
    alert_raised_at: datetime | None = None
    #: A property onboarded through Mews Integration Webhooks: the state Mews last gave its
    #: integration (enabled, disabled, canceled, deleted); None for a property whose access
    #: token is configured (MEWS_ACCESS_TOKENS).
    integration_state: str | None = None
    #: Since when Mews refuses the property's access token (HTTP 401: a key rotated or
    #: revoked without us), and what Mews said; None once a call with it succeeds again.
    #: Nothing syncs meanwhile: the hotel must reconnect the integration in Mews (a new key).
    token_refused_since: datetime | None = None
    token_refused_reason: str | None = None


class SyncHealthStatus(msgspec.Struct, frozen=True, kw_only=True):
    """sync's view of one enterprise (`SyncHealth`, KV `sync_health`)."""

    @classmethod
    def of(cls, health: SyncHealth) -> SyncHealthStatus:
        return msgspec.convert(health, cls, from_attributes=True)

    consumer_lag: int = 0
    last_applied_at: datetime | None = None
    changes_applied: int = 0
    commands_published: int = 0
    mews_calls_total: int = 0
    mews_calls_per_minute: int = 0
    rate_limited_429s: int = 0
    dead_letters: int = 0
    updated_at: datetime | None = None
    #: The hotel's configuration as sync last read it from Mews (None: not read yet).
    property_name: str | None = None
    time_zone: str | None = None
    configuration_synced_at: datetime | None = None
    #: Why the last read of it failed (cleared by the next success).
    configuration_error: str | None = None
    #: The property's initial import (rooms, and reservations of the last 90 and next 365
    #: days): pending (not begun, or stopped and resumed at the next start), running, done,
    #: failed (tried again); None when sync has not reported one.
    import_state: Literal["pending", "running", "done", "failed"] | None = None
    #: Windows of at most three months read, of all; reservations imported so far.
    import_windows_done: int = 0
    import_windows_total: int = 0
    import_reservations: int = 0
    import_started_at: datetime | None = None
    import_finished_at: datetime | None = None
    #: Why the last attempt failed.
    import_error: str | None = None


class DeadLetterCounts(msgspec.Struct, frozen=True, kw_only=True):
    """Messages in DEAD_LETTERS (every enterprise: dead letters are per consumer)."""

    total: int
    by_subject: dict[str, int]


class SyncStatus(msgspec.Struct, frozen=True, kw_only=True):
    enterprise_id: str
    #: Where the property stands (`property_phase`): onboarding (connected, nothing read
    #: yet), importing (its initial import under way), live (in step), stopped (its Mews
    #: integration disabled, canceled or deleted: `ingest.integration_state` says which),
    #: refused (Mews refuses its access token: `ingest.token_refused_reason` says what Mews
    #: said; nothing syncs until the hotel reconnects the integration in Mews).
    phase: PropertyPhase
    #: `red` while a silence alarm is raised for the property (`ingest.alert_reasons` says
    #: why), `green` otherwise.
    alarm: Literal["green", "red"] = "green"
    ingest: IngestStatus | None = None
    sync: SyncHealthStatus | None = None
    dead_letters: DeadLetterCounts
    #: The property's last charges reconciliation report (nightly or on demand).
    charges_report: ChargeReconcileReport | None = None


class SyncOverview(msgspec.Struct, frozen=True, kw_only=True):
    enterprises: list[SyncStatus]


class ResyncBody(Body, frozen=True, kw_only=True):
    #: Mews entities to sweep; empty: all of them.
    entities: list[Text] = []
    #: Sweep changes since then; default: each entity's checkpoint minus the overlap.
    since: AwareDatetime | None = None


class ResyncAccepted(msgspec.Struct, frozen=True, kw_only=True):
    enterprise_id: str
    status: Literal["started"] = "started"
    #: The job mews-ingest started (`DELETE /sync/{enterprise}/resync` cancels it).
    job_id: str = ""
    #: The oldest `since` a resync may ask for (the resync horizon).
    oldest_allowed: datetime | None = None

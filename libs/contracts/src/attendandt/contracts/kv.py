"""The values services keep in NATS KV for others to read: one definition for the writer
that encodes them and every reader that decodes them (the gateway, `attendandt status`).

Each is snapshotted like a payload (`make schemas`), so a change that would leave stored
entries unreadable is caught. A stored entry outlives the process that wrote it: every field
has a default (an old entry without it still decodes) and unknown fields are ignored (an
entry written by a newer version still decodes in an older reader).

Unlike payloads these are mutable: the writer keeps one per enterprise in memory, updates it
as things happen and writes it out about once a second.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal, TypeVar

import msgspec

from attendandt.contracts.rpc.ingest import ResyncJob


class KVValue(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """Base of a stored value: a schema name and version, like a payload's."""

    SCHEMA: ClassVar[str]
    VERSION: ClassVar[int] = 1

    @classmethod
    def schema_id(cls) -> str:
        return f"{cls.SCHEMA}/v{cls.VERSION}"


#: Where the initial import of a property is: pending (not begun, or stopped and to be
#: resumed), running, done, failed (tried again).
ImportStatus = Literal["pending", "running", "done", "failed"]


class IngestState(KVValue, kw_only=True):
    """mews-ingest's view of one enterprise: the value of key `<enterprise>` in INGEST_STATE."""

    SCHEMA = "kv.ingest_state"

    enterprise_id: str = ""
    #: connecting | connected | disconnected | webhooks_only (a portfolio's property: Mews's
    #: socket events name no property, so its webhooks and sweeps carry its changes)
    websocket: str = "disconnected"
    reconnects: int = 0
    last_event_at: datetime | None = None
    last_webhook_at: datetime | None = None
    last_sweep_at: datetime | None = None
    last_sweep_changes: int = 0
    last_sweep_error: str | None = None
    #: Seconds between now and the oldest checkpoint: how far behind sweeps could be.
    checkpoint_lag_s: float | None = None
    updated_at: datetime | None = None
    #: The on-demand resync running or last run, and how far it got.
    resync: ResyncJob | None = None
    #: The last sweep that started at the resync horizon after a silence (or on a first start).
    last_full_resync_at: datetime | None = None
    #: A checkpoint was older than the resync horizon: the sweep started at the horizon, and
    #: changes made between `backfill_since` and the horizon may never have been seen (a
    #: backfill from `backfill_since` recovers them). Kept across restarts.
    backfill_needed: bool = False
    backfill_reason: str | None = None
    backfill_since: datetime | None = None
    #: The last WebSocket event or webhook (a live change), and since when the socket is down.
    last_live_at: datetime | None = None
    websocket_down_since: datetime | None = None
    #: The silence alarm in force (`sync.alert`): `silence`, `websocket_down`,
    #: `dead_letters`; empty when the property is green. `alert_details` says what each saw.
    #: Kept across restarts, so the next process clears what this one raised.
    alert_reasons: tuple[str, ...] = ()
    alert_details: tuple[str, ...] = ()
    alert_raised_at: datetime | None = None
    #: A property onboarded through Integration Webhooks: its integration and the state
    #: Mews last gave it (None: its token comes from MEWS_ACCESS_TOKENS).
    integration_id: str | None = None
    integration_state: str | None = None
    #: Since when Mews refuses the property's AccessToken (HTTP 401 to ingest's calls: a key
    #: rotated without us, a token revoked), and what Mews said (secrets masked, never the
    #: token); None once a call with it succeeds again.
    token_refused_since: datetime | None = None
    token_refused_reason: str | None = None


class SyncHealth(KVValue, kw_only=True):
    """sync's view of one enterprise: the value of key `<enterprise>` in SYNC_HEALTH."""

    SCHEMA = "kv.sync_health"

    enterprise_id: str = ""
    consumer_lag: int = 0
    last_applied_at: datetime | None = None
    changes_applied: int = 0
    commands_published: int = 0
    mews_calls_total: int = 0
    mews_calls_per_minute: int = 0
    rate_limited_429s: int = 0
    dead_letters: int = 0
    updated_at: datetime | None = None
    #: The hotel as `configuration/get` names it; None until it was read once.
    property_name: str | None = None
    time_zone: str | None = None
    #: When the configuration, services and products were last read successfully.
    configuration_synced_at: datetime | None = None
    #: Why the last read failed (cleared by the next success).
    configuration_error: str | None = None
    #: The property's initial import (rooms, and reservations of the last 90 and next 365
    #: days); None while sync has not looked yet.
    import_state: ImportStatus | None = None
    #: Windows of at most three months read, of all; reservations imported so far.
    import_windows_done: int = 0
    import_windows_total: int = 0
    import_reservations: int = 0
    import_started_at: datetime | None = None
    import_finished_at: datetime | None = None
    #: Why the last attempt failed.
    import_error: str | None = None


class ImportState(KVValue, kw_only=True):
    """sync's own record of one property's initial import: key `import.<enterprise>` in
    SYNC_HEALTH (what it shows others is in `SyncHealth`). Read back by the next sync process
    to resume, possibly a newer version: hence a contract like the others."""

    SCHEMA = "kv.sync_import"

    state: ImportStatus = "pending"
    #: The colliding range, fixed when the import began.
    start_utc: datetime | None = None
    end_utc: datetime | None = None
    windows_done: int = 0
    windows_total: int = 0
    #: Reservations imported, the current window's so far included.
    reservations: int = 0
    #: Reservations of the finished windows: where a resumed import counts from.
    reservations_done: int = 0
    rooms: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    #: Why it failed (the Mews or NATS error, secrets masked).
    error: str | None = None


#: The states of a Mews integration (a property that connected us), after its Integration
#: Webhooks: only an enabled one may be called; the others keep their data, make no call.
IntegrationState = Literal["enabled", "disabled", "canceled", "deleted"]


class IntegrationProperty(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    """One property an integration's token opens, and the chain its guest data is kept in."""

    enterprise_id: str
    chain_id: str | None = None


class MewsIntegration(KVValue, kw_only=True):
    """A property onboarded through Integration Webhooks: key `integration.<IntegrationId>`
    in MEWS_INTEGRATIONS, written by mews-ingest, read by every process that calls Mews.

    The AccessToken is stored sealed (encrypted with the key of MEWS_TOKEN_KEY or
    MEWS_TOKEN_KEY_FILE, which only the processes that call Mews have); `token_hint` is a
    hash prefix of it (no token characters), for logs and screens."""

    SCHEMA = "kv.mews_integration"

    integration_id: str = ""
    integration_name: str = ""
    enterprise_id: str = ""
    enterprise_name: str = ""
    service_id: str | None = None
    state: IntegrationState = "disabled"
    sealed_token: str = ""
    token_hint: str = ""
    #: How many times Mews issued a new key (`IntegrationApiKeyCreated`).
    key_version: int = 0
    created_utc: datetime | None = None
    deleted_utc: datetime | None = None
    #: When the last Integration Webhook changed this entry.
    changed_at: datetime | None = None
    #: The properties the token opens, once mews-ingest asked Mews (empty: not yet): the
    #: enterprise itself, or, for a Portfolio Access Token (`portfolio`; `enterprise_id` is
    #: then the portfolio's own), each property in its scope.
    properties: tuple[IntegrationProperty, ...] = ()
    portfolio: bool = False

    @property
    def callable(self) -> bool:
        """Whether a process may call Mews for this property now."""
        return self.state == "enabled" and bool(self.sealed_token and self.enterprise_id)

    @property
    def bound(self) -> bool:
        """Whether the properties the token opens are known (each service then runs them)."""
        return bool(self.properties)


def integration_key(integration_id: str) -> str:
    return f"integration.{integration_id}"


#: Where a property stands, as staff and ops see it: connected but nothing read yet
#: (onboarding), its first import under way (importing), in step (live), its integration
#: disabled, canceled or deleted in Mews (stopped: no call is made, its data is kept), or
#: its AccessToken refused by Mews (refused: nothing syncs until the hotel reconnects the
#: integration in Mews or a new key is given).
PropertyPhase = Literal["onboarding", "importing", "live", "stopped", "refused"]


def property_phase(ingest: IngestState | None, health: SyncHealth | None) -> PropertyPhase:
    """The one definition of a property's phase, from what ingest and sync keep in KV."""
    if ingest is not None and ingest.integration_state not in (None, "enabled"):
        return "stopped"
    if ingest is not None and ingest.token_refused_since is not None:
        return "refused"
    if health is None:
        return "onboarding"
    if health.import_state in ("pending", "running", "failed"):
        return "importing"
    if health.import_state == "done" or health.configuration_synced_at is not None:
        return "live"
    return "onboarding"


#: Every stored value, snapshotted with the payloads.
KV_VALUES: tuple[type[KVValue], ...] = (IngestState, SyncHealth, ImportState, MewsIntegration)


def is_enterprise_key(key: str) -> bool:
    """An enterprise's own entry: the buckets keep other entries under dotted keys
    (`backfill_done.<enterprise>`, `import.<enterprise>`, `charges_report.<enterprise>`)."""
    return bool(key) and "." not in key


V = TypeVar("V", bound=KVValue)


def decode_value(data: bytes | None, value_type: type[V]) -> V:
    """A stored entry as its type (msgspec.DecodeError / ValidationError if it is not one)."""
    return msgspec.json.decode(data or b"", type=value_type)

"""The HTTP API's own shapes, where they differ from the RPC contracts: request bodies (the
caller never sends an `actor`), token replies, the vendor-safe guest views, sync status.

Guest replies come in two views told apart by `view`: "staff" (the contracts' full views)
for roles with `guests:contact:read`, "vendor" (names, room, stay dates; no contact, notes,
birth date, company, Mews ids or timeline) for the others.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from attendandt.contracts.reconciliation import ChargeReconcileReport
from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.contracts.rpc.ingest import ResyncJob
from attendandt.contracts.snapshots import StayState, UserRole

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=2000)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=1000)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class Body(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A request body: unknown fields are refused, so a typo is not silently ignored."""


# --- auth ----------------------------------------------------------------------------------


class LoginBody(Body, frozen=True, kw_only=True):
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class RefreshBody(Body, frozen=True, kw_only=True):
    refresh_token: Secret


class SetPasswordBody(Body, frozen=True, kw_only=True):
    """An invited (or reset) user chooses a password with the one-time token."""

    token: Secret
    new_password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class Me(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    email: str
    name: str
    role: UserRole
    vendor_id: str | None = None
    enterprise_id: str | None = None
    #: What the role may do (the permission table), for the web app to show or hide actions.
    permissions: list[str]


class TokenPair(msgspec.Struct, frozen=True, kw_only=True):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (the scheme, not a secret)
    #: Seconds until the access token expires.
    expires_in: int
    #: Single use: a refresh gives a new one; presenting a used one ends the session.
    refresh_token: str
    refresh_expires_at: datetime
    user: Me


# --- guests -----------------------------------------------------------------------------------


class VendorSafeGuest(msgspec.Struct, frozen=True, kw_only=True):
    guest_id: str
    enterprise_id: str
    first_name: str | None = None
    last_name: str


class VendorSafeStayGuest(msgspec.Struct, frozen=True, kw_only=True):
    guest_id: str | None = None
    role: Literal["owner", "companion"]
    first_name: str | None = None
    last_name: str | None = None


class VendorSafeStay(msgspec.Struct, frozen=True, kw_only=True):
    stay_id: str
    enterprise_id: str
    number: str | None = None
    state: StayState
    #: The room.
    room: str | None = None
    scheduled_start_utc: datetime | None = None
    scheduled_end_utc: datetime | None = None
    actual_start_utc: datetime | None = None
    actual_end_utc: datetime | None = None
    guests: list[VendorSafeStayGuest] = []


class StaffGuestPage(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["staff"] = "staff"
    items: list[guests_rpc.GuestView]
    next_cursor: str | None = None


class VendorGuestPage(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["vendor"] = "vendor"
    items: list[VendorSafeGuest]
    next_cursor: str | None = None


class StaffGuestDetail(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["staff"] = "staff"
    guest: guests_rpc.GuestView
    stays: list[guests_rpc.StayView]
    timeline: list[guests_rpc.TimelineEntry]
    #: The guest's edits made here, newest first: every open one, the last few settled.
    edits: list[guests_rpc.GuestEditView] = []


class GuestExport(msgspec.Struct, frozen=True, kw_only=True):
    """Everything Attendandt holds about one guest, from every service that holds some: the
    profile, stays (with companions and notes), timeline, and the bookings and charges made
    for the guest (with their notes). For a guest's access request; `sources` names the
    services asked."""

    exported_at: datetime
    enterprise_id: str
    guest: guests_rpc.GuestView
    stays: list[guests_rpc.StayView]
    timeline: list[guests_rpc.TimelineEntry]
    bookings: list[vendors_rpc.BookingView]
    charges: list[vendors_rpc.ChargeView]
    sources: list[str]


class VendorGuestDetail(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["vendor"] = "vendor"
    guest: VendorSafeGuest
    stays: list[VendorSafeStay]


class StaffStay(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["staff"] = "staff"
    stay: guests_rpc.StayView
    #: Notes added or changed here, newest first, with where each is (saving, in step...).
    note_writes: list[guests_rpc.StayNoteWriteView] = msgspec.field(default_factory=list)


class VendorStay(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["vendor"] = "vendor"
    stay: VendorSafeStay


class StaffStayPage(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["staff"] = "staff"
    items: list[guests_rpc.StayView]
    next_cursor: str | None = None
    window_start_utc: datetime | None = None
    window_end_utc: datetime | None = None
    #: The IANA zone the day was taken in: the hotel's unless the request named one.
    timezone: str | None = None


class VendorStayPage(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["vendor"] = "vendor"
    items: list[VendorSafeStay]
    next_cursor: str | None = None
    window_start_utc: datetime | None = None
    window_end_utc: datetime | None = None
    timezone: str | None = None


def vendor_safe_guest(guest: guests_rpc.GuestView) -> VendorSafeGuest:
    return VendorSafeGuest(
        guest_id=guest.guest_id,
        enterprise_id=guest.enterprise_id,
        first_name=guest.first_name,
        last_name=guest.last_name,
    )


def vendor_safe_stay(stay: guests_rpc.StayView) -> VendorSafeStay:
    return VendorSafeStay(
        stay_id=stay.stay_id,
        enterprise_id=stay.enterprise_id,
        number=stay.number,
        state=stay.state,
        room=stay.resource_name,
        scheduled_start_utc=stay.scheduled_start_utc,
        scheduled_end_utc=stay.scheduled_end_utc,
        actual_start_utc=stay.actual_start_utc,
        actual_end_utc=stay.actual_end_utc,
        guests=[
            VendorSafeStayGuest(
                guest_id=g.guest_id, role=g.role, first_name=g.first_name, last_name=g.last_name
            )
            for g in stay.guests
        ],
    )


# --- guest edits ---------------------------------------------------------------------------

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]


class StayNoteWrite(Body, frozen=True, kw_only=True):
    """A note's text; for a change, `base_text`: the note's text as the user saw it (a text
    Mews holds by then other than that is a conflict, not overwritten)."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
    base_text: Annotated[str, msgspec.Meta(max_length=5000)] | None = None


class GuestEdit(Body, frozen=True, kw_only=True):
    """The fields to change (those left out stay as they are; Mews cannot clear a field, so
    none may be null or empty), and `base_version`: the guest's `mews_updated_utc` as the
    user saw it. A field Mews changed since then to another value is a conflict, shown with
    both values; the others are written to Mews."""

    base_version: AwareDatetime
    first_name: Name | UnsetType = UNSET
    last_name: Name | UnsetType = UNSET
    email: Email | UnsetType = UNSET
    phone: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    #: Language and culture, e.g. en-GB.
    language_code: Annotated[str, msgspec.Meta(min_length=2, max_length=35)] | UnsetType = UNSET
    #: ISO 3166-1 alpha-2, e.g. GB.
    nationality_code: Annotated[str, msgspec.Meta(pattern="^[A-Z]{2}$")] | UnsetType = UNSET
    birth_date: date | UnsetType = UNSET
    #: Mews customer classifications (e.g. Important, VeryImportant, Returning): the whole set.
    classifications: (
        Annotated[list[Annotated[str, msgspec.Meta(max_length=40)]], msgspec.Meta(max_length=30)]
        | UnsetType
    ) = UNSET
    company_mews_id: Id | UnsetType = UNSET
    notes: LongText | UnsetType = UNSET


class ConflictChoiceBody(Body, frozen=True, kw_only=True):
    field: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    #: `ours`: write our value over Mews's; `mews`: keep Mews's.
    keep: Literal["ours", "mews"]


class ConflictResolution(Body, frozen=True, kw_only=True):
    edit_id: Id
    choices: Annotated[list[ConflictChoiceBody], msgspec.Meta(min_length=1, max_length=30)]


class EditRulesUpdate(Body, frozen=True, kw_only=True):
    """Per field: `ask` (the user chooses), `mews_wins`, `we_win` or `newest_wins`."""

    rules: Annotated[list[guests_rpc.FieldRule], msgspec.Meta(max_length=30)]


# --- vendors and offerings ---------------------------------------------------------------


class VendorCreate(Body, frozen=True, kw_only=True):
    enterprise_id: Id
    name: Text
    category: Text
    contact_email: Text | None = None
    contact_phone: Text | None = None


class VendorUpdate(Body, frozen=True, kw_only=True):
    """Fields left out keep their value; null clears an optional one."""

    name: Text | UnsetType = UNSET
    category: Text | UnsetType = UNSET
    contact_email: Text | UnsetType | None = UNSET
    contact_phone: Text | UnsetType | None = UNSET
    #: Link the vendor to a Mews company of its property (`GET /properties/{id}/companies`);
    #: null unlinks it.
    mews_company_id: Id | UnsetType | None = UNSET


class OfferingCreate(Body, frozen=True, kw_only=True):
    name: Text
    description: LongText | None = None
    unit_price: Decimal
    #: The hotel's currency when left out; any other is refused.
    currency: Currency | None = None
    tax_codes: list[Id] = []
    amount_is_gross: bool = True
    mews_service_id: Id
    mews_product_id: Id | None = None
    accounting_category_id: Id | None = None


class OfferingUpdate(Body, frozen=True, kw_only=True):
    name: Text | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    unit_price: Decimal | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    tax_codes: list[Id] | UnsetType = UNSET
    amount_is_gross: bool | UnsetType = UNSET
    mews_service_id: Id | UnsetType = UNSET
    mews_product_id: Id | UnsetType | None = UNSET
    accounting_category_id: Id | UnsetType | None = UNSET


# --- bookings and charges ------------------------------------------------------------------


class BookingCreate(Body, frozen=True, kw_only=True):
    offering_id: Id
    guest_id: Id
    stay_id: Id
    quantity: Quantity = 1
    scheduled_for: AwareDatetime | None = None
    notes: LongText | None = None


class Reason(Body, frozen=True, kw_only=True):
    reason: LongText | None = None


class ChargeCreate(Body, frozen=True, kw_only=True):
    offering_id: Id
    guest_id: Id
    stay_id: Id
    quantity: Quantity = 1
    unit_amount: Decimal | None = None
    description: Text | None = None
    consumed_at: AwareDatetime | None = None
    notes: LongText | None = None


class ChargeRejection(Body, frozen=True, kw_only=True):
    reason: Text


class ChargeCancellation(Body, frozen=True, kw_only=True):
    #: Why (recorded and audited; never on the guest's bill).
    reason: Text


class BillingSettingsUpdate(Body, frozen=True, kw_only=True):
    """Fields left out keep their value. Amounts are in the hotel's currency."""

    enterprise_id: Id | None = None
    max_charge_amount: Decimal | UnsetType = UNSET
    max_daily_amount_per_vendor: Decimal | UnsetType = UNSET
    checkout_grace_hours: Annotated[int, msgspec.Meta(ge=0, le=720)] | UnsetType = UNSET


# --- users ------------------------------------------------------------------------------------


class UserInvite(Body, frozen=True, kw_only=True):
    email: Email
    name: Text
    role: UserRole
    vendor_id: Id | None = None
    enterprise_id: Id | None = None


class RoleChange(Body, frozen=True, kw_only=True):
    role: UserRole
    vendor_id: Id | None = None


# --- properties ---------------------------------------------------------------------------


class PropertySummary(msgspec.Struct, frozen=True, kw_only=True):
    """A hotel as Mews describes it."""

    enterprise_id: str
    name: str
    short_name: str | None = None
    #: IANA, e.g. "Europe/London": dates are the hotel's local dates.
    time_zone: str
    default_currency: str
    #: "gross": prices include tax; "net": tax is added on top.
    pricing: Literal["gross", "net"]
    default_language_code: str | None = None


class CatalogueProductOut(msgspec.Struct, frozen=True, kw_only=True):
    mews_id: str
    name: str
    #: The Mews price (with tax for a gross-pricing hotel, without for a net one).
    unit_amount: Decimal | None = None
    currency: str | None = None
    is_active: bool


class CatalogueServiceOut(msgspec.Struct, frozen=True, kw_only=True):
    mews_id: str
    name: str
    #: "additional" services take offerings' charges; "bookable" ones are stays.
    kind: str
    is_active: bool
    products: list[CatalogueProductOut]


class HotelCatalogue(msgspec.Struct, frozen=True, kw_only=True):
    """The hotel's Mews services and their products, in Mews's order: what an offering may
    post to (an active "additional" service, and one of its active products)."""

    enterprise_id: str
    default_currency: str
    pricing: str
    services: list[CatalogueServiceOut]


# --- sync status --------------------------------------------------------------------------


class IngestStatus(msgspec.Struct, frozen=True, kw_only=True):
    """mews-ingest's view of one enterprise (KV `ingest_state`)."""

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


class SyncHealthStatus(msgspec.Struct, frozen=True, kw_only=True):
    """sync's view of one enterprise (KV `sync_health`)."""

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

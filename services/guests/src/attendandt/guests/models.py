"""The `guests` schema: guests (Mews customers), stays (Mews reservations), who is on each
stay, rooms (Mews resources: name and housekeeping state), the timeline of vendor bookings
and charges per guest, which guests and stays each vendor has bookings with (what a vendor
user may see), and the hotels themselves.

Search keys are generated columns in the "C" collation: lower-cased names and email, and the
phone's digits reversed, so a prefix `LIKE 'smi%'` (and a phone-suffix match through the
reversed digits) is a plain btree range scan on a hotel with 100k guests.

A stay keeps its customers by Mews id (`stay_guests`) and is joined to `guests` on
(enterprise_id, mews_id) when read: a stay may arrive before its guests and links to them as
soon as they exist, with no second write that could race the first.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from attendandt.platform.inbox import inbox_table
from attendandt.platform.outbox import outbox_table

SCHEMA = "guests"

metadata = MetaData(schema=SCHEMA)

# Byte order: LIKE prefix matches use the index, and keyset paging compares the same way.
SearchKey = Text(collation="C")


def _timestamp(name: str, *, nullable: bool = True) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _read_version() -> tuple[Column[object], Column[object]]:
    """What orders two versions with the same (whole-second) UpdatedUtc: when sync read the
    stored one from Mews, and a digest of its content (a re-read of it changes nothing)."""
    return _timestamp("mews_read_at"), Column("mews_digest", Text)


guests = Table(
    "guests",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("mews_id", Text, nullable=False),
    _timestamp("mews_updated_utc", nullable=False),
    *_read_version(),
    _timestamp("synced_at", nullable=False),
    Column("first_name", Text),
    Column("last_name", Text, nullable=False),
    Column("email", Text),
    Column("phone", Text),
    Column("language_code", Text),
    Column("nationality_code", Text),
    Column("birth_date", Date),
    Column("classifications", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("company_mews_id", Text),
    Column("notes", Text),
    Column("is_active", Boolean, nullable=False),
    Column("merge_target_mews_id", Text),
    # Field (GuestSnapshot's name) → the UpdatedUtc of the first version we applied with its
    # current value: whether Mews changed a field since the version a user saw.
    Column("field_changed_utc", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("search_last", SearchKey, Computed("lower(last_name)", persisted=True)),
    Column(
        "search_first", SearchKey, Computed("lower(COALESCE(first_name, ''::text))", persisted=True)
    ),
    Column("search_email", SearchKey, Computed("lower(email)", persisted=True)),
    Column(
        "phone_reversed",
        SearchKey,
        Computed(
            "reverse(regexp_replace(phone, '[^0-9]'::text, ''::text, 'g'::text))", persisted=True
        ),
    ),
    UniqueConstraint("enterprise_id", "mews_id", name="guests_enterprise_mews_id_key"),
    # The listing order (and keyset), also a last-name prefix search.
    Index("guests_by_name", "enterprise_id", "search_last", "search_first", "id"),
    Index("guests_by_first_name", "enterprise_id", "search_first"),
    Index("guests_by_email", "enterprise_id", "search_email"),
    Index("guests_by_phone_reversed", "enterprise_id", "phone_reversed"),
)

stays = Table(
    "stays",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("mews_id", Text, nullable=False),
    _timestamp("mews_updated_utc", nullable=False),
    *_read_version(),
    _timestamp("synced_at", nullable=False),
    Column("number", Text),
    Column("state", Text, nullable=False),
    Column("mews_state", Text, nullable=False),
    _timestamp("scheduled_start_utc"),
    _timestamp("scheduled_end_utc"),
    _timestamp("actual_start_utc"),
    _timestamp("actual_end_utc"),
    _timestamp("cancelled_utc"),
    Column("resource_mews_id", Text),
    Column("resource_name", Text),
    Column("owner_mews_id", Text),
    Column("company_mews_id", Text),
    Column("service_mews_id", Text),
    # The reservation's notes (Mews serviceOrderNotes), as `StayNote`s.
    Column("notes", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    UniqueConstraint("enterprise_id", "mews_id", name="stays_enterprise_mews_id_key"),
    # Arrivals and departures of a day, in list order (and keyset).
    Index("stays_by_scheduled_start", "enterprise_id", "scheduled_start_utc", "id"),
    Index("stays_by_scheduled_end", "enterprise_id", "scheduled_end_utc", "id"),
    Index("stays_by_resource_name", "enterprise_id", "resource_name"),
    Index("stays_by_number", "enterprise_id", "number"),
)

# A stay names its room by Mews id and is joined to it when read (for the room's state), so a
# room's state changes without touching its stays.
rooms = Table(
    "rooms",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("mews_id", Text, nullable=False),
    _timestamp("mews_updated_utc", nullable=False),
    *_read_version(),
    _timestamp("synced_at", nullable=False),
    Column("name", Text),
    Column("state", Text),
    Column("category_name", Text),
    Column("is_active", Boolean, nullable=False),
    UniqueConstraint("enterprise_id", "mews_id", name="rooms_enterprise_mews_id_key"),
)

stay_guests = Table(
    "stay_guests",
    metadata,
    Column("stay_id", UUID(as_uuid=False), ForeignKey("stays.id", ondelete="CASCADE")),
    Column("enterprise_id", Text, nullable=False),
    Column("customer_mews_id", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("stay_id", "customer_mews_id", name="stay_guests_pkey"),
    # A guest's stays.
    Index("stay_guests_by_customer", "enterprise_id", "customer_mews_id"),
)

timeline = Table(
    "timeline",
    metadata,
    # One row per vendor event: a redelivered event finds its row and adds nothing.
    Column("event_id", Text, primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    # Our guest id as the vendors service sent it; not a foreign key (another service's data).
    Column("guest_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("ref_id", Text, nullable=False),
    Column("stay_id", Text),
    Column("event", Text, nullable=False),
    _timestamp("occurred_at", nullable=False),
    Column("snapshot", JSONB, nullable=False),
    _timestamp("recorded_at", nullable=False),
    Index("timeline_by_guest", "enterprise_id", "guest_id", "occurred_at"),
)

# Which guests and stays each vendor has bookings with: what a vendor user may see. One row per
# booking, projected from the vendors service's public booking events (which this service
# cannot read from the vendors schema). A booking's vendor, guest and stay never change, so
# the row is written once and any event of the booking, in any order, writes the same row.
vendor_bookings = Table(
    "vendor_bookings",
    metadata,
    Column("booking_id", Text, primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("vendor_id", Text, nullable=False),
    # Our ids as the vendors service sent them (text: another service's data, no foreign key).
    Column("guest_id", Text, nullable=False),
    Column("stay_id", Text),
    Index("vendor_bookings_by_guest", "enterprise_id", "vendor_id", "guest_id"),
    Index("vendor_bookings_by_stay", "enterprise_id", "vendor_id", "stay_id"),
)

# Each hotel as Mews describes it (sync's UpsertProperty), last write wins like the guests:
# its time zone is what makes a date the hotel's day.
properties = Table(
    "properties",
    metadata,
    Column("enterprise_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("short_name", Text),
    Column("time_zone", Text, nullable=False),
    Column("default_currency", Text, nullable=False),
    Column("currencies", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("pricing", Text, nullable=False),
    Column("default_language_code", Text),
    Column("address_line1", Text),
    Column("city", Text),
    Column("postal_code", Text),
    Column("country_code", Text),
    Column("chain_name", Text),
    _timestamp("mews_updated_utc"),
    *_read_version(),
    _timestamp("synced_at", nullable=False),
)

# Staff edits of a guest, written to Mews by the publisher. `fields` holds one entry per
# field (`edits.EditField`): our value, the one the user saw, Mews's in a conflict, its state
# and the round that sent it (a conflict settled "ours" is sent in the next round).
guest_edits = Table(
    "guest_edits",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column(
        "guest_id",
        UUID(as_uuid=False),
        ForeignKey("guests.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("customer_mews_id", Text, nullable=False),
    Column("author_user_id", Text, nullable=False),
    _timestamp("created_at", nullable=False),
    _timestamp("updated_at", nullable=False),
    # The guest's Mews UpdatedUtc the user saw.
    _timestamp("base_version", nullable=False),
    Column("edit_round", Integer, nullable=False, server_default=text("0")),
    # saving | in_step | conflict | failed
    Column("state", Text, nullable=False),
    Column("fields", JSONB, nullable=False),
    Column("failure", Text),
    Index("guest_edits_by_guest", "guest_id", "created_at"),
    # A guest's open edits (its sync state), found without reading the settled ones.
    Index(
        "guest_edits_open",
        "guest_id",
        postgresql_where=text("state IN ('saving', 'conflict')"),
    ),
)

# Who did what to a guest's edits, and what Mews said: append-only. Field names and choices,
# never the values (those are the guest's, erased with it).
guest_audit = Table(
    "guest_audit",
    metadata,
    Column("entry_id", BigInteger, Identity(), primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("guest_id", UUID(as_uuid=False), nullable=False),
    Column("edit_id", UUID(as_uuid=False)),
    _timestamp("occurred_at", nullable=False),
    # A user id, `mews` (what Mews answered or sent back), or `rule` (the hotel's rule).
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index("guest_audit_by_guest", "enterprise_id", "guest_id", "entry_id"),
)

# A hotel's standing choice per field when an edit meets a newer value in Mews; a field
# without a row asks the user.
edit_rules = Table(
    "edit_rules",
    metadata,
    Column("enterprise_id", Text, nullable=False),
    Column("field", Text, nullable=False),
    # mews_wins | we_win | newest_wins
    Column("rule", Text, nullable=False),
    Column("updated_by", Text, nullable=False),
    _timestamp("updated_at", nullable=False),
    PrimaryKeyConstraint("enterprise_id", "field", name="edit_rules_pkey"),
)

# What was charged and paid for each stay (sync's UpsertStayBill), keyed by the Mews
# reservation id: a bill read before its stay arrives waits for it. Last write wins like the
# stays (UpdatedUtc, then when sync read it, then the digest); the snapshot is kept whole.
stay_bills = Table(
    "stay_bills",
    metadata,
    Column("enterprise_id", Text, nullable=False),
    Column("stay_mews_id", Text, nullable=False),
    Column("bill", JSONB, nullable=False),
    _timestamp("mews_updated_utc", nullable=False),
    *_read_version(),
    _timestamp("synced_at", nullable=False),
    PrimaryKeyConstraint("enterprise_id", "stay_mews_id", name="stay_bills_pkey"),
)

# Notes staff added to or changed on a stay here, written to Mews by the publisher, with
# their author; the stay's own `notes` hold what Mews holds.
stay_note_writes = Table(
    "stay_note_writes",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column(
        "stay_id",
        UUID(as_uuid=False),
        ForeignKey("stays.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("reservation_mews_id", Text, nullable=False),
    # The note changed; for a new note, the one Mews made once it did.
    Column("note_mews_id", Text),
    Column("text", Text, nullable=False),
    Column("base_text", Text),
    Column("author_user_id", Text, nullable=False),
    # saving | in_step | conflict | failed
    Column("state", Text, nullable=False),
    Column("mews_text", Text),
    Column("failure", Text),
    _timestamp("created_at", nullable=False),
    _timestamp("updated_at", nullable=False),
    Index("stay_note_writes_by_stay", "stay_id", "created_at"),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)

# The privacy tables live in their own module, on this metadata (migrations compare it whole).
from attendandt.guests import privacy_models as _privacy_models  # noqa: E402, F401

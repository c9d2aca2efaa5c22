"""The tables of a guest's personal data under control, in the `guests` schema: erasure
requests with one receipt per part (`contracts.erasure`), and the log of every read of a
guest's personal data by staff and vendors (who, when, which guest, what)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from attendandt.guests.models import metadata

erasure_requests = Table(
    "erasure_requests",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    # Not a foreign key: the guest row stays (pseudonymised), but a request outlives anything.
    Column("guest_id", UUID(as_uuid=False), nullable=False),
    Column("customer_mews_id", Text),
    Column("pseudonym", Text, nullable=False),
    # staff | mews | retention
    Column("source", Text, nullable=False),
    Column("requested_by", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    # The parts that must answer (`ERASURE_PARTS` when it was made).
    Column("parts", ARRAY(Text), nullable=False),
    Column("completed_at", DateTime(timezone=True)),
    UniqueConstraint("enterprise_id", "guest_id", name="erasure_requests_one_per_guest"),
    Index("erasure_requests_by_time", "enterprise_id", "requested_at"),
)

erasure_receipts = Table(
    "erasure_receipts",
    metadata,
    Column(
        "request_id",
        UUID(as_uuid=False),
        ForeignKey("erasure_requests.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("part", Text, nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=False),
    Column("removed", JSONB, nullable=False),
    Column("pseudonymised", JSONB, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("request_id", "part", name="erasure_receipts_pkey"),
)

guest_access_log = Table(
    "guest_access_log",
    metadata,
    Column("entry_id", BigInteger, Identity(), primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("guest_id", UUID(as_uuid=False), nullable=False),
    Column("user_id", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("vendor_id", Text),
    # detail | export | search
    Column("action", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("guest_access_log_by_guest", "enterprise_id", "guest_id", "entry_id"),
)

# One row per property per retention sweep that erased anyone: the report admins read.
retention_runs = Table(
    "retention_runs",
    metadata,
    Column("run_id", UUID(as_uuid=False), primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("ran_at", DateTime(timezone=True), nullable=False),
    Column("months", Integer, nullable=False),
    # Guests whose last stay ended before this were erased.
    Column("cutoff", DateTime(timezone=True), nullable=False),
    Column("request_ids", ARRAY(Text), nullable=False),
    Index("retention_runs_by_time", "enterprise_id", "ran_at"),
)

"""The vendors schema: vendors, offerings, bookings, charges, the stay projection, each hotel's
Mews catalogue (its currency, pricing, services and products), inbox, outbox.

Ids are text (UUIDs we generate; a vendor upserted by command keeps the id it came with).
Money is NUMERIC, never float. Every row carries `enterprise_id`; `version` counts the
changes of an aggregate and names its events (`booking:<id>:<version>`).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

from attendandt.platform.db import service_metadata
from attendandt.platform.inbox import inbox_table
from attendandt.platform.outbox import outbox_table

SCHEMA = "vendors"
metadata = service_metadata(SCHEMA)

Money = Numeric(18, 4)


def _timestamps() -> list[Column[object]]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


vendors = Table(
    "vendors",
    metadata,
    Column("id", Text, primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("contact_email", Text),
    Column("contact_phone", Text),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    # Set when the vendor is a Mews partner company (upserted from Mews, last write wins).
    Column("mews_id", Text),
    Column("mews_updated_utc", DateTime(timezone=True)),
    Column("synced_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_timestamps(),
    UniqueConstraint("enterprise_id", "mews_id"),
    Index(None, "enterprise_id", "name"),
)

# Idempotency keys of creations (bookings, charges): per caller, the digest of the request the
# key first came with and what it made. Kept 7 days (`idempotency.KEEP_DAYS`).
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("caller_id", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("request_digest", Text, nullable=False),
    Column("resource_id", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index(None, "created_at"),
)

# The Mews companies of each property (from sync, last write wins by Mews UpdatedUtc, then
# by when sync read them): what a vendor can be linked to. Names only: no contact person,
# email, phone or notes.
mews_companies = Table(
    "mews_companies",
    metadata,
    Column("enterprise_id", Text, primary_key=True),
    Column("mews_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    Column("merge_target_mews_id", Text),
    Column("iata", Text),
    Column("mews_updated_utc", DateTime(timezone=True), nullable=False),
    Column("mews_read_at", DateTime(timezone=True)),
    Column("mews_digest", Text),
    Column("synced_at", DateTime(timezone=True), nullable=False),
    Index(None, "enterprise_id", "name"),
)

offerings = Table(
    "offerings",
    metadata,
    Column("id", Text, primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("vendor_id", Text, ForeignKey("vendors.vendors.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("unit_price", Money, nullable=False),
    Column("currency", Text, nullable=False),
    Column("tax_codes", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("amount_is_gross", Boolean, nullable=False, server_default=text("true")),
    # Where a charge for it is posted in Mews.
    Column("mews_service_id", Text, nullable=False),
    Column("mews_product_id", Text),
    Column("accounting_category_id", Text),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_timestamps(),
    CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
    Index(None, "vendor_id", "name"),
)

# What vendors knows of a stay (owned by the guests service), fed by its StayEvents, so a
# booking can be checked and a charge addressed while guests is down.
stay_refs = Table(
    "stay_refs",
    metadata,
    Column("stay_id", Text, primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("guest_ids", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("mews_reservation_id", Text, nullable=False),
    Column("owner_mews_customer_id", Text),
    Column("state", Text, nullable=False),
    Column("start_utc", DateTime(timezone=True)),
    Column("end_utc", DateTime(timezone=True)),
    Column("mews_updated_utc", DateTime(timezone=True), nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", Text, primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("vendor_id", Text, ForeignKey("vendors.vendors.id"), nullable=False),
    Column("offering_id", Text, ForeignKey("vendors.offerings.id"), nullable=False),
    Column("guest_id", Text, nullable=False),
    Column("stay_id", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("scheduled_for", DateTime(timezone=True)),
    Column("notes", Text),
    Column("state", Text, nullable=False),
    Column("state_reason", Text),
    Column("unit_price", Money, nullable=False),
    Column("currency", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_timestamps(),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    Index(None, "vendor_id", "state"),
    Index(None, "stay_id", "state"),
    Index(None, "guest_id"),
    # The expiry sweep: requested bookings by time.
    Index(None, "state", "scheduled_for"),
)

charges = Table(
    "charges",
    metadata,
    Column("id", Text, primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("vendor_id", Text, ForeignKey("vendors.vendors.id"), nullable=False),
    Column("offering_id", Text, ForeignKey("vendors.offerings.id"), nullable=False),
    # One charge per booking at most; null for an ad-hoc charge.
    Column("booking_id", Text, ForeignKey("vendors.bookings.id"), unique=True),
    Column("guest_id", Text, nullable=False),
    Column("stay_id", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_amount", Money, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount", Money, nullable=False),
    # Everything the PostCharge needs, fixed when the charge is made, so a retry sends the
    # same order even if the offering or the stay changed since.
    Column("tax_codes", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("amount_is_gross", Boolean, nullable=False),
    Column("mews_service_id", Text, nullable=False),
    Column("mews_product_id", Text),
    Column("accounting_category_id", Text),
    Column("mews_account_id", Text, nullable=False),
    Column("mews_reservation_id", Text),
    Column("consumed_at", DateTime(timezone=True)),
    Column("notes", Text),
    Column("reference", Text, nullable=False, unique=True),
    Column("state", Text, nullable=False),
    Column("mews_order_id", Text),
    Column("failure_reason", Text),
    Column("attempts", Integer, nullable=False, server_default=text("1")),
    Column("created_by", Text, nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_timestamps(),
    Column("posted_at", DateTime(timezone=True)),
    # Billing controls: why the charge waits for a manager, and who decided when.
    Column("approval_reason", Text),
    Column("approved_by", Text),
    Column("approved_at", DateTime(timezone=True)),
    Column("rejected_by", Text),
    Column("rejected_at", DateTime(timezone=True)),
    Column("rejection_reason", Text),
    # A manager's cancellation (undo on the guest's bill): who asked, when, why; when and how
    # Mews took it back, or why it would not. Each CancelCharge sent counts an attempt.
    Column("cancel_reason", Text),
    Column("cancel_requested_by", Text),
    Column("cancel_requested_at", DateTime(timezone=True)),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("cancel_method", Text),
    Column("cancel_failure_reason", Text),
    Column("cancel_attempts", Integer, nullable=False, server_default=text("0")),
    # Mews refused the posting for good: nothing of the charge can be in Mews.
    Column("failure_permanent", Boolean, nullable=False, server_default=text("false")),
    # What Mews holds of the posted charge, as reconciliation last read it (RecordChargeInMews;
    # last write wins on mews_updated_utc, then mews_read_at; mews_digest tells a repeat).
    Column("mews_order_item_ids", ARRAY(Text)),
    Column("mews_state", Text),
    Column("mews_quantity", Integer),
    Column("mews_amount", Money),
    Column("mews_currency", Text),
    Column("mews_rebated_amount", Money),
    Column("mews_bill_closed", Boolean),
    Column("mews_updated_utc", DateTime(timezone=True)),
    Column("mews_read_at", DateTime(timezone=True)),
    Column("mews_digest", Text),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    Index(None, "vendor_id", "state", "posted_at"),
    # The ledger reconciliation reads.
    Index(None, "enterprise_id", "posted_at"),
    Index(None, "stay_id"),
    Index(None, "guest_id"),
    # The daily cap: a vendor's charges by time.
    Index(None, "vendor_id", "created_at"),
)

# A property's billing controls; a property without a row uses `billing.DEFAULT_LIMITS`.
billing_settings = Table(
    "billing_settings",
    metadata,
    Column("enterprise_id", Text, primary_key=True),
    Column("max_charge_amount", Money, nullable=False),
    Column("max_daily_amount_per_vendor", Money, nullable=False),
    Column("checkout_grace_hours", Integer, nullable=False),
    Column("updated_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("version", Integer, nullable=False, server_default=text("1")),
    CheckConstraint("max_charge_amount > 0", name="max_charge_amount_positive"),
    CheckConstraint(
        "max_daily_amount_per_vendor >= max_charge_amount", name="daily_at_least_per_charge"
    ),
    CheckConstraint("checkout_grace_hours BETWEEN 0 AND 720", name="grace_hours_bounded"),
)

# Who approved or rejected which charge, and who changed the billing settings: appended,
# never changed.
billing_audit = Table(
    "billing_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("enterprise_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("charge_id", Text),
    Column("user_id", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("detail", Text),
    Index(None, "enterprise_id", "at"),
    Index(None, "charge_id"),
)

# Each hotel's catalogue as sync last read it from Mews (UpsertCatalogue): what an offering
# may post to. A newer catalogue replaces the property's services and products as a whole.
properties = Table(
    "properties",
    metadata,
    Column("enterprise_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("default_currency", Text, nullable=False),
    Column("currencies", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    # "gross" (prices include tax) or "net".
    Column("pricing", Text, nullable=False),
    # The catalogue's version: the newest Mews UpdatedUtc in it, when sync read it, a digest.
    Column("catalogue_updated_utc", DateTime(timezone=True)),
    Column("catalogue_read_at", DateTime(timezone=True), nullable=False),
    Column("catalogue_digest", Text, nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

catalogue_services = Table(
    "catalogue_services",
    metadata,
    Column("enterprise_id", Text, primary_key=True),
    Column("mews_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    # "additional" (where vendors' charges go) or "bookable" (stays).
    Column("kind", Text, nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("ordering", Integer, nullable=False, server_default=text("0")),
)

catalogue_products = Table(
    "catalogue_products",
    metadata,
    Column("enterprise_id", Text, primary_key=True),
    Column("mews_id", Text, primary_key=True),
    Column("service_mews_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("unit_amount", Money),
    Column("currency", Text),
    Column("accounting_category_id", Text),
    Index(None, "enterprise_id", "service_mews_id"),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)

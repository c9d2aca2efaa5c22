"""The publisher schema: the posting and cancellation ledgers, the customer-update ledger,
inbox and outbox.

The ledger is what makes a write to Mews happen once: every attempt is written ("sending")
and committed before the request leaves, and its outcome is written after. A row left in
"sending" or "unknown" is looked up in Mews before anything is sent again.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

from attendandt.platform.db import service_metadata
from attendandt.platform.inbox import inbox_table
from attendandt.platform.outbox import outbox_table

SCHEMA = "publisher"
metadata = service_metadata(SCHEMA)

# One row per attempt to post a charge (orders/add), keyed by the charge's reference.
charge_attempts = Table(
    "charge_attempts",
    metadata,
    Column("reference", Text, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("enterprise_id", Text, nullable=False),
    Column("charge_id", Text, nullable=False),
    # The PostCharge that started this attempt.
    Column("command_id", Text, nullable=False),
    Column("account_id", Text, nullable=False),
    Column("service_id", Text, nullable=False),
    # sending | posted | failed | unknown | not_sent (see service.AttemptState)
    Column("state", Text, nullable=False),
    Column("mews_order_id", Text),
    Column("mews_message", Text),
    Column("mews_request_id", Text),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("reference", "attempt"),
    Index(None, "charge_id"),
    Index(None, "enterprise_id", "state"),
)

# One row per request that takes a posted charge back (orderItems/cancel of up to 10 items, or
# the rebate's orders/add), keyed by the charge's reference like the posting ledger.
charge_cancellations = Table(
    "charge_cancellations",
    metadata,
    Column("reference", Text, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("enterprise_id", Text, nullable=False),
    Column("charge_id", Text, nullable=False),
    # The CancelCharge that started this attempt.
    Column("command_id", Text, nullable=False),
    # cancel (orderItems/cancel) | rebate (negative items, orders/add)
    Column("method", Text, nullable=False),
    # The charge's order items this request cancels or offsets.
    Column("order_item_ids", ARRAY(Text), nullable=False),
    # sending | cancelled | refused | failed | unknown | not_sent (cancellation.CancelState)
    Column("state", Text, nullable=False),
    # The rebate's order, once known.
    Column("mews_order_id", Text),
    Column("mews_message", Text),
    Column("mews_request_id", Text),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("reference", "attempt"),
    Index(None, "charge_id"),
)

# One row per UpdateCustomer command (customers/update), with its outcome.
customer_updates = Table(
    "customer_updates",
    metadata,
    Column("command_id", Text, primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("customer_id", Text, nullable=False),
    # The staff edit the command is a round of (None: a plain write).
    Column("edit_id", Text),
    # sending | applied | failed | unknown | not_sent
    Column("state", Text, nullable=False),
    # When the latest write left (a "sending" or "unknown" one is read back after it settled).
    Column("sent_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default=text("1")),
    Column("mews_message", Text),
    Column("mews_request_id", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index(None, "enterprise_id", "customer_id"),
)

# Every staff note written to Mews (serviceOrderNotes/add or /update), one row per command:
# "sending" is committed before the request leaves, so a crash leaves it to be looked up.
stay_note_writes = Table(
    "stay_note_writes",
    metadata,
    Column("command_id", Text, primary_key=True),
    Column("enterprise_id", Text, nullable=False),
    Column("reservation_id", Text, nullable=False),
    Column("write_id", Text, nullable=False),
    # The note updated, or the one our add made once known.
    Column("note_id", Text),
    # sending | applied | conflict | failed | unknown | not_sent
    Column("state", Text, nullable=False),
    # When the first add left: a lookup searches notes made since (less a margin).
    Column("first_sent_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default=text("1")),
    Column("mews_message", Text),
    Column("mews_request_id", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)

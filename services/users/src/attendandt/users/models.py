"""Tables of the `users` schema.

Emails are stored normalised (trimmed, lower case) so a plain unique constraint makes them
unique case-insensitively; the check constraint keeps any writer honest. Secrets are stored
only as hashes: argon2id for passwords, SHA-256 for the high-entropy random tokens (a slow
hash adds nothing for 256-bit random values and would make every refresh cost a KDF).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from attendandt.platform.db import service_metadata
from attendandt.platform.inbox import inbox_table
from attendandt.platform.outbox import outbox_table

SCHEMA = "users"
metadata = service_metadata(SCHEMA)

ROLES = ("admin", "manager", "front_desk", "vendor")

users = Table(
    "users",
    metadata,
    Column("user_id", UUID(as_uuid=False), primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("vendor_id", Text, nullable=True),
    #: None: portfolio-wide (staff of every property).
    Column("enterprise_id", Text, nullable=True),
    Column("is_active", Boolean, nullable=False),
    #: `sub` of the linked external identity (Supabase-style JWT).
    Column("external_subject", Text, nullable=True, unique=True),
    Column("password_hash", Text, nullable=True),
    Column("password_changed_at", DateTime(timezone=True), nullable=True),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
    #: `issued_at` of the last applied UpsertUser command: an older command changes nothing.
    Column("provisioned_at", DateTime(timezone=True), nullable=True),
    #: Bumped on every change that is announced; part of the event's message id.
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("email = lower(btrim(email)) AND email <> ''", name="email_normalised"),
    CheckConstraint(f"role IN {ROLES!r}", name="role_known"),
    CheckConstraint("(role = 'vendor') = (vendor_id IS NOT NULL)", name="vendor_id_iff_vendor"),
    Index(None, "role", "is_active"),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column(
        "user_id",
        UUID(as_uuid=False),
        ForeignKey(users.c.user_id, ondelete="CASCADE"),
        nullable=False,
    ),
    #: Every token rotated from one sign-in shares a family; re-use of a used token revokes it.
    Column("family_id", UUID(as_uuid=False), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    #: Set when rotated: the token is spent.
    Column("used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    #: SHA-256 of the client (address, user agent) that spent it: only that client may present
    #: it again within the grace period (two tabs refreshing at once) without ending the session.
    Column("used_by", Text, nullable=True),
    #: Successors handed out within the grace period after the first one (bounded).
    Column("grace_successors", Integer, nullable=False, server_default=text("0")),
    Index(None, "family_id"),
    Index(None, "user_id"),
)

#: One-time tokens that let their holder set a password (invites, admin resets).
password_tokens = Table(
    "password_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column(
        "user_id",
        UUID(as_uuid=False),
        ForeignKey(users.c.user_id, ondelete="CASCADE"),
        nullable=False,
    ),
    Column("purpose", Text, nullable=False),
    Column("created_by", UUID(as_uuid=False), nullable=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("purpose IN ('invite', 'reset')", name="purpose_known"),
    Index(None, "user_id"),
)

#: Append-only. No password or token ever goes in here, not even a failed one.
audit_log = Table(
    "audit_log",
    metadata,
    Column("entry_id", BigInteger, Identity(), primary_key=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("action", Text, nullable=False),
    Column("actor_id", UUID(as_uuid=False), nullable=True),
    #: No foreign key: the log outlives what it describes and records unknown-email attempts.
    Column("user_id", UUID(as_uuid=False), nullable=True),
    Column("email", Text, nullable=True),
    Column("reason", Text, nullable=True),
    Column("client_ip", Text, nullable=True),
    Column("user_agent", Text, nullable=True),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index(None, "user_id", "entry_id"),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)

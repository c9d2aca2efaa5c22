"""erasure requests with their receipts, and the log of access to guests' personal data

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEMA = "guests"


def upgrade() -> None:
    op.create_table(
        "erasure_requests",
        sa.Column("id", postgresql.UUID(as_uuid=False), primary_key=True),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("guest_id", postgresql.UUID(as_uuid=False), nullable=False),
        sa.Column("customer_mews_id", sa.Text(), nullable=True),
        sa.Column("pseudonym", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("parts", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("enterprise_id", "guest_id", name="erasure_requests_one_per_guest"),
        schema=SCHEMA,
    )
    op.create_index(
        "erasure_requests_by_time",
        "erasure_requests",
        ["enterprise_id", "requested_at"],
        schema=SCHEMA,
    )
    op.create_table(
        "erasure_receipts",
        sa.Column(
            "request_id",
            postgresql.UUID(as_uuid=False),
            sa.ForeignKey(f"{SCHEMA}.erasure_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("pseudonymised", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id", "part", name="erasure_receipts_pkey"),
        schema=SCHEMA,
    )
    op.create_table(
        "guest_access_log",
        sa.Column("entry_id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("guest_id", postgresql.UUID(as_uuid=False), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("vendor_id", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "guest_access_log_by_guest",
        "guest_access_log",
        ["enterprise_id", "guest_id", "entry_id"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("guest_access_log", schema=SCHEMA)
    op.drop_table("erasure_receipts", schema=SCHEMA)
    op.drop_table("erasure_requests", schema=SCHEMA)

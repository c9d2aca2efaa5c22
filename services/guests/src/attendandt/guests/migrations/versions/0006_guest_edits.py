"""staff edits of guests: the edits and their fields, an audit of them, the hotel's rules for
conflicts, and when Mews last changed each field of a guest

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "guests"


def upgrade() -> None:
    op.add_column(
        "guests",
        sa.Column(
            "field_changed_utc",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "guest_edits",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("guest_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("customer_mews_id", sa.Text(), nullable=False),
        sa.Column("author_user_id", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("base_version", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edit_round", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["guest_id"], [f"{SCHEMA}.guests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(
        "guest_edits_by_guest", "guest_edits", ["guest_id", "created_at"], schema=SCHEMA
    )
    op.create_index(
        "guest_edits_open",
        "guest_edits",
        ["guest_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("state IN ('saving', 'conflict')"),
    )
    op.create_table(
        "guest_audit",
        sa.Column("entry_id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("guest_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("edit_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("entry_id"),
        schema=SCHEMA,
    )
    op.create_index(
        "guest_audit_by_guest",
        "guest_audit",
        ["enterprise_id", "guest_id", "entry_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "edit_rules",
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", "field", name="edit_rules_pkey"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("edit_rules", schema=SCHEMA)
    op.drop_index("guest_audit_by_guest", table_name="guest_audit", schema=SCHEMA)
    op.drop_table("guest_audit", schema=SCHEMA)
    op.drop_index("guest_edits_open", table_name="guest_edits", schema=SCHEMA)
    op.drop_index("guest_edits_by_guest", table_name="guest_edits", schema=SCHEMA)
    op.drop_table("guest_edits", schema=SCHEMA)
    op.drop_column("guests", "field_changed_utc", schema=SCHEMA)

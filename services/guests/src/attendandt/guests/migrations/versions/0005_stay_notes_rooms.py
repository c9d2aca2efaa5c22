"""stays get their notes; rooms (Mews resources) with their housekeeping state

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "guests"


def upgrade() -> None:
    op.add_column(
        "stays",
        sa.Column(
            "notes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "rooms",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("mews_id", sa.Text(), nullable=False),
        sa.Column("mews_updated_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mews_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mews_digest", sa.Text(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("category_name", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enterprise_id", "mews_id", name="rooms_enterprise_mews_id_key"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("rooms", schema=SCHEMA)
    op.drop_column("stays", "notes", schema=SCHEMA)

"""what was charged and paid for each stay, as Mews keeps it

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "guests"


def upgrade() -> None:
    op.create_table(
        "stay_bills",
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("stay_mews_id", sa.Text(), nullable=False),
        sa.Column("bill", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("mews_updated_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mews_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mews_digest", sa.Text(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", "stay_mews_id", name="stay_bills_pkey"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("stay_bills", schema=SCHEMA)

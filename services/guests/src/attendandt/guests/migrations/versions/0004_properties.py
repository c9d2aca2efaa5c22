"""properties: each hotel as Mews describes it (name, time zone, currency, pricing)

Filled by sync's UpsertProperty commands; the day lists take a hotel's day in its time zone.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "guests"


def upgrade() -> None:
    op.create_table(
        "properties",
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("short_name", sa.Text(), nullable=True),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("default_currency", sa.Text(), nullable=False),
        sa.Column(
            "currencies",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("pricing", sa.Text(), nullable=False),
        sa.Column("default_language_code", sa.Text(), nullable=True),
        sa.Column("address_line1", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("postal_code", sa.Text(), nullable=True),
        sa.Column("country_code", sa.Text(), nullable=True),
        sa.Column("chain_name", sa.Text(), nullable=True),
        sa.Column("mews_updated_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mews_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mews_digest", sa.Text(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("properties", schema=SCHEMA)

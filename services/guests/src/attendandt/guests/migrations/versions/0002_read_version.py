"""guests and stays: when the stored Mews version was read, and its content digest

Mews stamps UpdatedUtc in whole seconds; these order two versions that share one.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "guests"
TABLES = ("guests", "stays")


def upgrade() -> None:
    for table in TABLES:
        read_at = sa.Column("mews_read_at", sa.DateTime(timezone=True), nullable=True)
        op.add_column(table, read_at, schema=SCHEMA)
        op.add_column(table, sa.Column("mews_digest", sa.Text(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "mews_digest", schema=SCHEMA)
        op.drop_column(table, "mews_read_at", schema=SCHEMA)

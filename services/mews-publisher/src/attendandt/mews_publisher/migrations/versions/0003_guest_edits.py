"""customer updates: the staff edit each is a round of, and when its write left

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "publisher"


def upgrade() -> None:
    op.add_column("customer_updates", sa.Column("edit_id", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column(
        "customer_updates",
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("customer_updates", "sent_at", schema=SCHEMA)
    op.drop_column("customer_updates", "edit_id", schema=SCHEMA)

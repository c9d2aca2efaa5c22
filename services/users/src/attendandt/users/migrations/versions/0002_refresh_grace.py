"""refresh tokens remember who spent them, for the concurrent-refresh grace period

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "users"


def upgrade() -> None:
    op.add_column("refresh_tokens", sa.Column("used_by", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column(
        "refresh_tokens",
        sa.Column("grace_successors", sa.Integer(), server_default="0", nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("refresh_tokens", "grace_successors", schema=SCHEMA)
    op.drop_column("refresh_tokens", "used_by", schema=SCHEMA)

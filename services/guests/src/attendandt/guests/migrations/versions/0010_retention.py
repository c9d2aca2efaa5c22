"""the report of each retention sweep (per property: when, the limit, the requests it made)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SCHEMA = "guests"


def upgrade() -> None:
    op.create_table(
        "retention_runs",
        sa.Column("run_id", postgresql.UUID(as_uuid=False), primary_key=True),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_ids", postgresql.ARRAY(sa.Text()), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "retention_runs_by_time", "retention_runs", ["enterprise_id", "ran_at"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_index("retention_runs_by_time", "retention_runs", schema=SCHEMA)
    op.drop_table("retention_runs", schema=SCHEMA)

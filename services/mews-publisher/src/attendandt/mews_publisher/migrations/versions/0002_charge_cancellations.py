"""The cancellation ledger: every request that takes a posted charge back from Mews.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "charge_cancellations",
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("charge_id", sa.Text(), nullable=False),
        sa.Column("command_id", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("order_item_ids", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("mews_order_id", sa.Text(), nullable=True),
        sa.Column("mews_message", sa.Text(), nullable=True),
        sa.Column("mews_request_id", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("reference", "attempt", name=op.f("pk_charge_cancellations")),
        schema="publisher",
    )
    op.create_index(
        op.f("ix_charge_cancellations_charge_id"),
        "charge_cancellations",
        ["charge_id"],
        unique=False,
        schema="publisher",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_charge_cancellations_charge_id"),
        table_name="charge_cancellations",
        schema="publisher",
    )
    op.drop_table("charge_cancellations", schema="publisher")

"""Initial schema: the charge posting ledger, customer updates, inbox, outbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "charge_attempts",
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("charge_id", sa.Text(), nullable=False),
        sa.Column("command_id", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("service_id", sa.Text(), nullable=False),
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
        sa.PrimaryKeyConstraint("reference", "attempt", name=op.f("pk_charge_attempts")),
        schema="publisher",
    )
    op.create_index(
        op.f("ix_charge_attempts_charge_id"),
        "charge_attempts",
        ["charge_id"],
        unique=False,
        schema="publisher",
    )
    op.create_index(
        op.f("ix_charge_attempts_enterprise_id_state"),
        "charge_attempts",
        ["enterprise_id", "state"],
        unique=False,
        schema="publisher",
    )
    op.create_table(
        "customer_updates",
        sa.Column("command_id", sa.Text(), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("mews_message", sa.Text(), nullable=True),
        sa.Column("mews_request_id", sa.Text(), nullable=True),
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
        sa.PrimaryKeyConstraint("command_id", name=op.f("pk_customer_updates")),
        schema="publisher",
    )
    op.create_index(
        op.f("ix_customer_updates_enterprise_id_customer_id"),
        "customer_updates",
        ["enterprise_id", "customer_id"],
        unique=False,
        schema="publisher",
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("consumer", "message_id", name=op.f("pk_inbox")),
        schema="publisher",
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        schema="publisher",
    )


def downgrade() -> None:
    op.drop_table("outbox", schema="publisher")
    op.drop_table("inbox", schema="publisher")
    op.drop_index(
        op.f("ix_customer_updates_enterprise_id_customer_id"),
        table_name="customer_updates",
        schema="publisher",
    )
    op.drop_table("customer_updates", schema="publisher")
    op.drop_index(
        op.f("ix_charge_attempts_enterprise_id_state"),
        table_name="charge_attempts",
        schema="publisher",
    )
    op.drop_index(
        op.f("ix_charge_attempts_charge_id"), table_name="charge_attempts", schema="publisher"
    )
    op.drop_table("charge_attempts", schema="publisher")

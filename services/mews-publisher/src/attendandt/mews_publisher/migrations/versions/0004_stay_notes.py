"""stay note writes: staff notes on stays written to Mews (serviceOrderNotes/add, /update)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "publisher"


def upgrade() -> None:
    op.create_table(
        "stay_note_writes",
        sa.Column("command_id", sa.Text(), primary_key=True),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("reservation_id", sa.Text(), nullable=False),
        sa.Column("write_id", sa.Text(), nullable=False),
        sa.Column("note_id", sa.Text()),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("first_sent_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("mews_message", sa.Text()),
        sa.Column("mews_request_id", sa.Text()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("stay_note_writes", schema=SCHEMA)

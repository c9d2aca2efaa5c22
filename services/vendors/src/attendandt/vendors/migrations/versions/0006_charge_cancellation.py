"""Cancelling a charge: who asked, when, why, how Mews took it back (or why not), and
whether a posting failure was Mews's final word (then nothing of it can be in Mews).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_CANCEL_COLUMNS = (
    ("cancel_reason", sa.Text()),
    ("cancel_requested_by", sa.Text()),
    ("cancel_requested_at", sa.DateTime(timezone=True)),
    ("cancelled_at", sa.DateTime(timezone=True)),
    ("cancel_method", sa.Text()),
    ("cancel_failure_reason", sa.Text()),
)


def upgrade() -> None:
    for name, kind in _CANCEL_COLUMNS:
        op.add_column("charges", sa.Column(name, kind, nullable=True), schema="vendors")
    op.add_column(
        "charges",
        sa.Column("cancel_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema="vendors",
    )
    op.add_column(
        "charges",
        sa.Column(
            "failure_permanent", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        schema="vendors",
    )


def downgrade() -> None:
    op.drop_column("charges", "failure_permanent", schema="vendors")
    op.drop_column("charges", "cancel_attempts", schema="vendors")
    for name, _ in reversed(_CANCEL_COLUMNS):
        op.drop_column("charges", name, schema="vendors")

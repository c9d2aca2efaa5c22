"""stay note writes: notes staff add to or change on a stay here, written to Mews

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SCHEMA = "guests"


def upgrade() -> None:
    op.create_table(
        "stay_note_writes",
        sa.Column("id", sa.UUID(as_uuid=False), primary_key=True),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column(
            "stay_id",
            sa.UUID(as_uuid=False),
            sa.ForeignKey(f"{SCHEMA}.stays.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reservation_mews_id", sa.Text(), nullable=False),
        sa.Column("note_mews_id", sa.Text()),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("base_text", sa.Text()),
        sa.Column("author_user_id", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("mews_text", sa.Text()),
        sa.Column("failure", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "stay_note_writes_by_stay",
        "stay_note_writes",
        ["stay_id", "created_at"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_index("stay_note_writes_by_stay", table_name="stay_note_writes", schema=SCHEMA)
    op.drop_table("stay_note_writes", schema=SCHEMA)

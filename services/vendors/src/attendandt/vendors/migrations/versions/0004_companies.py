"""Mews companies of each property, which a vendor can be linked to (its legal entity in
Mews).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mews_companies",
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("mews_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("merge_target_mews_id", sa.Text(), nullable=True),
        sa.Column("iata", sa.Text(), nullable=True),
        sa.Column("mews_updated_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mews_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mews_digest", sa.Text(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", "mews_id", name=op.f("pk_mews_companies")),
        schema="vendors",
    )
    op.create_index(
        op.f("ix_mews_companies_enterprise_id_name"),
        "mews_companies",
        ["enterprise_id", "name"],
        unique=False,
        schema="vendors",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_mews_companies_enterprise_id_name"), table_name="mews_companies", schema="vendors"
    )
    op.drop_table("mews_companies", schema="vendors")

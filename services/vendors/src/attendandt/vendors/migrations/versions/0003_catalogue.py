"""Each hotel's Mews catalogue: its currency and pricing, its services and their products,
which an offering must post to (kept by sync's UpsertCatalogue).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "properties",
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("default_currency", sa.Text(), nullable=False),
        sa.Column(
            "currencies",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("pricing", sa.Text(), nullable=False),
        sa.Column("catalogue_updated_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("catalogue_read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("catalogue_digest", sa.Text(), nullable=False),
        sa.Column(
            "synced_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("enterprise_id", name=op.f("pk_properties")),
        schema="vendors",
    )
    op.create_table(
        "catalogue_services",
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("mews_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("ordering", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", "mews_id", name=op.f("pk_catalogue_services")),
        schema="vendors",
    )
    op.create_table(
        "catalogue_products",
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("mews_id", sa.Text(), nullable=False),
        sa.Column("service_mews_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("unit_amount", sa.Numeric(18, 4), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("accounting_category_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("enterprise_id", "mews_id", name=op.f("pk_catalogue_products")),
        schema="vendors",
    )
    op.create_index(
        op.f("ix_catalogue_products_enterprise_id_service_mews_id"),
        "catalogue_products",
        ["enterprise_id", "service_mews_id"],
        unique=False,
        schema="vendors",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_catalogue_products_enterprise_id_service_mews_id"),
        table_name="catalogue_products",
        schema="vendors",
    )
    op.drop_table("catalogue_products", schema="vendors")
    op.drop_table("catalogue_services", schema="vendors")
    op.drop_table("properties", schema="vendors")

"""Initial schema: vendors, offerings, bookings, charges, the stay projection, inbox, outbox.

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
        schema="vendors",
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
        schema="vendors",
    )
    op.create_table(
        "stay_refs",
        sa.Column("stay_id", sa.Text(), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column(
            "guest_ids", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("mews_reservation_id", sa.Text(), nullable=False),
        sa.Column("owner_mews_customer_id", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("start_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mews_updated_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "synced_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("stay_id", name=op.f("pk_stay_refs")),
        schema="vendors",
    )
    op.create_table(
        "vendors",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("contact_email", sa.Text(), nullable=True),
        sa.Column("contact_phone", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("mews_id", sa.Text(), nullable=True),
        sa.Column("mews_updated_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendors")),
        sa.UniqueConstraint(
            "enterprise_id", "mews_id", name=op.f("uq_vendors_enterprise_id_mews_id")
        ),
        schema="vendors",
    )
    op.create_index(
        op.f("ix_vendors_enterprise_id_name"),
        "vendors",
        ["enterprise_id", "name"],
        unique=False,
        schema="vendors",
    )
    op.create_table(
        "offerings",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("vendor_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column(
            "tax_codes", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("amount_is_gross", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("mews_service_id", sa.Text(), nullable=False),
        sa.Column("mews_product_id", sa.Text(), nullable=True),
        sa.Column("accounting_category_id", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
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
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_offerings_unit_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.vendors.id"], name=op.f("fk_offerings_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offerings")),
        schema="vendors",
    )
    op.create_index(
        op.f("ix_offerings_vendor_id_name"),
        "offerings",
        ["vendor_id", "name"],
        unique=False,
        schema="vendors",
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("vendor_id", sa.Text(), nullable=False),
        sa.Column("offering_id", sa.Text(), nullable=False),
        sa.Column("guest_id", sa.Text(), nullable=False),
        sa.Column("stay_id", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
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
        sa.CheckConstraint("quantity > 0", name=op.f("ck_bookings_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["vendors.offerings.id"],
            name=op.f("fk_bookings_offering_id_offerings"),
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.vendors.id"], name=op.f("fk_bookings_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        schema="vendors",
    )
    op.create_index(
        op.f("ix_bookings_guest_id"), "bookings", ["guest_id"], unique=False, schema="vendors"
    )
    op.create_index(
        op.f("ix_bookings_state_scheduled_for"),
        "bookings",
        ["state", "scheduled_for"],
        unique=False,
        schema="vendors",
    )
    op.create_index(
        op.f("ix_bookings_stay_id_state"),
        "bookings",
        ["stay_id", "state"],
        unique=False,
        schema="vendors",
    )
    op.create_index(
        op.f("ix_bookings_vendor_id_state"),
        "bookings",
        ["vendor_id", "state"],
        unique=False,
        schema="vendors",
    )
    op.create_table(
        "charges",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("vendor_id", sa.Text(), nullable=False),
        sa.Column("offering_id", sa.Text(), nullable=False),
        sa.Column("booking_id", sa.Text(), nullable=True),
        sa.Column("guest_id", sa.Text(), nullable=False),
        sa.Column("stay_id", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column(
            "tax_codes", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("amount_is_gross", sa.Boolean(), nullable=False),
        sa.Column("mews_service_id", sa.Text(), nullable=False),
        sa.Column("mews_product_id", sa.Text(), nullable=True),
        sa.Column("accounting_category_id", sa.Text(), nullable=True),
        sa.Column("mews_account_id", sa.Text(), nullable=False),
        sa.Column("mews_reservation_id", sa.Text(), nullable=True),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("mews_order_id", sa.Text(), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
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
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_charges_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["vendors.bookings.id"], name=op.f("fk_charges_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["offering_id"], ["vendors.offerings.id"], name=op.f("fk_charges_offering_id_offerings")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.vendors.id"], name=op.f("fk_charges_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_charges_booking_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_charges_reference")),
        schema="vendors",
    )
    op.create_index(
        op.f("ix_charges_guest_id"), "charges", ["guest_id"], unique=False, schema="vendors"
    )
    op.create_index(
        op.f("ix_charges_stay_id"), "charges", ["stay_id"], unique=False, schema="vendors"
    )
    op.create_index(
        op.f("ix_charges_vendor_id_state_posted_at"),
        "charges",
        ["vendor_id", "state", "posted_at"],
        unique=False,
        schema="vendors",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_charges_vendor_id_state_posted_at"), table_name="charges", schema="vendors"
    )
    op.drop_index(op.f("ix_charges_stay_id"), table_name="charges", schema="vendors")
    op.drop_index(op.f("ix_charges_guest_id"), table_name="charges", schema="vendors")
    op.drop_table("charges", schema="vendors")
    op.drop_index(op.f("ix_bookings_vendor_id_state"), table_name="bookings", schema="vendors")
    op.drop_index(op.f("ix_bookings_stay_id_state"), table_name="bookings", schema="vendors")
    op.drop_index(op.f("ix_bookings_state_scheduled_for"), table_name="bookings", schema="vendors")
    op.drop_index(op.f("ix_bookings_guest_id"), table_name="bookings", schema="vendors")
    op.drop_table("bookings", schema="vendors")
    op.drop_index(op.f("ix_offerings_vendor_id_name"), table_name="offerings", schema="vendors")
    op.drop_table("offerings", schema="vendors")
    op.drop_index(op.f("ix_vendors_enterprise_id_name"), table_name="vendors", schema="vendors")
    op.drop_table("vendors", schema="vendors")
    op.drop_table("stay_refs", schema="vendors")
    op.drop_table("outbox", schema="vendors")
    op.drop_table("inbox", schema="vendors")

"""Billing controls: charges held for approval (who decided, when, why), per-property billing
settings (caps, check-out grace period), and the billing audit trail.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_DECISION_COLUMNS = (
    ("approval_reason", sa.Text()),
    ("approved_by", sa.Text()),
    ("approved_at", sa.DateTime(timezone=True)),
    ("rejected_by", sa.Text()),
    ("rejected_at", sa.DateTime(timezone=True)),
    ("rejection_reason", sa.Text()),
)


def upgrade() -> None:
    for name, kind in _DECISION_COLUMNS:
        op.add_column("charges", sa.Column(name, kind, nullable=True), schema="vendors")
    op.create_index(
        op.f("ix_charges_vendor_id_created_at"),
        "charges",
        ["vendor_id", "created_at"],
        unique=False,
        schema="vendors",
    )
    op.create_table(
        "billing_settings",
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("max_charge_amount", sa.Numeric(18, 4), nullable=False),
        sa.Column("max_daily_amount_per_vendor", sa.Numeric(18, 4), nullable=False),
        sa.Column("checkout_grace_hours", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "max_charge_amount > 0", name=op.f("ck_billing_settings_max_charge_amount_positive")
        ),
        sa.CheckConstraint(
            "max_daily_amount_per_vendor >= max_charge_amount",
            name=op.f("ck_billing_settings_daily_at_least_per_charge"),
        ),
        sa.CheckConstraint(
            "checkout_grace_hours BETWEEN 0 AND 720",
            name=op.f("ck_billing_settings_grace_hours_bounded"),
        ),
        sa.PrimaryKeyConstraint("enterprise_id", name=op.f("pk_billing_settings")),
        schema="vendors",
    )
    op.create_table(
        "billing_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("charge_id", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_audit")),
        schema="vendors",
    )
    op.create_index(
        op.f("ix_billing_audit_enterprise_id_at"),
        "billing_audit",
        ["enterprise_id", "at"],
        unique=False,
        schema="vendors",
    )
    op.create_index(
        op.f("ix_billing_audit_charge_id"),
        "billing_audit",
        ["charge_id"],
        unique=False,
        schema="vendors",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_billing_audit_charge_id"), table_name="billing_audit", schema="vendors")
    op.drop_index(
        op.f("ix_billing_audit_enterprise_id_at"), table_name="billing_audit", schema="vendors"
    )
    op.drop_table("billing_audit", schema="vendors")
    op.drop_table("billing_settings", schema="vendors")
    op.drop_index(op.f("ix_charges_vendor_id_created_at"), table_name="charges", schema="vendors")
    for name, _ in reversed(_DECISION_COLUMNS):
        op.drop_column("charges", name, schema="vendors")

"""What Mews holds of each posted charge, as reconciliation last read it: its order items,
their summed state, quantity, amount and currency, what rebates made in Mews took off,
whether the guest's bill is closed (paid), and the Mews version read (last write wins).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("mews_order_item_ids", ARRAY(sa.Text())),
    ("mews_state", sa.Text()),
    ("mews_quantity", sa.Integer()),
    ("mews_amount", sa.Numeric(18, 4)),
    ("mews_currency", sa.Text()),
    ("mews_rebated_amount", sa.Numeric(18, 4)),
    ("mews_bill_closed", sa.Boolean()),
    ("mews_updated_utc", sa.DateTime(timezone=True)),
    ("mews_read_at", sa.DateTime(timezone=True)),
    ("mews_digest", sa.Text()),
)


def upgrade() -> None:
    for name, kind in _COLUMNS:
        op.add_column("charges", sa.Column(name, kind, nullable=True), schema="vendors")
    # The ledger reconciliation reads: a property's charges by posting time.
    op.create_index(
        "ix_charges_enterprise_id_posted_at",
        "charges",
        ["enterprise_id", "posted_at"],
        schema="vendors",
    )


def downgrade() -> None:
    op.drop_index("ix_charges_enterprise_id_posted_at", table_name="charges", schema="vendors")
    for name, _ in reversed(_COLUMNS):
        op.drop_column("charges", name, schema="vendors")

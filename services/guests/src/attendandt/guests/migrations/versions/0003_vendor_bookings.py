"""vendor_bookings: which guests and stays each vendor has bookings with

A vendor user sees only those. Filled from the booking events from now on; the bookings
already on guests' timelines (the same events, recorded before) are copied in here.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "guests"


def upgrade() -> None:
    op.create_table(
        "vendor_bookings",
        sa.Column("booking_id", sa.Text(), nullable=False),
        sa.Column("enterprise_id", sa.Text(), nullable=False),
        sa.Column("vendor_id", sa.Text(), nullable=False),
        sa.Column("guest_id", sa.Text(), nullable=False),
        sa.Column("stay_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("booking_id"),
        schema=SCHEMA,
    )
    op.create_index(
        "vendor_bookings_by_guest",
        "vendor_bookings",
        ["enterprise_id", "vendor_id", "guest_id"],
        unique=False,
        schema=SCHEMA,
    )
    op.create_index(
        "vendor_bookings_by_stay",
        "vendor_bookings",
        ["enterprise_id", "vendor_id", "stay_id"],
        unique=False,
        schema=SCHEMA,
    )
    op.execute(
        """
        INSERT INTO guests.vendor_bookings (booking_id, enterprise_id, vendor_id, guest_id, stay_id)
        SELECT DISTINCT ON (ref_id) ref_id, enterprise_id, snapshot->>'vendor_id', guest_id, stay_id
        FROM guests.timeline
        WHERE kind = 'booking' AND snapshot->>'vendor_id' IS NOT NULL
        ORDER BY ref_id, occurred_at
        ON CONFLICT (booking_id) DO NOTHING
        """
    )


def downgrade() -> None:
    op.drop_index("vendor_bookings_by_stay", table_name="vendor_bookings", schema=SCHEMA)
    op.drop_index("vendor_bookings_by_guest", table_name="vendor_bookings", schema=SCHEMA)
    op.drop_table("vendor_bookings", schema=SCHEMA)

"""The charges reconciliation report: every mismatch between a property's ledger (vendors'
posted charges) and Mews's order items for a period.

sync writes the last report of each property to the SYNC_HEALTH bucket under
`charges_report_key(enterprise)` (nightly, and `attendandt charges reconcile`); the
gateway's Sync page shows it. A report keeps at most `MAX_LISTED` mismatches (the counts
per kind are always whole).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

import msgspec

#: How a charge of ours names itself in Mews (`ExternalIdentifier` of its order items); its
#: rebate's items add `REBATE_SUFFIX`.
CHARGE_REFERENCE_PREFIX = "attendandt:charge:"
REBATE_SUFFIX = ":rebate"
#: Mismatches a stored report lists (the counts cover every one).
MAX_LISTED = 500

MismatchKind = Literal[
    # Posted here, no item with its reference in its Mews order.
    "missing_in_mews",
    "amount_differs",
    "quantity_differs",
    "currency_differs",
    # Mews's staff cancelled (or rebated) it in Mews; here it was not cancelled by us.
    "cancelled_in_mews",
    "rebated_in_mews",
    # Cancelled here through Mews, yet Mews still holds it (neither canceled nor offset).
    "not_cancelled_in_mews",
    # An item carrying one of our references whose charge is not in the ledger.
    "unknown_in_ledger",
]
MISMATCH_KINDS: tuple[MismatchKind, ...] = (
    "missing_in_mews",
    "amount_differs",
    "quantity_differs",
    "currency_differs",
    "cancelled_in_mews",
    "rebated_in_mews",
    "not_cancelled_in_mews",
    "unknown_in_ledger",
)


def charge_id_of(external_identifier: str | None) -> str | None:
    """The charge id a Mews item's ExternalIdentifier names (its rebate's too), or None when
    the item is not one of ours."""
    if not external_identifier or not external_identifier.startswith(CHARGE_REFERENCE_PREFIX):
        return None
    rest = external_identifier[len(CHARGE_REFERENCE_PREFIX) :]
    rest = rest.removesuffix(REBATE_SUFFIX)
    return rest or None


class ChargeMismatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    kind: MismatchKind
    #: Ours (None for an item unknown to the ledger).
    charge_id: str | None = None
    vendor_id: str | None = None
    mews_order_id: str | None = None
    mews_order_item_ids: tuple[str, ...] = ()
    #: What the ledger says, and what Mews holds ("2 x 85.00 GBP", "canceled", ...).
    ours: str | None = None
    mews: str | None = None
    #: Mews's figures where they differ in amount (for sorting and sums).
    our_amount: Decimal | None = None
    mews_amount: Decimal | None = None


class ChargeReconcileReport(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    enterprise_id: str
    #: The period: charges posted in [since, until).
    since: datetime
    until: datetime
    started_at: datetime
    finished_at: datetime
    #: "nightly" (sync's own) or "on_demand" (`attendandt charges reconcile`).
    trigger: Literal["nightly", "on_demand"] = "nightly"
    charges_checked: int = 0
    mews_items_read: int = 0
    mews_calls: int = 0
    #: Charges whose Mews state changed here (RecordChargeInMews sent).
    charges_updated: int = 0
    mismatches_total: int = 0
    by_kind: dict[str, int] = {}
    mismatches: tuple[ChargeMismatch, ...] = ()
    #: More mismatches than `MAX_LISTED`: the list is cut (the counts are not).
    truncated: bool = False


def charges_report_key(enterprise_id: str) -> str:
    """The report's key in SYNC_HEALTH (a dotted key: not an enterprise's health entry)."""
    return f"charges-reconcile.{enterprise_id}"

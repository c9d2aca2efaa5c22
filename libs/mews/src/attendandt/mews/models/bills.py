"""``bills/getAll``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from .common import Coproduct, MewsModel, MewsRequest, TimeInterval


class BillState:
    OPEN: Final = "Open"
    CLOSED: Final = "Closed"


class BillType:
    RECEIPT: Final = "Receipt"
    INVOICE: Final = "Invoice"


class BillCorrectionState:
    BILL: Final = "Bill"
    CORRECTIVE_BILL: Final = "CorrectiveBill"


class BillOptions(MewsModel):
    display_customer: bool | None = None
    display_taxation: bool | None = None
    track_receivable: bool | None = None
    display_cid: bool | None = None
    rebated: bool | None = None


class Bill(MewsModel):
    id: str
    name: str | None = None
    enterprise_id: str | None = None
    account_id: str | None = None
    account_type: str | None = None
    associated_account_ids: list[str] | None = None
    counter_id: str | None = None
    state: str | None = None
    type: str | None = None
    number: str | None = None
    variable_symbol: str | None = None
    created_utc: datetime | None = None
    issued_utc: datetime | None = None
    taxed_utc: datetime | None = None
    paid_utc: datetime | None = None
    due_utc: datetime | None = None
    last_reminder_date_utc: datetime | None = None
    updated_utc: datetime | None = None
    purchase_order_number: str | None = None
    notes: str | None = None
    options: BillOptions | None = None
    owner_data: Coproduct | None = None
    associated_account_data: list[dict[str, Any]] | None = None
    enterprise_data: dict[str, Any] | None = None
    correction_state: str | None = None
    correction_type: str | None = None
    corrected_bill_id: str | None = None
    # Deprecated by Mews, still emitted.
    customer_id: str | None = None
    company_id: str | None = None


class BillsGetAll(MewsRequest):
    """Filters of ``bills/getAll``. ``BillIds`` is required if no other filter is given."""

    enterprise_ids: list[str] | None = None
    bill_ids: list[str] | None = None
    customer_ids: list[str] | None = None
    state: str | None = None
    type: str | None = None
    correction_state: list[str] | None = None
    issued_utc: TimeInterval | None = None
    paid_utc: TimeInterval | None = None
    due_utc: TimeInterval | None = None
    created_utc: TimeInterval | None = None
    updated_utc: TimeInterval | None = None


class BillsPage(MewsModel):
    bills: list[Bill] | None = None
    cursor: str | None = None


__all__ = [
    "Bill",
    "BillCorrectionState",
    "BillOptions",
    "BillState",
    "BillType",
    "BillsGetAll",
    "BillsPage",
]

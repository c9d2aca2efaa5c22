"""A property's ledger for charges reconciliation (`posted_charges`): called by sync, on no
user's behalf."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.vendors.fields import AwareDatetime, Id
from attendandt.contracts.snapshots import ChargeState


class PostedChargesRequest(Payload, frozen=True, kw_only=True):
    """The ledger of one property for reconciliation: charges that reached Mews (they have
    a Mews order) posted in [from_utc, to_utc), or, with `charge_ids`, those charges of the
    property whenever posted. Paged by charge id: `after` is the last id of the page before.

    Called by sync, which acts for no user: answered without a caller, like guests'
    `mews_versions`; only sync and the ops command may publish on its subject."""

    SCHEMA = "vendors.posted_charges_request"
    enterprise_id: Id
    from_utc: AwareDatetime
    to_utc: AwareDatetime
    charge_ids: tuple[Id, ...] = ()
    after: str | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=5000)] = 1000


class LedgerCharge(msgspec.Struct, frozen=True, kw_only=True):
    charge_id: str
    vendor_id: str
    reference: str
    mews_order_id: str
    mews_service_id: str
    quantity: int
    unit_amount: Decimal
    amount: Decimal
    currency: str
    amount_is_gross: bool
    state: ChargeState
    posted_at: datetime | None = None
    cancel_method: str | None = None
    #: What the last reconciliation recorded (`RecordChargeInMews.content_digest`).
    mews_digest: str | None = None


class PostedCharges(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.posted_charges"
    items: tuple[LedgerCharge, ...]
    #: The `after` of the next page; None on the last.
    next_after: str | None = None
    #: Every Mews service the property's offerings post to (where a charge of ours may be).
    service_ids: tuple[str, ...] = ()


POSTED_CHARGES = RpcMethod("vendors", "posted_charges", PostedChargesRequest, PostedCharges)

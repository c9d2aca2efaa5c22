"""Linking a vendor to the Mews company that is its legal entity in Mews.

Part of `update_vendor` (`mews_company_id`), in its transaction and under its access rule
(who may change vendors may link them): the company must be one vendors knows in the
vendor's own property, and linked to no other vendor (the schema holds one vendor per Mews
company and property). Linking copies the company's Mews version and sync time onto the
vendor; `null` unlinks.
"""

from __future__ import annotations

from typing import Any

from attendandt.platform.rpc import Conflict, Invalid
from attendandt.vendors.records import VendorRecord
from attendandt.vendors.unit_of_work import UnitOfWork

UNLINKED = {"mews_id": None, "mews_updated_utc": None, "synced_at": None}


async def link_changes(
    uow: UnitOfWork, vendor: VendorRecord, mews_company_id: str | None
) -> dict[str, Any]:
    """The vendor's changed columns for linking it to `mews_company_id` (None: unlinking)."""
    if mews_company_id is None:
        return dict(UNLINKED) if vendor.mews_id is not None else {}
    if mews_company_id == vendor.mews_id:
        return {}
    # Locked: two vendors linked to one company at once wait for each other, and the second
    # is refused below instead of failing on the unique key.
    company = await uow.companies.get(vendor.enterprise_id, mews_company_id, lock=True)
    if company is None:
        raise Invalid(f"no Mews company {mews_company_id} in this hotel")
    linked = await uow.vendors.get_vendor_by_mews_id(vendor.enterprise_id, mews_company_id)
    if linked is not None:
        raise Conflict(f"Mews company {mews_company_id} is already linked to vendor {linked.id}")
    return {
        "mews_id": company.mews_id,
        "mews_updated_utc": company.mews_updated_utc,
        "synced_at": company.synced_at,
    }

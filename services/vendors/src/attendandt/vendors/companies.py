"""Mews companies in the vendors service: the companies sync reports, and the list a manager
picks a vendor's company from. Plain Python over the repositories, like `service`.

- `upsert_company` (`cmd.v1.vendors.upsert_company`, once per command id): last write wins
  on the company's Mews version; a vendor linked to the company learns of the change (its
  Mews version and sync time) and announces it. The link itself is made by `update_vendor`
  (`company_links`).
- `list_mews_companies`: one property's companies by name prefix, for those who may change
  vendors (admins, managers: `access.MANAGERS`); another property is not found.
"""

from __future__ import annotations

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import UpsertCompany
from attendandt.contracts.rpc import vendors as rpc
from attendandt.platform.rpc import NotFound
from attendandt.vendors import access, validation
from attendandt.vendors.access import MANAGERS
from attendandt.vendors.company_repository import MewsCompanyRecord
from attendandt.vendors.service import VendorsService
from attendandt.vendors.unit_of_work import UnitOfWork

UPSERT_COMPANY_CONSUMER = "vendors-upsert-company"


def company_view(c: MewsCompanyRecord) -> rpc.MewsCompanyView:
    return rpc.MewsCompanyView(mews_id=c.mews_id, name=c.name, is_active=c.is_active)


class MewsCompanies:
    """Shares the vendors service's database, clock and vendor announcements."""

    def __init__(self, vendors: VendorsService) -> None:
        self.vendors = vendors

    async def upsert_company(self, command: UpsertCompany) -> None:
        enterprise_id = validation.commanded_enterprise(command.enterprise_id)
        async with self.vendors.units() as uow:
            await self._upsert_company(uow, command, enterprise_id)
            await uow.commit()

    async def _upsert_company(
        self, uow: UnitOfWork, command: UpsertCompany, enterprise_id: str
    ) -> None:
        snapshot = command.company
        if not await uow.claim(command.command_id, consumer=UPSERT_COMPANY_CONSUMER):
            return
        stored = await uow.companies.upsert(
            {
                "enterprise_id": enterprise_id,
                "mews_id": snapshot.mews_id,
                "name": snapshot.name,
                "is_active": snapshot.is_active,
                "merge_target_mews_id": snapshot.merge_target_mews_id,
                "iata": snapshot.iata,
                "mews_updated_utc": snapshot.mews_updated_utc,
                # Sync commands right after reading Mews: when this content was read.
                "mews_read_at": command.issued_at,
                "mews_digest": snapshot.digest(),
                "synced_at": self.vendors.clock(),
            }
        )
        if stored is None:
            return  # an older (or the same) Mews version: the stored one stays
        vendor = await uow.vendors.get_vendor_by_mews_id(enterprise_id, snapshot.mews_id, lock=True)
        if vendor is None:
            return
        # The vendor keeps its own name: the hotel names it as its guests know it ("Lagoon
        # Spa"), the Mews company is its legal entity ("Lagoon Wellness s.r.o.").
        vendor = await uow.vendors.change_vendor(
            vendor.id,
            {"mews_updated_utc": stored.mews_updated_utc, "synced_at": stored.synced_at},
        )
        await self.vendors.core.announce.vendor(uow, vendor, "updated")

    async def list_mews_companies(
        self, request: rpc.ListMewsCompaniesRequest, caller: Caller
    ) -> rpc.MewsCompanyPage:
        access.require(caller, MANAGERS, "see the Mews companies vendors are linked to")
        if not caller.may_act_for(request.enterprise_id):
            raise NotFound(f"enterprise {request.enterprise_id} not found")
        prefix = request.q.strip() if request.q else None
        async with self.vendors.units() as uow:
            found = await uow.companies.search(request.enterprise_id, prefix, request.limit)
        return rpc.MewsCompanyPage(items=tuple(company_view(c) for c in found))

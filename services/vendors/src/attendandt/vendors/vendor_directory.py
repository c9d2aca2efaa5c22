"""The hotel's vendors: made, changed and deactivated by admins and managers, seen by staff
and (its own) by a vendor user. Each change announces a `vendor.*` event."""

from __future__ import annotations

from dataclasses import dataclass

from msgspec import UNSET

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import vendors as rpc
from attendandt.platform.rpc import NotFound
from attendandt.vendors import access, validation
from attendandt.vendors.access import MANAGERS
from attendandt.vendors.company_links import link_changes
from attendandt.vendors.core import Core, new_id
from attendandt.vendors.views import page_of, vendor_view


@dataclass(frozen=True)
class VendorDirectory:
    core: Core

    async def create_vendor(
        self, request: rpc.CreateVendorRequest, caller: Caller
    ) -> rpc.VendorResponse:
        access.require(caller, MANAGERS, "create vendors")
        enterprise_id = validation.enterprise(request.enterprise_id)
        if not caller.may_act_for(enterprise_id):
            raise NotFound(f"enterprise {enterprise_id} not found")
        async with self.core.units() as uow:
            vendor = await uow.vendors.insert_vendor(
                {
                    "id": new_id(),
                    "enterprise_id": enterprise_id,
                    "name": validation.not_blank(request.name, "name"),
                    "category": validation.not_blank(request.category, "category"),
                    "contact_email": validation.blank_to_none(request.contact_email),
                    "contact_phone": validation.blank_to_none(request.contact_phone),
                }
            )
            await self.core.announce.vendor(uow, vendor, "created")
            await uow.commit()
        return rpc.VendorResponse(vendor=vendor_view(vendor))

    async def update_vendor(
        self, request: rpc.UpdateVendorRequest, caller: Caller
    ) -> rpc.VendorResponse:
        access.require(caller, MANAGERS, "change vendors")
        wanted = validation.set_fields(
            request, ("name", "category", "contact_email", "contact_phone")
        )
        for field in ("name", "category"):
            if field in wanted:
                wanted[field] = validation.not_blank(wanted[field], field)
        for field in ("contact_email", "contact_phone"):
            if field in wanted:
                wanted[field] = validation.blank_to_none(wanted[field])
        async with self.core.units() as uow:
            vendor = await access.vendor(uow, caller, request.vendor_id, lock=True)
            changes = {k: v for k, v in wanted.items() if getattr(vendor, k) != v}
            if request.mews_company_id is not UNSET:
                changes |= await link_changes(uow, vendor, request.mews_company_id)
            if changes:
                vendor = await uow.vendors.change_vendor(vendor.id, changes)
                await self.core.announce.vendor(uow, vendor, "updated")
            await uow.commit()
        return rpc.VendorResponse(vendor=vendor_view(vendor))

    async def deactivate_vendor(
        self, request: rpc.DeactivateVendorRequest, caller: Caller
    ) -> rpc.VendorResponse:
        access.require(caller, MANAGERS, "deactivate vendors")
        async with self.core.units() as uow:
            vendor = await access.vendor(uow, caller, request.vendor_id, lock=True)
            if vendor.is_active:
                vendor = await uow.vendors.change_vendor(vendor.id, {"is_active": False})
                await self.core.announce.vendor(uow, vendor, "deactivated")
            await uow.commit()
        return rpc.VendorResponse(vendor=vendor_view(vendor))

    async def get_vendor(self, request: rpc.GetVendorRequest, caller: Caller) -> rpc.VendorResponse:
        async with self.core.units() as uow:
            vendor = await access.vendor(uow, caller, request.vendor_id)
        return rpc.VendorResponse(vendor=vendor_view(vendor))

    async def list_vendors(self, request: rpc.ListVendorsRequest, caller: Caller) -> rpc.VendorPage:
        enterprise_ids = access.enterprises(caller, request.enterprise_id)
        async with self.core.units() as uow:
            page = await uow.vendors.list_vendors(
                enterprise_ids=enterprise_ids,
                category=request.category,
                include_inactive=request.include_inactive,
                vendor_id=access.own_vendor(caller),
                limit=request.limit,
                offset=request.offset,
            )
        return page_of(rpc.VendorPage, vendor_view, page, request.offset)

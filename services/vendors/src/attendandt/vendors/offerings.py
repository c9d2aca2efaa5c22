"""A vendor's offerings (what it sells, at what price, posted where in the hotel's Mews
catalogue: the rules are `catalogue`'s), and the catalogue itself for those who make them."""

from __future__ import annotations

from dataclasses import dataclass

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import vendors as rpc
from attendandt.platform.rpc import Conflict, NotFound
from attendandt.vendors import access, validation
from attendandt.vendors.catalogue import check_posting, require
from attendandt.vendors.core import Core, new_id
from attendandt.vendors.views import catalogue_response, offering_view, page_of


@dataclass(frozen=True)
class Offerings:
    core: Core

    async def create_offering(
        self, request: rpc.CreateOfferingRequest, caller: Caller
    ) -> rpc.OfferingResponse:
        access.may_manage_offerings(caller)
        async with self.core.units() as uow:
            vendor = await access.vendor(uow, caller, request.vendor_id)
            if not vendor.is_active:
                raise Conflict(f"vendor {vendor.id} is deactivated")
            posting = check_posting(
                require(await uow.vendors.catalogue(vendor.enterprise_id)),
                currency=request.currency,
                service_id=request.mews_service_id,
                product_id=request.mews_product_id,
            )
            # The product's accounting category unless one is given: Mews reports every
            # posted item under one.
            category = request.accounting_category_id or (
                posting.product.accounting_category_id if posting.product else None
            )
            offering = await uow.vendors.insert_offering(
                {
                    "id": new_id(),
                    "enterprise_id": vendor.enterprise_id,
                    "vendor_id": vendor.id,
                    "name": validation.not_blank(request.name, "name"),
                    "description": validation.blank_to_none(request.description),
                    "unit_price": validation.amount(request.unit_price, "unit_price"),
                    "currency": posting.currency,
                    "tax_codes": list(request.tax_codes),
                    "amount_is_gross": request.amount_is_gross,
                    "mews_service_id": posting.service.mews_id,
                    "mews_product_id": posting.product.mews_id if posting.product else None,
                    "accounting_category_id": category,
                }
            )
            await uow.commit()
        return rpc.OfferingResponse(offering=offering_view(offering))

    async def update_offering(
        self, request: rpc.UpdateOfferingRequest, caller: Caller
    ) -> rpc.OfferingResponse:
        access.may_manage_offerings(caller)
        wanted = validation.set_fields(
            request,
            (
                "name",
                "description",
                "unit_price",
                "currency",
                "tax_codes",
                "amount_is_gross",
                "mews_service_id",
                "mews_product_id",
                "accounting_category_id",
            ),
        )
        if "name" in wanted:
            wanted["name"] = validation.not_blank(wanted["name"], "name")
        if "description" in wanted:
            wanted["description"] = validation.blank_to_none(wanted["description"])
        if "unit_price" in wanted:
            wanted["unit_price"] = validation.amount(wanted["unit_price"], "unit_price")
        if "tax_codes" in wanted:
            wanted["tax_codes"] = list(wanted["tax_codes"])
        async with self.core.units() as uow:
            offering = await access.offering(uow, caller, request.offering_id, lock=True)
            if wanted.keys() & {"currency", "mews_service_id", "mews_product_id"}:
                # Where its charges go changes: the new combination must fit the catalogue.
                check_posting(
                    require(await uow.vendors.catalogue(offering.enterprise_id)),
                    currency=wanted.get("currency", offering.currency),
                    service_id=wanted.get("mews_service_id", offering.mews_service_id),
                    product_id=wanted.get("mews_product_id", offering.mews_product_id),
                )
            changes = {k: v for k, v in wanted.items() if getattr(offering, k) != v}
            if changes:
                offering = await uow.vendors.change_offering(offering.id, changes)
            await uow.commit()
        return rpc.OfferingResponse(offering=offering_view(offering))

    async def deactivate_offering(
        self, request: rpc.DeactivateOfferingRequest, caller: Caller
    ) -> rpc.OfferingResponse:
        access.may_manage_offerings(caller)
        async with self.core.units() as uow:
            offering = await access.offering(uow, caller, request.offering_id, lock=True)
            if offering.is_active:
                offering = await uow.vendors.change_offering(offering.id, {"is_active": False})
            await uow.commit()
        return rpc.OfferingResponse(offering=offering_view(offering))

    async def get_offering(
        self, request: rpc.GetOfferingRequest, caller: Caller
    ) -> rpc.OfferingResponse:
        async with self.core.units() as uow:
            offering = await access.offering(uow, caller, request.offering_id)
        return rpc.OfferingResponse(offering=offering_view(offering))

    async def list_offerings(
        self, request: rpc.ListOfferingsRequest, caller: Caller
    ) -> rpc.OfferingPage:
        async with self.core.units() as uow:
            await access.vendor(uow, caller, request.vendor_id)
            page = await uow.vendors.list_offerings(
                vendor_id=request.vendor_id,
                include_inactive=request.include_inactive,
                limit=request.limit,
                offset=request.offset,
            )
        return page_of(rpc.OfferingPage, offering_view, page, request.offset)

    async def get_catalogue(
        self, request: rpc.GetCatalogueRequest, caller: Caller
    ) -> rpc.CatalogueResponse:
        """The services and products an offering of this property may post to."""
        access.may_manage_offerings(caller)
        if not caller.may_act_for(request.enterprise_id):
            raise NotFound(f"enterprise {request.enterprise_id} not found")
        async with self.core.units() as uow:
            catalogue = require(await uow.vendors.catalogue(request.enterprise_id))
        return catalogue_response(catalogue)

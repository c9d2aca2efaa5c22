"""The statements of vendors, their offerings and the hotel's Mews catalogue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from attendandt.vendors.catalogue import Catalogue
from attendandt.vendors.models import (
    catalogue_products,
    catalogue_services,
    offerings,
    properties,
    vendors,
)
from attendandt.vendors.records import (
    CatalogueProductRecord,
    CatalogueServiceRecord,
    OfferingRecord,
    Page,
    PropertyRecord,
    VendorRecord,
)
from attendandt.vendors.rows import Rows, as_record, as_record_or_none, in_enterprises


class VendorRows(Rows):
    # --- vendors -------------------------------------------------------------------------

    async def insert_vendor(self, values: Mapping[str, Any]) -> VendorRecord:
        return as_record(VendorRecord, await self._insert(vendors, values))

    async def get_vendor(
        self, vendor_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> VendorRecord | None:
        row = await self._get(
            vendors, vendors.c.id == vendor_id, lock=lock, enterprise_ids=enterprise_ids
        )
        return as_record_or_none(VendorRecord, row)

    async def get_vendor_by_mews_id(
        self, enterprise_id: str, mews_id: str, *, lock: bool = False
    ) -> VendorRecord | None:
        key = and_(vendors.c.enterprise_id == enterprise_id, vendors.c.mews_id == mews_id)
        return as_record_or_none(VendorRecord, await self._get(vendors, key, lock=lock))

    async def change_vendor(self, vendor_id: str, changes: Mapping[str, Any]) -> VendorRecord:
        return as_record(
            VendorRecord, await self._change(vendors, vendors.c.id == vendor_id, changes)
        )

    async def upsert_vendor(
        self, values: Mapping[str, Any], *, by_mews_id: bool
    ) -> tuple[VendorRecord, bool] | None:
        """Insert, or update unless the stored Mews version is as new or newer.

        Keyed by (enterprise, Mews id) for a Mews partner company, else by our id. Returns
        the row and whether it was inserted, or None when the command was older (no change).
        """
        statement = pg_insert(vendors).values(**values)
        excluded = statement.excluded
        changed: dict[str, Any] = {
            name: excluded[name]
            for name in ("name", "category", "contact_email", "contact_phone", "is_active")
        }
        # A command without Mews data does not unlink a vendor from its Mews company.
        for name in ("mews_id", "mews_updated_utc", "synced_at"):
            changed[name] = func.coalesce(excluded[name], vendors.c[name])
        newer: ColumnElement[bool] | None = None
        if values.get("mews_updated_utc") is not None:
            newer = or_(
                vendors.c.mews_updated_utc.is_(None),
                vendors.c.mews_updated_utc < excluded.mews_updated_utc,
            )
        upsert = statement.on_conflict_do_update(
            index_elements=["enterprise_id", "mews_id"] if by_mews_id else ["id"],
            set_={**changed, "version": vendors.c.version + 1, "updated_at": func.now()},
            where=newer,
        ).returning(vendors, text("(xmax = 0) AS inserted"))
        row = (await self.session.execute(upsert)).first()
        if row is None:
            return None
        mapping = dict(row._mapping)
        inserted = bool(mapping.pop("inserted"))
        return VendorRecord(**mapping), inserted

    async def list_vendors(
        self,
        *,
        enterprise_ids: Sequence[str] | None,
        category: str | None,
        include_inactive: bool,
        vendor_id: str | None,
        limit: int,
        offset: int,
    ) -> Page[VendorRecord]:
        statement = in_enterprises(select(vendors), vendors, enterprise_ids)
        if category is not None:
            statement = statement.where(vendors.c.category == category)
        if not include_inactive:
            statement = statement.where(vendors.c.is_active)
        if vendor_id is not None:
            statement = statement.where(vendors.c.id == vendor_id)
        rows, total = await self._page(statement, [vendors.c.name, vendors.c.id], limit, offset)
        return Page([as_record(VendorRecord, r) for r in rows], total)

    # --- offerings -----------------------------------------------------------------------

    async def insert_offering(self, values: Mapping[str, Any]) -> OfferingRecord:
        return as_record(OfferingRecord, await self._insert(offerings, values))

    async def get_offering(
        self, offering_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> OfferingRecord | None:
        row = await self._get(
            offerings, offerings.c.id == offering_id, lock=lock, enterprise_ids=enterprise_ids
        )
        return as_record_or_none(OfferingRecord, row)

    async def change_offering(self, offering_id: str, changes: Mapping[str, Any]) -> OfferingRecord:
        row = await self._change(offerings, offerings.c.id == offering_id, changes)
        return as_record(OfferingRecord, row)

    async def list_offerings(
        self, *, vendor_id: str, include_inactive: bool, limit: int, offset: int
    ) -> Page[OfferingRecord]:
        statement = select(offerings).where(offerings.c.vendor_id == vendor_id)
        if not include_inactive:
            statement = statement.where(offerings.c.is_active)
        rows, total = await self._page(statement, [offerings.c.name, offerings.c.id], limit, offset)
        return Page([as_record(OfferingRecord, r) for r in rows], total)

    # --- the hotel's catalogue -----------------------------------------------------------

    async def lock_catalogue(self, enterprise_id: str) -> None:
        """Serialise the catalogue commands of one property until this transaction ends (a
        property seen for the first time has no row to lock)."""
        await self.session.execute(
            select(
                func.pg_advisory_xact_lock(func.hashtextextended("catalogue:" + enterprise_id, 0))
            )
        )

    async def get_property(self, enterprise_id: str) -> PropertyRecord | None:
        row = await self._get(properties, properties.c.enterprise_id == enterprise_id, lock=False)
        return as_record_or_none(PropertyRecord, row)

    async def catalogue(self, enterprise_id: str) -> Catalogue | None:
        """The property's whole catalogue, or None while sync has not described it."""
        prop = await self.get_property(enterprise_id)
        if prop is None:
            return None
        services = await self.session.execute(
            select(catalogue_services).where(catalogue_services.c.enterprise_id == enterprise_id)
        )
        products = await self.session.execute(
            select(catalogue_products).where(catalogue_products.c.enterprise_id == enterprise_id)
        )
        return Catalogue(
            property=prop,
            services=[as_record(CatalogueServiceRecord, row) for row in services],
            products=[as_record(CatalogueProductRecord, row) for row in products],
        )

    async def replace_catalogue(
        self,
        prop: Mapping[str, Any],
        services: Sequence[Mapping[str, Any]],
        products: Sequence[Mapping[str, Any]],
    ) -> None:
        """The property's row, and its services and products replaced as a whole."""
        enterprise_id = prop["enterprise_id"]
        statement = pg_insert(properties).values(**prop)
        changed = {name: statement.excluded[name] for name in prop if name != "enterprise_id"}
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["enterprise_id"], set_={**changed, "synced_at": func.now()}
            )
        )
        for table in (catalogue_products, catalogue_services):
            await self.session.execute(delete(table).where(table.c.enterprise_id == enterprise_id))
        if services:
            await self.session.execute(insert(catalogue_services), list(services))
        if products:
            await self.session.execute(insert(catalogue_products), list(products))

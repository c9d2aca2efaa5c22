"""Every SQL statement of the vendors service.

`Database.transaction()` opens one transaction and hands out a `Repository` bound to it: the
use case's reads, writes, inbox claim and outbox rows commit or roll back together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.base import Payload
from attendandt.platform import inbox as inbox_lib
from attendandt.platform import outbox as outbox_lib
from attendandt.vendors.catalogue import Catalogue
from attendandt.vendors.models import (
    billing_audit,
    billing_settings,
    bookings,
    catalogue_products,
    catalogue_services,
    charges,
    inbox,
    offerings,
    outbox,
    properties,
    stay_refs,
    vendors,
)
from attendandt.vendors.records import (
    BillingSettingsRecord,
    BookingRecord,
    CatalogueProductRecord,
    CatalogueServiceRecord,
    ChargeRecord,
    OfferingRecord,
    Page,
    PropertyRecord,
    StayRef,
    VendorRecord,
)

R = TypeVar("R")

#: Booking states from which a booking can still change (cancel, expire, ...).
OPEN_BOOKING_STATES = ("requested", "confirmed")


def _in_enterprises(
    statement: Select[Any], table: Table, enterprise_ids: Sequence[str] | None
) -> Select[Any]:
    """Only rows of these properties (None: every property; empty: none). Every lookup made
    for a caller goes through here, so another property's rows never leave the database."""
    if enterprise_ids is None:
        return statement
    return statement.where(table.c.enterprise_id.in_(list(enterprise_ids)))


def _record(kind: type[R], row: Any) -> R:
    return kind(**row._mapping)


def _maybe(kind: type[R], row: Any) -> R | None:
    return None if row is None else kind(**row._mapping)


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- inbox and outbox ----------------------------------------------------------------

    async def claim(self, *, consumer: str, message_id: str) -> bool:
        """False when this consumer already processed this message (then do nothing)."""
        return await inbox_lib.claim(self.session, inbox, consumer=consumer, message_id=message_id)

    async def queue(self, *, subject: str, payload: Payload, msg_id: str) -> None:
        """Publish `payload` after this transaction commits (never if it rolls back)."""
        await outbox_lib.add(self.session, outbox, subject=subject, payload=payload, msg_id=msg_id)

    # --- shared helpers ------------------------------------------------------------------

    async def _get(
        self,
        table: Table,
        key: ColumnElement[bool],
        *,
        lock: bool,
        enterprise_ids: Sequence[str] | None = None,
    ) -> Any:
        statement = _in_enterprises(select(table).where(key), table, enterprise_ids)
        if lock:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).first()

    async def _insert(self, table: Table, values: Mapping[str, Any]) -> Any:
        return (await self.session.execute(insert(table).values(**values).returning(table))).one()

    async def _change(
        self, table: Table, key: ColumnElement[bool], changes: Mapping[str, Any]
    ) -> Any:
        """Apply `changes` and count one more version of the aggregate."""
        statement = (
            update(table)
            .where(key)
            .values(**changes, version=table.c.version + 1, updated_at=func.now())
            .returning(table)
        )
        return (await self.session.execute(statement)).one()

    async def _page(
        self, statement: Select[Any], order: list[Any], limit: int, offset: int
    ) -> tuple[list[Any], int]:
        total = (
            await self.session.execute(select(func.count()).select_from(statement.subquery()))
        ).scalar_one()
        rows = (
            await self.session.execute(statement.order_by(*order).limit(limit).offset(offset))
        ).all()
        return list(rows), int(total)

    # --- vendors -------------------------------------------------------------------------

    async def insert_vendor(self, values: Mapping[str, Any]) -> VendorRecord:
        return _record(VendorRecord, await self._insert(vendors, values))

    async def get_vendor(
        self, vendor_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> VendorRecord | None:
        row = await self._get(
            vendors, vendors.c.id == vendor_id, lock=lock, enterprise_ids=enterprise_ids
        )
        return _maybe(VendorRecord, row)

    async def get_vendor_by_mews_id(
        self, enterprise_id: str, mews_id: str, *, lock: bool = False
    ) -> VendorRecord | None:
        key = and_(vendors.c.enterprise_id == enterprise_id, vendors.c.mews_id == mews_id)
        return _maybe(VendorRecord, await self._get(vendors, key, lock=lock))

    async def change_vendor(self, vendor_id: str, changes: Mapping[str, Any]) -> VendorRecord:
        return _record(
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
        statement = _in_enterprises(select(vendors), vendors, enterprise_ids)
        if category is not None:
            statement = statement.where(vendors.c.category == category)
        if not include_inactive:
            statement = statement.where(vendors.c.is_active)
        if vendor_id is not None:
            statement = statement.where(vendors.c.id == vendor_id)
        rows, total = await self._page(statement, [vendors.c.name, vendors.c.id], limit, offset)
        return Page([_record(VendorRecord, r) for r in rows], total)

    # --- offerings -----------------------------------------------------------------------

    async def insert_offering(self, values: Mapping[str, Any]) -> OfferingRecord:
        return _record(OfferingRecord, await self._insert(offerings, values))

    async def get_offering(
        self, offering_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> OfferingRecord | None:
        row = await self._get(
            offerings, offerings.c.id == offering_id, lock=lock, enterprise_ids=enterprise_ids
        )
        return _maybe(OfferingRecord, row)

    async def change_offering(self, offering_id: str, changes: Mapping[str, Any]) -> OfferingRecord:
        row = await self._change(offerings, offerings.c.id == offering_id, changes)
        return _record(OfferingRecord, row)

    async def list_offerings(
        self, *, vendor_id: str, include_inactive: bool, limit: int, offset: int
    ) -> Page[OfferingRecord]:
        statement = select(offerings).where(offerings.c.vendor_id == vendor_id)
        if not include_inactive:
            statement = statement.where(offerings.c.is_active)
        rows, total = await self._page(statement, [offerings.c.name, offerings.c.id], limit, offset)
        return Page([_record(OfferingRecord, r) for r in rows], total)

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
        return _maybe(PropertyRecord, row)

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
            services=[_record(CatalogueServiceRecord, row) for row in services],
            products=[_record(CatalogueProductRecord, row) for row in products],
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

    # --- the stay projection -------------------------------------------------------------

    async def upsert_stay_ref(self, values: Mapping[str, Any]) -> bool:
        """Keep the newest Mews version of the stay; False when this one was older.

        The same Mews version seen again (guests re-announcing a stay whose guest list grew)
        keeps every guest id either copy knew, so the order of equal versions does not matter.
        """
        statement = pg_insert(stay_refs).values(**values)
        excluded = statement.excluded
        same_version = stay_refs.c.mews_updated_utc == excluded.mews_updated_utc
        merged_guests = text(
            "ARRAY(SELECT DISTINCT g FROM unnest(vendors.stay_refs.guest_ids || "
            "excluded.guest_ids) AS g ORDER BY g)"
        )
        set_: dict[str, Any] = {
            name: excluded[name]
            for name in (
                "enterprise_id",
                "mews_reservation_id",
                "owner_mews_customer_id",
                "state",
                "start_utc",
                "end_utc",
                "mews_updated_utc",
            )
        }
        set_["guest_ids"] = case((same_version, merged_guests), else_=excluded.guest_ids)
        set_["synced_at"] = func.now()
        upsert = statement.on_conflict_do_update(
            index_elements=["stay_id"],
            set_=set_,
            where=stay_refs.c.mews_updated_utc <= excluded.mews_updated_utc,
        ).returning(stay_refs.c.stay_id)
        return (await self.session.execute(upsert)).first() is not None

    async def get_stay_ref(
        self, stay_id: str, *, share_lock: bool = False, enterprise_id: str | None = None
    ) -> StayRef | None:
        """`share_lock` holds off a concurrent change of the stay (its cancellation) until this
        transaction ends, so a booking made now is seen by the cancellation that follows.
        `enterprise_id`: only a stay of that property."""
        statement = select(stay_refs).where(stay_refs.c.stay_id == stay_id)
        if enterprise_id is not None:
            statement = statement.where(stay_refs.c.enterprise_id == enterprise_id)
        if share_lock:
            statement = statement.with_for_update(read=True)
        return _maybe(StayRef, (await self.session.execute(statement)).first())

    # --- bookings ------------------------------------------------------------------------

    async def insert_booking(self, values: Mapping[str, Any]) -> BookingRecord:
        return _record(BookingRecord, await self._insert(bookings, values))

    async def get_booking(
        self, booking_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> BookingRecord | None:
        row = await self._get(
            bookings, bookings.c.id == booking_id, lock=lock, enterprise_ids=enterprise_ids
        )
        return _maybe(BookingRecord, row)

    async def change_booking(self, booking_id: str, changes: Mapping[str, Any]) -> BookingRecord:
        row = await self._change(bookings, bookings.c.id == booking_id, changes)
        return _record(BookingRecord, row)

    async def open_bookings_of_stay(self, stay_id: str) -> list[BookingRecord]:
        statement = (
            select(bookings)
            .where(bookings.c.stay_id == stay_id, bookings.c.state.in_(OPEN_BOOKING_STATES))
            .order_by(bookings.c.id)
            .with_for_update()
        )
        return [_record(BookingRecord, r) for r in await self.session.execute(statement)]

    async def overdue_requested_bookings(self, now: datetime, limit: int) -> list[BookingRecord]:
        """Requested bookings whose time has passed; rows another sweeper holds are skipped."""
        statement = (
            select(bookings)
            .where(bookings.c.state == "requested", bookings.c.scheduled_for < now)
            .order_by(bookings.c.scheduled_for, bookings.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_record(BookingRecord, r) for r in await self.session.execute(statement)]

    async def list_bookings(
        self,
        *,
        enterprise_ids: Sequence[str] | None,
        filters: Mapping[str, Any],
        limit: int,
        offset: int,
    ) -> Page[BookingRecord]:
        statement = _in_enterprises(select(bookings), bookings, enterprise_ids)
        for name, value in filters.items():
            if value is not None:
                statement = statement.where(bookings.c[name] == value)
        rows, total = await self._page(
            statement, [bookings.c.created_at.desc(), bookings.c.id], limit, offset
        )
        return Page([_record(BookingRecord, r) for r in rows], total)

    # --- charges -------------------------------------------------------------------------

    async def insert_charge(self, values: Mapping[str, Any]) -> ChargeRecord:
        return _record(ChargeRecord, await self._insert(charges, values))

    async def get_charge(
        self, charge_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> ChargeRecord | None:
        row = await self._get(
            charges, charges.c.id == charge_id, lock=lock, enterprise_ids=enterprise_ids
        )
        return _maybe(ChargeRecord, row)

    async def charge_ids_of_bookings(self, booking_ids: list[str]) -> dict[str, str]:
        if not booking_ids:
            return {}
        statement = select(charges.c.booking_id, charges.c.id).where(
            charges.c.booking_id.in_(booking_ids)
        )
        return {row.booking_id: row.id for row in await self.session.execute(statement)}

    async def change_charge(self, charge_id: str, changes: Mapping[str, Any]) -> ChargeRecord:
        return _record(
            ChargeRecord, await self._change(charges, charges.c.id == charge_id, changes)
        )

    async def list_charges(
        self,
        *,
        enterprise_ids: Sequence[str] | None,
        filters: Mapping[str, Any],
        limit: int,
        offset: int,
    ) -> Page[ChargeRecord]:
        statement = _in_enterprises(select(charges), charges, enterprise_ids)
        for name, value in filters.items():
            if value is not None:
                statement = statement.where(charges.c[name] == value)
        rows, total = await self._page(
            statement, [charges.c.created_at.desc(), charges.c.id], limit, offset
        )
        return Page([_record(ChargeRecord, r) for r in rows], total)

    async def decide_charge(
        self, charge_id: str, *, from_state: str, changes: Mapping[str, Any]
    ) -> ChargeRecord | None:
        """Apply a manager's decision only while the charge is still in `from_state`: of two
        managers deciding at once, one changes it, the other gets None."""
        key = and_(charges.c.id == charge_id, charges.c.state == from_state)
        statement = (
            update(charges)
            .where(key)
            .values(**changes, version=charges.c.version + 1, updated_at=func.now())
            .returning(charges)
        )
        return _maybe(ChargeRecord, (await self.session.execute(statement)).first())

    async def vendor_total_since(
        self, vendor_id: str, currency: str, since: datetime, *, excluded_states: tuple[str, ...]
    ) -> Decimal:
        """What the vendor charged in `currency` since `since` (for the daily cap)."""
        statement = select(func.coalesce(func.sum(charges.c.amount), 0)).where(
            charges.c.vendor_id == vendor_id,
            charges.c.currency == currency,
            charges.c.created_at >= since,
            charges.c.state.not_in(excluded_states),
        )
        return Decimal((await self.session.execute(statement)).scalar_one())

    async def lock_vendor_charges(self, vendor_id: str) -> None:
        """Serialise the vendor's new charges until this transaction ends, so two charges made
        at once cannot both pass the daily cap. (An advisory lock: the vendor row itself is
        left free for its own changes.)"""
        await self.session.execute(
            select(
                func.pg_advisory_xact_lock(func.hashtextextended("vendor-charges:" + vendor_id, 0))
            )
        )

    # --- billing settings and audit ------------------------------------------------------

    async def get_billing_settings(self, enterprise_id: str) -> BillingSettingsRecord | None:
        row = await self._get(
            billing_settings, billing_settings.c.enterprise_id == enterprise_id, lock=False
        )
        return _maybe(BillingSettingsRecord, row)

    async def put_billing_settings(self, values: Mapping[str, Any]) -> BillingSettingsRecord:
        statement = pg_insert(billing_settings).values(**values)
        excluded = statement.excluded
        upsert = statement.on_conflict_do_update(
            index_elements=["enterprise_id"],
            set_={
                "max_charge_amount": excluded.max_charge_amount,
                "max_daily_amount_per_vendor": excluded.max_daily_amount_per_vendor,
                "checkout_grace_hours": excluded.checkout_grace_hours,
                "updated_by": excluded.updated_by,
                "updated_at": excluded.updated_at,
                "version": billing_settings.c.version + 1,
            },
        ).returning(billing_settings)
        return _record(BillingSettingsRecord, (await self.session.execute(upsert)).one())

    async def add_billing_audit(
        self,
        *,
        enterprise_id: str,
        action: str,
        user_id: str,
        at: datetime,
        charge_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        await self.session.execute(
            insert(billing_audit).values(
                enterprise_id=enterprise_id,
                action=action,
                user_id=user_id,
                at=at,
                charge_id=charge_id,
                detail=detail,
            )
        )

    async def settlement_lines(
        self, vendor_id: str, from_utc: datetime, to_utc: datetime
    ) -> list[ChargeRecord]:
        """Every charge of the vendor posted in [from_utc, to_utc), whatever its state now,
        by posting time."""
        statement = (
            select(charges)
            .where(
                charges.c.vendor_id == vendor_id,
                charges.c.posted_at >= from_utc,
                charges.c.posted_at < to_utc,
            )
            .order_by(charges.c.posted_at, charges.c.id)
        )
        return [_record(ChargeRecord, row) for row in await self.session.execute(statement)]

    async def ledger(
        self,
        enterprise_id: str,
        *,
        from_utc: datetime,
        to_utc: datetime,
        charge_ids: Sequence[str],
        after: str | None,
        limit: int,
    ) -> list[ChargeRecord]:
        """Charges of the property that reached Mews (they have an order): posted in
        [from_utc, to_utc), or the `charge_ids` whenever posted; by id, after `after`."""
        statement = select(charges).where(
            charges.c.enterprise_id == enterprise_id, charges.c.mews_order_id.is_not(None)
        )
        if charge_ids:
            statement = statement.where(charges.c.id.in_(list(charge_ids)))
        else:
            statement = statement.where(
                charges.c.posted_at >= from_utc, charges.c.posted_at < to_utc
            )
        if after is not None:
            statement = statement.where(charges.c.id > after)
        statement = statement.order_by(charges.c.id).limit(limit)
        return [_record(ChargeRecord, row) for row in await self.session.execute(statement)]

    async def offering_service_ids(self, enterprise_id: str) -> list[str]:
        """Every Mews service the property's offerings (active or not) post to."""
        statement = (
            select(offerings.c.mews_service_id)
            .where(offerings.c.enterprise_id == enterprise_id)
            .distinct()
            .order_by(offerings.c.mews_service_id)
        )
        return [row[0] for row in await self.session.execute(statement)]

    async def settlement(
        self, vendor_id: str, from_utc: datetime, to_utc: datetime
    ) -> list[tuple[str, Decimal, int]]:
        """Posted charges of the vendor, posted in [from_utc, to_utc): (currency, sum, count)."""
        statement = (
            select(charges.c.currency, func.sum(charges.c.amount), func.count())
            .where(
                charges.c.vendor_id == vendor_id,
                charges.c.state == "posted",
                charges.c.posted_at >= from_utc,
                charges.c.posted_at < to_utc,
            )
            .group_by(charges.c.currency)
            .order_by(charges.c.currency)
        )
        return [(row[0], row[1], int(row[2])) for row in await self.session.execute(statement)]


class Database:
    """Opens transactions; one per use case."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repository]:
        async with self.sessions() as session, session.begin():
            yield Repository(session)

    async def ping(self) -> bool:
        try:
            async with self.sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

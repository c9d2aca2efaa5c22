"""The statements of bookings and of our copy of the guests service's stays."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    case,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from attendandt.vendors.models import (
    bookings,
    stay_refs,
)
from attendandt.vendors.records import (
    BookingRecord,
    Page,
    StayRef,
)
from attendandt.vendors.rows import Rows, as_record, as_record_or_none, in_enterprises

#: Booking states from which a booking can still change (cancel, expire, ...).
OPEN_BOOKING_STATES = ("requested", "confirmed")


class BookingRows(Rows):
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
        return as_record_or_none(StayRef, (await self.session.execute(statement)).first())

    # --- bookings ------------------------------------------------------------------------

    async def insert_booking(self, values: Mapping[str, Any]) -> BookingRecord:
        return as_record(BookingRecord, await self._insert(bookings, values))

    async def get_booking(
        self, booking_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> BookingRecord | None:
        row = await self._get(
            bookings, bookings.c.id == booking_id, lock=lock, enterprise_ids=enterprise_ids
        )
        return as_record_or_none(BookingRecord, row)

    async def change_booking(self, booking_id: str, changes: Mapping[str, Any]) -> BookingRecord:
        row = await self._change(bookings, bookings.c.id == booking_id, changes)
        return as_record(BookingRecord, row)

    async def open_bookings_of_stay(self, stay_id: str) -> list[BookingRecord]:
        statement = (
            select(bookings)
            .where(bookings.c.stay_id == stay_id, bookings.c.state.in_(OPEN_BOOKING_STATES))
            .order_by(bookings.c.id)
            .with_for_update()
        )
        return [as_record(BookingRecord, r) for r in await self.session.execute(statement)]

    async def overdue_requested_bookings(self, now: datetime, limit: int) -> list[BookingRecord]:
        """Requested bookings whose time has passed; rows another sweeper holds are skipped."""
        statement = (
            select(bookings)
            .where(bookings.c.state == "requested", bookings.c.scheduled_for < now)
            .order_by(bookings.c.scheduled_for, bookings.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [as_record(BookingRecord, r) for r in await self.session.execute(statement)]

    async def list_bookings(
        self,
        *,
        enterprise_ids: Sequence[str] | None,
        filters: Mapping[str, Any],
        limit: int,
        offset: int,
    ) -> Page[BookingRecord]:
        statement = in_enterprises(select(bookings), bookings, enterprise_ids)
        for name, value in filters.items():
            if value is not None:
                statement = statement.where(bookings.c[name] == value)
        rows, total = await self._page(
            statement, [bookings.c.created_at.desc(), bookings.c.id], limit, offset
        )
        return Page([as_record(BookingRecord, r) for r in rows], total)

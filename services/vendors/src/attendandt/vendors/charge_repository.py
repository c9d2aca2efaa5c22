"""The statements of charges, a property's billing settings and audit, a vendor's
settlement and the ledger sync reconciles with Mews."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    and_,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from attendandt.vendors.models import (
    billing_audit,
    billing_settings,
    charges,
    offerings,
)
from attendandt.vendors.records import (
    BillingSettingsRecord,
    ChargeRecord,
    Page,
)
from attendandt.vendors.rows import Rows, as_record, as_record_or_none, in_enterprises


class ChargeRows(Rows):
    # --- charges -------------------------------------------------------------------------

    async def insert_charge(self, values: Mapping[str, Any]) -> ChargeRecord:
        return as_record(ChargeRecord, await self._insert(charges, values))

    async def get_charge(
        self, charge_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> ChargeRecord | None:
        row = await self._get(
            charges, charges.c.id == charge_id, lock=lock, enterprise_ids=enterprise_ids
        )
        return as_record_or_none(ChargeRecord, row)

    async def charge_ids_of_bookings(self, booking_ids: list[str]) -> dict[str, str]:
        if not booking_ids:
            return {}
        statement = select(charges.c.booking_id, charges.c.id).where(
            charges.c.booking_id.in_(booking_ids)
        )
        return {row.booking_id: row.id for row in await self.session.execute(statement)}

    async def change_charge(self, charge_id: str, changes: Mapping[str, Any]) -> ChargeRecord:
        return as_record(
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
        statement = in_enterprises(select(charges), charges, enterprise_ids)
        for name, value in filters.items():
            if value is not None:
                statement = statement.where(charges.c[name] == value)
        rows, total = await self._page(
            statement, [charges.c.created_at.desc(), charges.c.id], limit, offset
        )
        return Page([as_record(ChargeRecord, r) for r in rows], total)

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
        return as_record_or_none(ChargeRecord, (await self.session.execute(statement)).first())

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
        return as_record_or_none(BillingSettingsRecord, row)

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
        return as_record(BillingSettingsRecord, (await self.session.execute(upsert)).one())

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
        return [as_record(ChargeRecord, row) for row in await self.session.execute(statement)]

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
        return [as_record(ChargeRecord, row) for row in await self.session.execute(statement)]

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

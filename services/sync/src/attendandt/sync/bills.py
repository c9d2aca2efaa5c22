"""Stays' bills: what was charged and paid for each stay, read from Mews in batches and
commanded to guests (`UpsertStayBill`), one command per stay whose picture changed.

Mews sends no event for order items or bills (only `PaymentUpdated`), so a stay's bill is
read when its reservation changes while in house or just after it left, when a payment for
it is announced, and on a bounded periodic pass over the same stays: never by sweeping the
whole hotel (nor by an import of months of reservations). One read of up to 1000 stays
costs four calls (product orders linked to them, their order items, their payments, the
bills those are on), plus the hotel's service ids (which `productServiceOrders/getAll`
requires; read again every `services_refresh_s`).

A token Mews refuses these reads to (401/403, or a Mews without one of them) leaves bills
out, said once in the log (`optional_reads`), and sync carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from nats.js import JetStreamContext

from attendandt.contracts.bills import StayBillSnapshot
from attendandt.contracts.commands import UPSERT_STAY_BILL
from attendandt.mews import MewsClient, MewsError, TimeInterval
from attendandt.mews.models import (
    BillsGetAll,
    ConfigurationGet,
    OrderItemsGetAll,
    PaymentsGetAll,
    ProductServiceOrdersGetAll,
    Reservation,
    ReservationsGetAll,
    ServicesGetAll,
)
from attendandt.platform.messaging import publish
from attendandt.sync.bill_mapping import stay_bills, upsert_stay_bill
from attendandt.sync.optional_reads import REFUSALS, OptionalReads

log = logging.getLogger(__name__)

BILLS = "stay bills (payments/getAll, productServiceOrders/getAll, orderItems/getAll)"


class StayBillReader:
    def __init__(
        self,
        client: MewsClient,
        enterprise_id: str,
        js: JetStreamContext,
        optional: OptionalReads,
        *,
        services_refresh_s: float = 900.0,
        departed_days: int = 3,
        remember: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.enterprise_id = enterprise_id
        self.js = js
        self.optional = optional
        self.services_refresh_s = services_refresh_s
        self.departed_days = departed_days
        self._clock = clock
        self._services: list[str] = []
        self._services_read_at: float | None = None
        #: Stay → the command id last stored: an unchanged bill is not commanded again.
        self._stored: OrderedDict[str, str] = OrderedDict()
        self._remember = remember

    async def _service_ids(self) -> list[str]:
        now = self._clock()
        if self._services_read_at is None or now - self._services_read_at >= (
            self.services_refresh_s
        ):
            services = await self.client.get_services(
                ServicesGetAll(enterprise_ids=[self.enterprise_id])
            ).collect()
            self._services = sorted(s.id for s in services)
            self._services_read_at = now
        return self._services

    async def publish(self, reservation_ids: Iterable[str]) -> int:
        """Read the bills of these stays and command those that changed; returns how many
        commands were stored. Raises MewsError when Mews fails (the caller retries)."""
        ids = sorted(set(reservation_ids))
        if not ids or not self.optional.available(BILLS):
            return 0
        try:
            snapshots = await self._read(ids)
        except REFUSALS as exc:
            self.optional.refused(BILLS, self.enterprise_id, exc)
            return 0
        self.optional.answered(BILLS)
        now = datetime.now(UTC)
        stored = 0
        for snapshot in snapshots:
            command = upsert_stay_bill(self.enterprise_id, snapshot, now)
            last = self._stored.get(snapshot.stay_mews_id)
            if last == command.command_id:
                continue
            # The id leaves out when it was read: the same picture is one message.
            await publish(self.js, UPSERT_STAY_BILL, command, msg_id=command.command_id)
            self._remember_stored(snapshot.stay_mews_id, command.command_id)
            stored += 1
        return stored

    def _remember_stored(self, stay: str, command_id: str) -> None:
        self._stored[stay] = command_id
        self._stored.move_to_end(stay)
        while len(self._stored) > self._remember:
            self._stored.popitem(last=False)

    async def _read(self, ids: Sequence[str]) -> list[StayBillSnapshot]:
        services = await self._service_ids()
        linked: dict[str, str] = {}
        if services:
            orders = await self.client.get_product_service_orders(
                ProductServiceOrdersGetAll(service_ids=services, linked_reservation_ids=list(ids))
            ).collect()
            linked = {o.id: o.linked_reservation_id for o in orders if o.linked_reservation_id}
        items, payments = await asyncio.gather(
            self.client.get_order_items(
                OrderItemsGetAll(service_order_ids=[*ids, *sorted(linked)])
            ).collect(),
            self.client.get_payments(PaymentsGetAll(reservation_ids=list(ids))).collect(),
        )
        bill_ids = sorted(
            {i.bill_id for i in items if i.bill_id} | {p.bill_id for p in payments if p.bill_id}
        )
        bills = (
            await self.client.get_bills(BillsGetAll(bill_ids=bill_ids)).collect()
            if bill_ids
            else []
        )
        return stay_bills(ids, linked, items, payments, bills)

    async def payments_pass(self, payment_ids: Sequence[str]) -> tuple[set[str], int]:
        """The stays of these payments (a `PaymentUpdated` webhook): (the payments Mews
        knows, commands stored)."""
        if not self.optional.available(BILLS):
            return set(payment_ids), 0
        try:
            payments = await self.client.get_payments(
                PaymentsGetAll(payment_ids=list(payment_ids))
            ).collect()
        except REFUSALS as exc:
            self.optional.refused(BILLS, self.enterprise_id, exc)
            return set(payment_ids), 0
        stays = {p.reservation_id for p in payments if p.reservation_id}
        return {p.id for p in payments}, await self.publish(stays)

    def worth_reading(self, reservations: Iterable[Reservation]) -> list[str]:
        """Of these changed reservations, those whose bills the periodic pass would read: in
        house, or checked out in the last `departed_days`. A stay booked ahead has nothing
        on its bill yet and one long gone nothing new, so an import of months of
        reservations costs no bill reads (and leaves the rate budget to live changes)."""
        since = datetime.now(UTC) - timedelta(days=self.departed_days)
        return [
            r.id
            for r in reservations
            if r.state == "Started"
            or (
                r.state == "Processed"
                and r.actual_end_utc is not None
                and r.actual_end_utc >= since
            )
        ]

    async def sweep(self) -> int:
        """The bounded periodic pass: stays in house now and those checked out in the last
        `departed_days` (their bills close and get paid after they leave)."""
        config = await self.client.get_configuration(
            ConfigurationGet(enterprise_id=self.enterprise_id)
        )
        now = config.now_utc or datetime.now(UTC)
        in_house = ReservationsGetAll(
            enterprise_ids=[self.enterprise_id],
            colliding_utc=TimeInterval(now - timedelta(days=1), now + timedelta(days=1)),
            states=["Started"],
        )
        departed = ReservationsGetAll(
            enterprise_ids=[self.enterprise_id],
            actual_end_utc=TimeInterval(now - timedelta(days=self.departed_days), now),
            states=["Processed"],
        )
        found = await self.client.get_reservations(in_house).collect()
        found += await self.client.get_reservations(departed).collect()
        return await self.publish(r.id for r in found)

    async def run(self, stop: asyncio.Event, interval_s: float) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)
            if stop.is_set():
                return
            try:
                stored = await self.sweep()
            except (MewsError, OSError, TimeoutError) as exc:
                # Never fatal: the next pass (or a change of the stay) reads it again.
                log.warning("stay bills pass of %s failed: %s", self.enterprise_id, exc)
                continue
            if stored:
                log.info("stay bills of %s: %d changed", self.enterprise_id, stored)

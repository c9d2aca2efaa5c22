"""One pass of changes for one enterprise → Mews fetches → domain commands.

For a batch of ids per entity, the applier makes one getAll per entity (Mews takes up to
1000 ids per call; the client splits longer lists). A pass of reservations also fetches, by
the same reservation ids, their companions (`companionships/getAll`) and notes
(`serviceOrderNotes/getAll`), then the owners and companions it has not commanded yet (so a
stay never points to a guest we do not have) and the rooms it has not seen, then publishes
the commands and waits for JetStream to store them. Only then may the caller ack the change
notifications. A pass of reservations then reads and commands those stays' bills (`bills`),
a pass of payments the bills of the stays they are for. A pass of rooms also names each
room's type (`room_categories`).

Companions, notes and room types are operations a token may not be allowed to use (or a
Mews of another version may not have): when Mews refuses one, sync says so once in its log,
carries on without it, and asks again an hour later (`optional_reads`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from nats.js import JetStreamContext

from attendandt.contracts.base import Subject
from attendandt.contracts.commands import UPSERT_GUEST, UPSERT_ROOM, UPSERT_STAY, Command
from attendandt.contracts.mews import MewsEntity
from attendandt.mews import MewsClient, MewsError
from attendandt.mews.models import (
    ACTIVE_AND_DELETED,
    CompanionshipsGetAll,
    Customer,
    CustomersGetAll,
    Reservation,
    ReservationsGetAll,
    Resource,
    ResourcesGetAll,
    ServiceOrderNote,
    ServiceOrderNotesGetAll,
    ServiceOrderNoteType,
)
from attendandt.platform.messaging import publish
from attendandt.sync.backpressure import CHUNK, Pace
from attendandt.sync.bills import StayBillReader
from attendandt.sync.mapping import (
    Unmappable,
    guest_snapshot,
    room_snapshot,
    stay_snapshot,
    upsert_guest,
    upsert_room,
    upsert_stay,
)
from attendandt.sync.optional_reads import REFUSALS, OptionalReads
from attendandt.sync.room_categories import RoomCategories

C = TypeVar("C", bound=Command)
log = logging.getLogger(__name__)

#: Entities sync turns into domain commands today; the others are acknowledged unapplied.
APPLIED = (
    MewsEntity.CUSTOMER,
    MewsEntity.RESERVATION,
    MewsEntity.RESOURCE,
    MewsEntity.COMPANY,
    MewsEntity.PAYMENT,
)

COMPANIONSHIPS = "companionships/getAll"
NOTES = "serviceOrderNotes/getAll"


@dataclass
class PassResult:
    """Which of the requested ids were applied, and which Mews does not know (any more)."""

    applied: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    unmappable: dict[str, str] = field(default_factory=dict)
    commands: int = 0


class RoomNames:
    """Resource id → name per enterprise; rooms are renamed rarely (a Resource change
    refreshes the entry)."""

    def __init__(self) -> None:
        self._names: dict[str, str | None] = {}

    def known(self, resource_id: str) -> bool:
        return resource_id in self._names

    def get(self, resource_id: str | None) -> str | None:
        return self._names.get(resource_id) if resource_id else None

    def set(self, resource_id: str, name: str | None) -> None:
        self._names[resource_id] = name


class KnownGuests:
    """Customers this process already commanded (bounded, least recently seen dropped).

    A reservation's owner and companions must exist as guests, but once commanded they stay
    (their own changes arrive as customer notifications), so a pass fetches only those it
    has not seen: one Mews call per pass saved, which under the rate limit is latency saved.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._ids: OrderedDict[str, None] = OrderedDict()

    def add(self, ids: Iterable[str]) -> None:
        for customer_id in ids:
            self._ids[customer_id] = None
            self._ids.move_to_end(customer_id)
        while len(self._ids) > self.limit:
            self._ids.popitem(last=False)

    def unknown(self, ids: Iterable[str]) -> list[str]:
        return sorted(i for i in ids if i not in self._ids)


class Applier:
    def __init__(
        self,
        client: MewsClient,
        enterprise_id: str,
        js: JetStreamContext,
        *,
        room_types_refresh_s: float = 900.0,
    ) -> None:
        self.client = client
        self.enterprise_id = enterprise_id
        self.js = js
        self.rooms = RoomNames()
        self.known_guests = KnownGuests()
        self.optional = OptionalReads()
        self.room_categories = RoomCategories(
            client, enterprise_id, self.optional, refresh_s=room_types_refresh_s
        )
        #: Set by a repair run: its commands must not be taken for ones already applied.
        self.command_tag: str | None = None
        self.bills = StayBillReader(
            client, enterprise_id, js, self.optional, services_refresh_s=room_types_refresh_s
        )

    async def apply(self, entity: MewsEntity, ids: Sequence[str]) -> PassResult:
        if entity is MewsEntity.CUSTOMER:
            return await self._customers(ids)
        if entity is MewsEntity.RESERVATION:
            return await self._reservations(ids)
        if entity is MewsEntity.RESOURCE:
            return await self._resources(ids)
        if entity is MewsEntity.COMPANY:
            from attendandt.sync.companies import company_pass  # built on this module

            return await company_pass(self, ids)
        if entity is MewsEntity.PAYMENT:
            return await self._payments(ids)
        return PassResult(applied=set(ids))  # not mapped to the domain (yet): nothing to do

    async def _customers(self, ids: Sequence[str]) -> PassResult:
        customers = await self._fetch_customers(ids)
        result = await self.publish_customers(customers.values())
        result.missing = set(ids) - customers.keys()
        return result

    async def _reservations(self, ids: Sequence[str]) -> PassResult:
        request = ReservationsGetAll(reservation_ids=list(ids))
        reservations = await self.client.get_reservations(request).collect()
        result = await self.publish_reservations(reservations)
        result.missing = set(ids) - {r.id for r in reservations}
        return result

    async def _payments(self, ids: Sequence[str]) -> PassResult:
        """A payment changed: the bills of the stays it is for."""
        found, commands = await self.bills.payments_pass(ids)
        return PassResult(applied=found, missing=set(ids) - found, commands=commands)

    async def _resources(self, ids: Sequence[str]) -> PassResult:
        request = ResourcesGetAll(resource_ids=list(ids))
        resources = await self.client.get_resources(request).collect()
        result = await self.publish_rooms(resources)
        result.missing = set(ids) - {r.id for r in resources}
        return result

    # -- shared by change passes, backfill and the initial import --------------------------

    async def publish_rooms(self, resources: Iterable[Resource]) -> PassResult:
        """Learn the rooms' names (for stays) and command the rooms with their state and
        room type."""
        rooms = list(resources)
        types = await self.room_categories.names([r.id for r in rooms])
        result = PassResult()
        commands = []
        for resource in rooms:
            self.rooms.set(resource.id, resource.name)
            try:
                snapshot = room_snapshot(resource, types.get(resource.id))
                commands.append(upsert_room(self.enterprise_id, snapshot, self.command_tag))
                result.applied.add(resource.id)
            except Unmappable as exc:
                result.unmappable[resource.id] = str(exc)
        result.commands = await self._publish(UPSERT_ROOM, commands)
        return result

    async def publish_customers(
        self, customers: Iterable[Customer], *, pace: Pace | None = None
    ) -> PassResult:
        result = PassResult()
        commands = []
        for customer in customers:
            try:
                snapshot = guest_snapshot(customer)
                commands.append(upsert_guest(self.enterprise_id, snapshot, self.command_tag))
                result.applied.add(customer.id)
            except Unmappable as exc:
                result.unmappable[customer.id] = str(exc)
        result.commands = await self._publish(UPSERT_GUEST, commands, pace)
        self.known_guests.add(result.applied)
        return result

    async def publish_reservations(
        self, reservations: Sequence[Reservation], *, pace: Pace | None = None
    ) -> PassResult:
        """Command the stays of these reservations, with their rooms' names, companions and
        notes; their owners and companions not commanded yet go first (a guest exists
        before, or with, the stay that points to it). A customer that cannot be mapped
        keeps its Mews id on the stay and comes with its own change. With `pace` (an
        import), commands go out in chunks, each after `pace` returns (`backpressure`)."""
        if not reservations:
            return PassResult()
        ids = [r.id for r in reservations]
        _, companions, notes = await asyncio.gather(
            self._learn_rooms(r.assigned_resource_id for r in reservations),
            self._companions(ids),
            self._notes(ids),
        )
        customers = {
            r.account_id
            for r in reservations
            if r.account_id and (r.account_type or "Customer") == "Customer"
        }
        customers.update(c for found in companions.values() for c in found)
        new_customers = self.known_guests.unknown(customers)
        people = await self.publish_customers(
            (await self._fetch_customers(new_customers)).values(), pace=pace
        )
        result = PassResult()
        commands = []
        for reservation in reservations:
            room = self.rooms.get(reservation.assigned_resource_id)
            try:
                snapshot = stay_snapshot(
                    reservation,
                    room,
                    companions=companions.get(reservation.id, ()),
                    notes=notes.get(reservation.id, ()),
                )
                commands.append(upsert_stay(self.enterprise_id, snapshot, self.command_tag))
                result.applied.add(reservation.id)
            except Unmappable as exc:
                result.unmappable[reservation.id] = str(exc)
        result.commands = await self._publish(UPSERT_STAY, commands, pace) + people.commands
        result.commands += await self._stay_bills(
            self.bills.worth_reading(r for r in reservations if r.id in result.applied)
        )
        return result

    async def _stay_bills(self, reservation_ids: Iterable[str]) -> int:
        """The changed stays' bills. A failure here does not fail the stays (already
        stored): the periodic pass, or the stay's next change, reads the bill again."""
        try:
            return await self.bills.publish(reservation_ids)
        except MewsError as exc:
            log.warning("stay bills of %s not read: %s", self.enterprise_id, exc)
            return 0

    async def _companions(self, reservation_ids: list[str]) -> dict[str, list[str]]:
        """Reservation id → its companions' customer ids, in Mews order."""
        if not self.optional.available(COMPANIONSHIPS):
            return {}
        try:
            found = await self.client.get_companionships(
                CompanionshipsGetAll(reservation_ids=reservation_ids)
            ).collect()
        except REFUSALS as exc:
            self.optional.refused(COMPANIONSHIPS, self.enterprise_id, exc)
            return {}
        self.optional.answered(COMPANIONSHIPS)
        by_reservation: dict[str, list[str]] = defaultdict(list)
        for companionship in found:
            if companionship.reservation_id and companionship.customer_id:
                by_reservation[companionship.reservation_id].append(companionship.customer_id)
        return by_reservation

    async def _notes(self, reservation_ids: list[str]) -> dict[str, list[ServiceOrderNote]]:
        """Reservation id → its notes (of every type: Mews leaves special requests out
        unless asked)."""
        if not self.optional.available(NOTES):
            return {}
        request = ServiceOrderNotesGetAll(
            service_order_ids=reservation_ids, types=list(ServiceOrderNoteType.ALL)
        )
        try:
            found = await self.client.get_service_order_notes(request).collect()
        except REFUSALS as exc:
            self.optional.refused(NOTES, self.enterprise_id, exc)
            return {}
        self.optional.answered(NOTES)
        by_reservation: dict[str, list[ServiceOrderNote]] = defaultdict(list)
        for note in found:
            if note.order_id:
                by_reservation[note.order_id].append(note)
        return by_reservation

    async def _learn_rooms(self, resource_ids: Iterable[str | None]) -> None:
        unknown = sorted({r for r in resource_ids if r and not self.rooms.known(r)})
        if unknown:
            await self._resources(unknown)

    async def _fetch_customers(self, ids: Sequence[str]) -> dict[str, Customer]:
        if not ids:
            return {}
        found = await self.client.get_customers(
            CustomersGetAll(customer_ids=list(ids), activity_states=list(ACTIVE_AND_DELETED))
        ).collect()
        return {c.id: c for c in found}

    async def _publish(
        self, subject: Subject[C], commands: Sequence[C], pace: Pace | None = None
    ) -> int:
        """Store every command; the command id doubles as the JetStream message id."""
        size = CHUNK if pace is not None else max(len(commands), 1)
        for start in range(0, len(commands), size):
            if pace is not None:
                await pace()
            await asyncio.gather(
                *(
                    publish(self.js, subject, command, msg_id=command.command_id)
                    for command in commands[start : start + size]
                )
            )
        return len(commands)

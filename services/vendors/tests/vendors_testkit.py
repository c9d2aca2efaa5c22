"""Helpers for the vendors tests: a harness around the running service on real servers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

import asyncpg
import msgspec
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.contracts.base import Payload, RpcMethod, decode
from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import (
    RECORD_CHARGE_CANCELLATION,
    RECORD_CHARGE_RESULT,
    UPSERT_CATALOGUE,
    CancellationMethod,
    RecordChargeCancellation,
    RecordChargeResult,
    UpsertCatalogue,
)
from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.events import STAY_EVENT, StayEvent
from attendandt.contracts.outbound import CancelCharge, PostCharge
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import (
    CatalogueProduct,
    CatalogueService,
    PropertySnapshot,
    StaySnapshot,
    StayState,
    UserRole,
)
from attendandt.platform.messaging import publish
from attendandt.platform.migrations import downgrade, upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.rpc import RpcFailure, call
from attendandt.testing.polling import eventually
from attendandt.vendors.app import VendorsApp
from attendandt.vendors.migrations_set import MIGRATIONS

Resp = TypeVar("Resp", bound=Payload)

#: Portfolio-wide staff (every property), as the gateway describes an admin without one.
MANAGER = Caller(user_id="u-manager", role=UserRole.MANAGER)
FRONT_DESK = Caller(user_id="u-desk", role=UserRole.FRONT_DESK)
ADMIN = Caller(user_id="u-admin", role=UserRole.ADMIN)


def vendor_user(
    vendor_id: str, user_id: str = "u-vendor", enterprise_id: str | None = None
) -> Caller:
    return Caller(
        user_id=user_id,
        role=UserRole.VENDOR,
        vendor_id=vendor_id,
        enterprise_ids=None if enterprise_id is None else (enterprise_id,),
    )


def staff_of(enterprise_id: str, role: UserRole = UserRole.MANAGER) -> Caller:
    """Staff of one property."""
    return Caller(
        user_id=f"u-{role.value}-{enterprise_id}", role=role, enterprise_ids=(enterprise_id,)
    )


async def migrate_as_vendors_role(database_url: str, *, down: bool = False) -> str:
    """Provision the vendors role and schema, migrate (up, or `down` to base) as that role
    (which has no right outside its schema); returns its URL."""
    await provision(database_url, schema="vendors", role="vendors", password=None)
    url = role_url(database_url, "vendors")
    migrate = downgrade if down else upgrade
    await migrate(url, MIGRATIONS.script_location, "vendors")
    return url


class FakeClock:
    """The service's clock; tests move it forward."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


wait_for = partial(eventually, timeout=10.0)

#: The hotel's catalogue every harness starts with: a Spa (Additional) with a massage and a
#: sauna, a restaurant that Mews deactivated, and the stays (Bookable).
SPA = CatalogueService(mews_id="svc-spa", name="Spa", kind="additional", is_active=True)
CATALOGUE_SERVICES = (
    SPA,
    CatalogueService(mews_id="svc-stay", name="Accommodation", kind="bookable", is_active=True),
    CatalogueService(mews_id="svc-old", name="Old restaurant", kind="additional", is_active=False),
    CatalogueService(
        mews_id="svc-boats", name="Boat trips", kind="additional", is_active=True, ordering=5
    ),
)
CATALOGUE_PRODUCTS = (
    CatalogueProduct(
        mews_id="prod-massage", service_mews_id="svc-spa", name="Massage 60 min", is_active=True,
        unit_amount=Decimal("80.00"), currency="EUR", accounting_category_mews_id="acc-wellness",
    ),
    CatalogueProduct(
        mews_id="prod-sauna", service_mews_id="svc-spa", name="Sauna access", is_active=True,
        unit_amount=Decimal("20.00"), currency="EUR", accounting_category_mews_id="acc-wellness",
    ),
    CatalogueProduct(
        mews_id="prod-gone", service_mews_id="svc-spa", name="Mud bath", is_active=False,
    ),
    CatalogueProduct(
        mews_id="prod-breakfast", service_mews_id="svc-stay", name="Breakfast", is_active=True,
    ),
)  # fmt: skip


@dataclass
class Stored:
    subject: str
    data: bytes
    headers: dict[str, str]


async def stream_messages(js: JetStreamContext, stream: str) -> list[Stored]:
    """Every message stored in `stream`, read without consuming it."""
    info = await js.stream_info(stream)
    if not info.state.messages:
        return []
    found: list[Stored] = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg(stream, seq)
        except NotFoundError:
            continue
        found.append(Stored(msg.subject or "", msg.data or b"", dict(msg.headers or {})))
    return found


@dataclass
class Harness:
    app: VendorsApp
    nc: NatsClient
    js: JetStreamContext
    clock: FakeClock
    admin_url: str
    enterprise_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _stay_versions: dict[str, datetime] = field(default_factory=dict)

    # --- RPC -----------------------------------------------------------------------------

    async def call(self, method: RpcMethod[Any, Resp], request: Payload, caller: Caller) -> Resp:
        return await call(self.nc, method, request, timeout=5.0, caller=caller)

    async def fails(self, method: RpcMethod[Any, Any], request: Payload, caller: Caller) -> int:
        """Call, expecting an error; returns its status."""
        try:
            await self.call(method, request, caller)
        except RpcFailure as failure:
            return failure.error.status
        raise AssertionError(f"{method.subject} succeeded")

    def manager(self, user_id: str = "u-manager", enterprise_id: str | None = None) -> Caller:
        """A manager of this harness's property (or of `enterprise_id`), as the gateway
        would put it in the Attendandt-Caller header."""
        return Caller(
            user_id=user_id,
            role=UserRole.MANAGER,
            permissions=(
                rpc.APPROVE_CHARGES_PERMISSION,
                rpc.BILLING_SETTINGS_PERMISSION,
                rpc.CANCEL_CHARGES_PERMISSION,
            ),
            enterprise_ids=(enterprise_id or self.enterprise_id,),
        )

    async def call_as(self, caller: Caller, method: RpcMethod[Any, Resp], request: Payload) -> Resp:
        return await call(self.nc, method, request, timeout=5.0, caller=caller)

    async def fails_as(
        self, caller: Caller | None, method: RpcMethod[Any, Any], request: Payload
    ) -> RpcFailure:
        """Call for `caller`, expecting an error; returns it."""
        try:
            await call(self.nc, method, request, timeout=5.0, caller=caller)
        except RpcFailure as failure:
            return failure
        raise AssertionError(f"{method.subject} succeeded")

    async def raw_call(
        self, subject: str, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        reply = await self.nc.request(subject, body, timeout=5.0, headers=headers)
        return int((reply.headers or {}).get("Attendandt-Rpc-Status", "200")), reply.data

    # --- building blocks -----------------------------------------------------------------

    async def vendor(self, name: str = "Lagoon Spa", category: str = "spa") -> rpc.VendorView:
        response = await self.call(
            rpc.CREATE_VENDOR,
            rpc.CreateVendorRequest(
                enterprise_id=self.enterprise_id,
                name=name,
                category=category,
                contact_email="desk@spa.example",
            ),
            caller=MANAGER,
        )
        return response.vendor

    async def offering(
        self,
        vendor_id: str,
        *,
        name: str = "Massage 60 min",
        price: str = "85.50",
        currency: str = "EUR",
        actor: Caller = MANAGER,
    ) -> rpc.OfferingView:
        response = await self.call(
            rpc.CREATE_OFFERING,
            rpc.CreateOfferingRequest(
                vendor_id=vendor_id,
                name=name,
                unit_price=Decimal(price),
                currency=currency,
                tax_codes=("AT-S",),
                amount_is_gross=True,
                mews_service_id="svc-spa",
                mews_product_id="prod-massage",
                accounting_category_id="acc-wellness",
            ),
            caller=actor,
        )
        return response.offering

    async def catalogue(
        self,
        enterprise_id: str | None = None,
        *,
        currency: str = "EUR",
        services: tuple[CatalogueService, ...] = CATALOGUE_SERVICES,
        products: tuple[CatalogueProduct, ...] = CATALOGUE_PRODUCTS,
        updated: datetime | None = None,
        wait: bool = True,
    ) -> UpsertCatalogue:
        """Publish the hotel's catalogue as sync would; waits until vendors took it."""
        enterprise_id = enterprise_id or self.enterprise_id
        prop = PropertySnapshot(
            enterprise_id=enterprise_id, name=f"Hotel {enterprise_id[:8]}",
            time_zone="Europe/Vienna", default_currency=currency, currencies=(currency,),
            pricing="gross",
        )  # fmt: skip
        command = UpsertCatalogue(
            command_id="", enterprise_id=enterprise_id, issued_at=datetime.now(UTC),
            property=prop, services=services, products=products,
            mews_updated_utc=updated or datetime(2026, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        command = msgspec.structs.replace(
            command, command_id=f"catalogue:{enterprise_id}:{uuid.uuid4()}"
        )
        await publish(self.js, UPSERT_CATALOGUE, command, msg_id=command.command_id)
        if wait:
            await self.processed("vendors-upsert-catalogue", command.command_id)
        return command

    async def stay(
        self,
        stay_id: str,
        *,
        guest_ids: tuple[str, ...] = ("g-1",),
        state: StayState = StayState.CONFIRMED,
        event: str = "created",
        updated: datetime | None = None,
        owner: str | None = "cust-owner",
        wait: bool = True,
    ) -> str:
        """Publish a StayEvent as the guests service would; returns its message id."""
        if updated is None:
            previous = self._stay_versions.get(stay_id, datetime(2026, 1, 1, tzinfo=UTC))
            updated = previous + timedelta(minutes=1)
        self._stay_versions[stay_id] = max(updated, self._stay_versions.get(stay_id, updated))
        snapshot = StaySnapshot(
            mews_id=f"res-{stay_id}",
            mews_updated_utc=updated,
            state=state,
            mews_state=state.value.title(),
            scheduled_start_utc=self.clock.now - timedelta(days=1),
            scheduled_end_utc=self.clock.now + timedelta(days=3),
            owner_mews_id=owner,
        )
        msg_id = f"stay:{stay_id}:{updated.isoformat()}:{event}"
        await publish(
            self.js,
            STAY_EVENT,
            StayEvent(
                event_id=msg_id,
                enterprise_id=self.enterprise_id,
                occurred_at=self.clock.now,
                event=event,
                stay_id=stay_id,
                stay=snapshot,
                guest_ids=guest_ids,
            ),
            msg_id=msg_id,
            enterprise=self.enterprise_id,
            event=event,
        )
        if wait:
            await self.processed("vendors-stay-events", msg_id)
        return msg_id

    async def booking(
        self,
        offering_id: str,
        *,
        stay_id: str = "s-1",
        guest_id: str = "g-1",
        actor: Caller = FRONT_DESK,
        scheduled_for: datetime | None = None,
        quantity: int = 1,
    ) -> rpc.BookingView:
        response = await self.call(
            rpc.CREATE_BOOKING,
            rpc.CreateBookingRequest(
                offering_id=offering_id,
                guest_id=guest_id,
                stay_id=stay_id,
                quantity=quantity,
                scheduled_for=scheduled_for or self.clock.now + timedelta(hours=3),
                notes="window seat",
            ),
            caller=actor,
        )
        return response.booking

    async def charge_result(
        self,
        charge_id: str,
        *,
        posted: bool,
        order_id: str | None = None,
        reason: str | None = None,
        command_id: str | None = None,
        msg_id: str | None = None,
        permanent: bool = False,
    ) -> str:
        """Answer as the mews-publisher would; returns the command id."""
        command_id = command_id or f"result:{uuid.uuid4()}"
        await publish(
            self.js,
            RECORD_CHARGE_RESULT,
            RecordChargeResult(
                command_id=command_id,
                enterprise_id=self.enterprise_id,
                issued_at=self.clock.now,
                charge_id=charge_id,
                posted=posted,
                mews_order_id=order_id,
                failure_reason=reason,
                permanent=permanent,
            ),
            msg_id=msg_id or command_id,
        )
        return command_id

    async def cancellation_result(
        self,
        charge_id: str,
        *,
        cancelled: bool,
        method: CancellationMethod | None = None,
        reason: str | None = None,
        permanent: bool = False,
        command_id: str | None = None,
    ) -> str:
        """Answer a CancelCharge as the mews-publisher would; waits until vendors took it."""
        command_id = command_id or f"cancellation:{uuid.uuid4()}"
        await publish(
            self.js,
            RECORD_CHARGE_CANCELLATION,
            RecordChargeCancellation(
                command_id=command_id,
                enterprise_id=self.enterprise_id,
                issued_at=self.clock.now,
                charge_id=charge_id,
                cancelled=cancelled,
                method=method,
                order_item_ids=("item-1",) if cancelled else (),
                failure_reason=reason,
                permanent=permanent,
            ),
            msg_id=command_id,
        )
        await self.processed("vendors-record-charge-cancellation", command_id)
        return command_id

    # --- observing -----------------------------------------------------------------------

    async def sql(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.admin_url)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def execute(self, statements: str) -> None:
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(statements)
        finally:
            await conn.close()

    async def processed(self, consumer: str, message_id: str) -> None:
        async def done() -> bool:
            rows = await self.sql(
                "select 1 from vendors.inbox where consumer = $1 and message_id = $2",
                consumer,
                message_id,
            )
            return bool(rows)

        await wait_for(done, what=f"{consumer} to process {message_id}")

    async def events(self, aggregate: str | None = None) -> list[tuple[str, str]]:
        """(aggregate, event) of every vendors event of this property, in publish order."""
        found = []
        for msg in await stream_messages(self.js, "ATTENDANDT_EVENTS"):
            _, _, enterprise, kind, event = msg.subject.split(".")
            if enterprise != self.enterprise_id or kind == "stay":
                continue
            if aggregate is None or kind == aggregate:
                found.append((kind, event))
        return found

    async def event_bodies(self, aggregate: str, payload_type: type[Resp]) -> list[Resp]:
        return [
            decode(msg.data, payload_type)
            for msg in await stream_messages(self.js, "ATTENDANDT_EVENTS")
            if msg.subject.startswith(f"attendandt.v1.{self.enterprise_id}.{aggregate}.")
        ]

    async def wait_events(
        self, expected: list[tuple[str, str]], aggregate: str | None = None
    ) -> None:
        async def seen() -> bool:
            return await self.events(aggregate) == expected

        try:
            await wait_for(seen, what=f"events {expected}")
        except AssertionError:
            raise AssertionError(f"events {await self.events(aggregate)} != {expected}") from None

    async def post_charges(self) -> list[PostCharge]:
        return [
            decode(msg.data, PostCharge)
            for msg in await stream_messages(self.js, "MEWS_OUTBOX")
            if msg.subject == f"mews.v1.{self.enterprise_id}.outbound.post_charge"
        ]

    async def wait_post_charges(self, count: int) -> list[PostCharge]:
        async def enough() -> list[PostCharge] | None:
            found = await self.post_charges()
            return found if len(found) >= count else None

        result: list[PostCharge] = await wait_for(enough, what=f"{count} PostCharge")
        return result

    async def cancel_charges(self) -> list[CancelCharge]:
        return [
            decode(msg.data, CancelCharge)
            for msg in await stream_messages(self.js, "MEWS_OUTBOX")
            if msg.subject == f"mews.v1.{self.enterprise_id}.outbound.cancel_charge"
        ]

    async def wait_cancel_charges(self, count: int) -> list[CancelCharge]:
        async def enough() -> list[CancelCharge] | None:
            found = await self.cancel_charges()
            return found if len(found) >= count else None

        result: list[CancelCharge] = await wait_for(enough, what=f"{count} CancelCharge")
        return result

    async def dead_letters(self, consumer: str) -> list[DeadLetter]:
        return [
            msgspec.json.decode(msg.data, type=DeadLetter)
            for msg in await stream_messages(self.js, "DEAD_LETTERS")
            if msg.subject == f"deadletter.v1.vendors.{consumer}"
        ]

    async def charge(self, charge_id: str) -> rpc.ChargeView:
        response = await self.call(
            rpc.GET_CHARGE, rpc.GetChargeRequest(charge_id=charge_id), caller=MANAGER
        )
        return response.charge

    async def charge_in_state(self, charge_id: str, state: str) -> rpc.ChargeView:
        async def check() -> rpc.ChargeView | None:
            charge = await self.charge(charge_id)
            return charge if charge.state == state else None

        result: rpc.ChargeView = await wait_for(check, what=f"charge {charge_id} {state}")
        return result

    async def outbox_rows(self) -> int:
        rows = await self.sql("select count(*) as n from vendors.outbox")
        return int(rows[0]["n"])

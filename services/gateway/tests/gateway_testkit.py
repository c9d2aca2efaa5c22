"""Helpers for the gateway tests: small stand-ins for the domain services answering on the
real rpc subjects (real NATS request-reply), the gateway served by uvicorn on a free port,
and tokens for every role."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import uvicorn
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.bills import EXAMPLE_BILL
from attendandt.contracts.caller import CALLER_HEADER, Caller, decode_caller
from attendandt.contracts.commands import UPSERT_CATALOGUE, UpsertCatalogue
from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.contracts.rpc import ingest as ingest_rpc
from attendandt.contracts.rpc import privacy as privacy_rpc
from attendandt.contracts.rpc import users as users_rpc
from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.contracts.rpc.users import Principal
from attendandt.contracts.snapshots import (
    BookingState,
    CatalogueProduct,
    CatalogueService,
    ChargeState,
    PropertySnapshot,
    StayState,
    UserRole,
)
from attendandt.gateway.app import GatewayApp
from attendandt.gateway.settings import GatewaySettings, RateLimits, Window
from attendandt.platform.messaging import publish
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.rpc import Conflict, NotFound, ServiceError, answer, answer_for_caller
from attendandt.platform.settings import NatsSettings
from attendandt.testing.processes import free_port

ENT = "8a1f3b0e-1c2d-4e5f-9a8b-7c6d5e4f3a2b"
OTHER_ENT = "00000000-0000-0000-0000-00000000beef"
NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
SIGNING_KEY = "test-signing-key-" + "k" * 32
VENDOR_ID = "v-1"
OTHER_VENDOR_ID = "v-2"

PRINCIPALS: dict[UserRole, Principal] = {
    UserRole.ADMIN: Principal(
        user_id="u-admin", email="admin@hotel.example", name="Ada", role=UserRole.ADMIN,
        enterprise_id=ENT,
    ),
    UserRole.MANAGER: Principal(
        user_id="u-manager", email="manager@hotel.example", name="Max", role=UserRole.MANAGER,
        enterprise_id=ENT,
    ),
    UserRole.FRONT_DESK: Principal(
        user_id="u-desk", email="desk@hotel.example", name="Fay", role=UserRole.FRONT_DESK,
        enterprise_id=ENT,
    ),
    UserRole.VENDOR: Principal(
        user_id="u-vendor", email="spa@vendor.example", name="Spa", role=UserRole.VENDOR,
        vendor_id=VENDOR_ID, enterprise_id=ENT,
    ),
}  # fmt: skip
OTHER_VENDOR_USER = Principal(
    user_id="u-vendor-2", email="gym@vendor.example", name="Gym", role=UserRole.VENDOR,
    vendor_id=OTHER_VENDOR_ID, enterprise_id=ENT,
)  # fmt: skip


#: Limits no test meets by accident (tests of the limits set their own).
UNLIMITED = RateLimits(
    api_per_minute=100_000,
    login_per_minute=100_000,
    login_per_account=Window(100_000),
    refresh_per_minute=100_000,
    logout_per_minute=100_000,
    set_password_per_minute=100_000,
    lockout_after=100_000,
)


def gateway_settings(nats_url: str, **overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "signing_key": SIGNING_KEY,
        "nats": NatsSettings(url=nats_url),
        "rpc_timeout_s": 2.0,
        "rate_limits": UNLIMITED,
        "web_dist": None,
        "principal_cache_s": 0.0,
        "sse_keepalive_s": 0.5,
    }
    values.update(overrides)
    return GatewaySettings(**values)


# --- canned domain objects ---------------------------------------------------------------------

GUEST = guests_rpc.GuestView(
    guest_id="g-1", enterprise_id=ENT, mews_id="m-g-1", mews_updated_utc=NOW, synced_at=NOW,
    first_name="Ada", last_name="Lovelace", email="ada@example.com", phone="+420 600 000 001",
    notes="allergic to nuts", birth_date=date(1815, 12, 10), company_mews_id="c-1",
)  # fmt: skip
STAY = guests_rpc.StayView(
    stay_id="s-1", enterprise_id=ENT, mews_id="m-s-1", mews_updated_utc=NOW, synced_at=NOW,
    number="52", state=StayState.STARTED, mews_state="Started", scheduled_start_utc=NOW,
    scheduled_end_utc=NOW, resource_name="101", company_mews_id="c-1",
    guests=(guests_rpc.StayGuestView(customer_mews_id="m-g-1", role="owner", guest_id="g-1",
                                     first_name="Ada", last_name="Lovelace"),),
)  # fmt: skip


def vendor_view(vendor_id: str = VENDOR_ID) -> vendors_rpc.VendorView:
    return vendors_rpc.VendorView(
        vendor_id=vendor_id, enterprise_id=ENT, name="Lagoon Spa", category="spa",
        is_active=True, version=1, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def offering_view(vendor_id: str = VENDOR_ID) -> vendors_rpc.OfferingView:
    return vendors_rpc.OfferingView(
        offering_id="o-1", vendor_id=vendor_id, enterprise_id=ENT, name="Massage",
        unit_price=Decimal("85.50"), currency="EUR", amount_is_gross=True,
        mews_service_id="svc-1", is_active=True, version=1, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def booking_view(vendor_id: str = VENDOR_ID, booking_id: str = "b-1") -> vendors_rpc.BookingView:
    return vendors_rpc.BookingView(
        booking_id=booking_id, enterprise_id=ENT, vendor_id=vendor_id, offering_id="o-1",
        guest_id="g-1", stay_id="s-1", quantity=1, state=BookingState.REQUESTED,
        unit_price=Decimal("85.50"), currency="EUR", created_by="u-desk", version=1,
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def charge_view(vendor_id: str = VENDOR_ID) -> vendors_rpc.ChargeView:
    return vendors_rpc.ChargeView(
        charge_id="c-1", enterprise_id=ENT, vendor_id=vendor_id, offering_id="o-1",
        guest_id="g-1", stay_id="s-1", description="Massage", quantity=1,
        unit_amount=Decimal("85.50"), currency="EUR", amount=Decimal("85.50"),
        state=ChargeState.FAILED, reference="attendandt:charge:c-1", attempts=1,
        created_by="u-desk", version=1, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def user_view(user_id: str = "u-desk") -> users_rpc.UserView:
    return users_rpc.UserView(
        user_id=user_id, email="desk@hotel.example", name="Fay", role=UserRole.FRONT_DESK,
        enterprise_id=ENT, is_active=True, has_password=True, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


Handler = Callable[[Any, Caller | None], Awaitable[Payload]]
Override = Callable[[Any], Awaitable[Payload]]

#: Methods answered without a caller, like the real services: sign-in and what precedes it
#: (principals, refresh tokens, a password set with a token), and the guests and ingest
#: methods (which read the caller once their services are moved to it; the header is sent).
PRE_AUTH = frozenset(
    m.subject
    for m in (
        users_rpc.AUTHENTICATE, users_rpc.GET_PRINCIPAL, users_rpc.GET_PRINCIPAL_BY_SUBJECT,
        users_rpc.ISSUE_REFRESH_TOKEN, users_rpc.ROTATE_REFRESH_TOKEN,
        users_rpc.REVOKE_REFRESH_TOKEN, users_rpc.SET_PASSWORD,
    )
)  # fmt: skip


@dataclass
class FakeServices:
    """The domain services as NATS responders with canned answers.

    Objects belong to vendor `v-1` unless their id ends in `-2` (vendor `v-2`); like the real
    vendors service, a vendor user asking for another vendor's object gets 404. Like the real
    services, a method made for a caller refuses a call without one (401); `callers` records
    the caller (None: no header) of every call, by subject.
    """

    nc: NatsClient
    principals: dict[str, Principal] = field(default_factory=dict)
    subjects: dict[str, Principal] = field(default_factory=dict)
    calls: list[tuple[str, Payload]] = field(default_factory=list)
    callers: list[tuple[str, Caller | None]] = field(default_factory=list)
    overrides: dict[str, Override] = field(default_factory=dict)
    _subs: list[Subscription] = field(default_factory=list)

    async def start(self, methods: tuple[RpcMethod[Any, Any], ...] | None = None) -> None:
        for principal in [*PRINCIPALS.values(), OTHER_VENDOR_USER]:
            self.principals[principal.user_id] = principal
        handlers = self._handlers()
        for method in methods or tuple(all_methods()):
            handler = handlers.get(method.subject)
            if handler is None:
                continue
            self._subs.append(
                await self.nc.subscribe(method.subject, cb=self._responder(method, handler))
            )
        await self.nc.flush()

    async def stop(self) -> None:
        for sub in self._subs:
            await sub.unsubscribe()
        self._subs.clear()

    def _responder(
        self, method: RpcMethod[Any, Any], handler: Handler
    ) -> Callable[[Msg], Awaitable[None]]:
        async def respond(msg: Msg) -> None:
            raw = (msg.headers or {}).get(CALLER_HEADER)
            self.callers.append((method.subject, decode_caller(raw) if raw else None))

            async def run(request: Any, caller: Caller | None = None) -> Payload:
                self.calls.append((method.method, request))
                override = self.overrides.get(method.method)
                if override is not None:
                    return await override(request)
                return await handler(request, caller)

            if method.subject in PRE_AUTH or method is guests_rpc.MEWS_VERSIONS:
                body, headers = await answer(method, msg.data, run)
            else:
                body, headers = await answer_for_caller(method, msg.data, msg.headers, run)
            await self.nc.publish(msg.reply, body, headers=headers)

        return respond

    # -- canned behaviour -----------------------------------------------------------------

    def _handlers(self) -> dict[str, Handler]:
        u, v, g = users_rpc, vendors_rpc, guests_rpc

        async def principal(request: Any, caller: Caller | None) -> Payload:
            found = self.principals.get(request.user_id)
            if found is None:
                raise Unauthorized("unknown user")
            return u.PrincipalResponse(principal=found)

        async def by_subject(request: Any, caller: Caller | None) -> Payload:
            found = self.subjects.get(request.subject)
            if found is None:
                raise Unauthorized("unknown subject")
            return u.PrincipalResponse(principal=found)

        async def authenticate(request: Any, caller: Caller | None) -> Payload:
            if request.password != "correct horse battery":
                raise Unauthorized("invalid email or password")
            return u.PrincipalResponse(principal=PRINCIPALS[UserRole.FRONT_DESK])

        async def refresh_token(_: Any, caller: Caller | None) -> Payload:
            return u.RefreshTokenResponse(refresh_token="rt-1", expires_at=NOW)

        async def rotate(request: Any, caller: Caller | None) -> Payload:
            if request.refresh_token != "rt-1":
                raise Unauthorized("invalid refresh token")
            return u.RotatedRefreshTokenResponse(
                refresh_token="rt-2", expires_at=NOW, principal=PRINCIPALS[UserRole.FRONT_DESK]
            )

        async def revoke(_: Any, caller: Caller | None) -> Payload:
            return u.RevokeRefreshTokenResponse(revoked=True)

        async def one_user(request: Any, caller: Caller | None) -> Payload:
            return u.UserResponse(user=user_view(getattr(request, "user_id", None) or "u-desk"))

        async def invite(_: Any, caller: Caller | None) -> Payload:
            return u.InviteUserResponse(
                user=user_view("u-new"), set_password_token="spt", token_expires_at=NOW
            )

        async def password_token(request: Any, caller: Caller | None) -> Payload:
            return u.SetPasswordTokenResponse(
                user_id=request.user_id, set_password_token="spt", token_expires_at=NOW
            )

        async def users_page(_: Any, caller: Caller | None) -> Payload:
            return u.UserPage(users=(user_view(),), total=1, limit=50, offset=0)

        def owner_of(object_id: str) -> str:
            return OTHER_VENDOR_ID if object_id.endswith("-2") else VENDOR_ID

        def visible(caller: Caller | None, object_id: str) -> str:
            vendor = owner_of(object_id)
            assert caller is not None  # answer_for_caller refused a call without one
            if caller.role is UserRole.VENDOR and caller.vendor_id != vendor:
                raise NotFound(f"{object_id} not found")
            return vendor

        async def one_vendor(request: Any, caller: Caller | None) -> Payload:
            vendor_id = getattr(request, "vendor_id", VENDOR_ID)
            return v.VendorResponse(vendor=vendor_view(visible(caller, vendor_id)))

        async def vendor_page(_: Any, caller: Caller | None) -> Payload:
            return v.VendorPage(items=(vendor_view(),), total=1)

        async def one_offering(request: Any, caller: Caller | None) -> Payload:
            object_id = getattr(request, "offering_id", None) or request.vendor_id
            return v.OfferingResponse(offering=offering_view(visible(caller, object_id)))

        async def offering_page(request: Any, caller: Caller | None) -> Payload:
            return v.OfferingPage(items=(offering_view(visible(caller, request.vendor_id)),),
                                  total=1)  # fmt: skip

        async def one_booking(request: Any, caller: Caller | None) -> Payload:
            object_id = getattr(request, "booking_id", "b-1")
            vendor = visible(caller, object_id)
            return v.BookingResponse(booking=booking_view(vendor, object_id))

        async def fulfil(request: Any, caller: Caller | None) -> Payload:
            vendor = visible(caller, request.booking_id)
            return v.FulfilBookingResponse(
                booking=booking_view(vendor, request.booking_id), charge=charge_view(vendor)
            )

        async def booking_page(_: Any, caller: Caller | None) -> Payload:
            return v.BookingPage(items=(booking_view(),), total=1)

        async def one_charge(request: Any, caller: Caller | None) -> Payload:
            object_id = getattr(request, "charge_id", "c-1")
            return v.ChargeResponse(charge=charge_view(visible(caller, object_id)))

        async def charge_page(_: Any, caller: Caller | None) -> Payload:
            return v.ChargePage(items=(charge_view(),), total=1)

        async def settlement(request: Any, caller: Caller | None) -> Payload:
            visible(caller, request.vendor_id)
            return v.SettlementResponse(
                vendor_id=request.vendor_id, from_utc=request.from_utc, to_utc=request.to_utc,
                totals=(v.CurrencyTotal(currency="EUR", amount=Decimal("85.50"), charges=1),),
            )  # fmt: skip

        async def search(_: Any, caller: Caller | None) -> Payload:
            return g.GuestPage(items=(GUEST,))

        async def detail(_: Any, caller: Caller | None) -> Payload:
            return g.GuestDetail(guest=GUEST, stays=(STAY,))

        async def stay(_: Any, caller: Caller | None) -> Payload:
            return g.StayDetail(stay=STAY)

        async def day(_: Any, caller: Caller | None) -> Payload:
            return g.StayPage(items=(STAY,), window_start_utc=NOW, window_end_utc=NOW)

        async def edit(request: Any, caller: Caller | None) -> Payload:
            return g.GuestEditReply(
                edit=g.GuestEditView(
                    edit_id="e-1", guest_id=GUEST.guest_id, author_user_id="u-desk",
                    created_at=NOW, base_version=NOW, state="saving",
                    fields=(g.EditFieldView(field="phone", value="+44 1", state="saving"),),
                ),
                sync_state="saving",
            )  # fmt: skip

        async def rules(request: Any, caller: Caller | None) -> Payload:
            return g.EditRules(enterprise_id=request.enterprise_id, rules=())

        async def stay_bill(request: Any, caller: Caller | None) -> Payload:
            return g.StayBillReply(
                enterprise_id=request.enterprise_id, stay_id=request.stay_id,
                stay_mews_id=STAY.mews_id, currency="GBP", bill=EXAMPLE_BILL, synced_at=NOW,
            )  # fmt: skip

        async def note(request: Any, caller: Caller | None) -> Payload:
            return g.StayNoteWriteReply(
                write=g.StayNoteWriteView(
                    write_id="w-1", note_mews_id=request.note_mews_id, text=request.text,
                    base_text=request.base_text, author_user_id="u-desk", created_at=NOW,
                    state="saving",
                )
            )  # fmt: skip

        async def sweep(request: Any, caller: Caller | None) -> Payload:
            return ingest_rpc.SweepResponse(enterprise_id=request.enterprise_id, entities=())

        def resync_job(enterprise_id: str, state: str) -> Payload:
            return ingest_rpc.ResyncJob(
                job_id=f"job-{enterprise_id}", enterprise_id=enterprise_id, state=state,
                oldest_allowed=NOW, entities=("customer",),
            )  # fmt: skip

        async def start_resync(request: Any, caller: Caller | None) -> Payload:
            return resync_job(request.enterprise_id, "running")

        async def cancel_resync(request: Any, caller: Caller | None) -> Payload:
            return resync_job(request.enterprise_id, "cancelled")

        by_method: dict[RpcMethod[Any, Any], Handler] = {
            u.GET_PRINCIPAL: principal, u.GET_PRINCIPAL_BY_SUBJECT: by_subject,
            u.AUTHENTICATE: authenticate, u.ISSUE_REFRESH_TOKEN: refresh_token,
            u.ROTATE_REFRESH_TOKEN: rotate, u.REVOKE_REFRESH_TOKEN: revoke,
            u.INVITE_USER: invite, u.SET_PASSWORD: one_user,
            u.ISSUE_SET_PASSWORD_TOKEN: password_token, u.CHANGE_ROLE: one_user,
            u.DEACTIVATE_USER: one_user, u.LINK_SUBJECT: one_user, u.GET_USER: one_user,
            u.LIST_USERS: users_page,
            v.CREATE_VENDOR: one_vendor, v.UPDATE_VENDOR: one_vendor,
            v.DEACTIVATE_VENDOR: one_vendor, v.GET_VENDOR: one_vendor,
            v.LIST_VENDORS: vendor_page, v.CREATE_OFFERING: one_offering,
            v.UPDATE_OFFERING: one_offering, v.DEACTIVATE_OFFERING: one_offering,
            v.GET_OFFERING: one_offering, v.LIST_OFFERINGS: offering_page,
            v.CREATE_BOOKING: one_booking, v.CONFIRM_BOOKING: one_booking,
            v.DECLINE_BOOKING: one_booking, v.FULFIL_BOOKING: fulfil,
            v.CANCEL_BOOKING: one_booking, v.GET_BOOKING: one_booking,
            v.LIST_BOOKINGS: booking_page, v.CREATE_CHARGE: one_charge,
            v.GET_CHARGE: one_charge, v.RETRY_CHARGE: one_charge, v.LIST_CHARGES: charge_page,
            v.SETTLEMENT: settlement,
            g.SEARCH: search, g.GET_GUEST: detail, g.GET_STAY: stay, g.ARRIVALS: day,
            g.DEPARTURES: day, g.IN_HOUSE: day, g.EDIT_GUEST: edit, g.RESOLVE_CONFLICTS: edit,
            g.GET_EDIT_RULES: rules, g.SET_EDIT_RULES: rules, g.STAY_BILL: stay_bill,
            g.WRITE_STAY_NOTE: note,
            ingest_rpc.SWEEP: sweep, ingest_rpc.START_RESYNC: start_resync,
            ingest_rpc.CANCEL_RESYNC: cancel_resync,
            v.APPROVE_CHARGE: _decide_charge, v.REJECT_CHARGE: _decide_charge,
            v.CANCEL_CHARGE: _cancel_charge,
            v.GET_BILLING_SETTINGS: _billing_settings, v.UPDATE_BILLING_SETTINGS: _billing_settings,
            g.LIST_PROPERTIES: _properties, v.GET_CATALOGUE: _catalogue,
            v.LIST_MEWS_COMPANIES: _mews_companies,
            privacy_rpc.REQUEST_ERASURE: _erasure, privacy_rpc.GET_ERASURE: _erasure,
            privacy_rpc.LIST_ERASURES: _erasures, privacy_rpc.GUEST_ACCESS_LOG: _access_log,
            privacy_rpc.RETENTION_RUNS: _retention_runs,
        }  # fmt: skip
        return {method.subject: handler for method, handler in by_method.items()}


async def _erasure(_: Any, caller: Caller | None) -> Payload:
    return privacy_rpc.EXAMPLE_ERASURE


async def _erasures(_: Any, caller: Caller | None) -> Payload:
    return privacy_rpc.ErasurePage(items=(privacy_rpc.EXAMPLE_ERASURE,))


async def _access_log(_: Any, caller: Caller | None) -> Payload:
    return privacy_rpc.GuestAccessPage(items=())


async def _retention_runs(_: Any, caller: Caller | None) -> Payload:
    return privacy_rpc.RetentionRunPage(items=())


async def _properties(_: Any, caller: Caller | None) -> Payload:
    """Like the guests service: the caller's properties only."""
    hotel = guests_rpc.PropertyView(
        enterprise_id=ENT, name="Connector API Hotel", time_zone="Europe/Prague",
        default_currency="EUR", pricing="gross", synced_at=NOW,
    )  # fmt: skip
    visible = caller is not None and caller.may_act_for(ENT)
    return guests_rpc.PropertyList(items=(hotel,) if visible else ())


async def _catalogue(request: Any, caller: Caller | None) -> Payload:
    if caller is None or not caller.may_act_for(request.enterprise_id):
        raise NotFound(f"enterprise {request.enterprise_id} not found")
    spa = vendors_rpc.CatalogueServiceView(
        mews_id="svc-1", name="Spa", kind="additional", is_active=True,
        products=(vendors_rpc.CatalogueProductView(
            mews_id="prod-1", name="Massage 60 min", is_active=True,
            unit_amount=Decimal("80.00"), currency="EUR",
        ),),
    )  # fmt: skip
    return vendors_rpc.CatalogueResponse(
        enterprise_id=request.enterprise_id, name="Connector API Hotel", default_currency="EUR",
        pricing="gross", services=(spa,), synced_at=NOW,
    )  # fmt: skip


async def publish_catalogue(
    js: JetStreamContext, enterprise_id: str, *, currency: str = "EUR"
) -> UpsertCatalogue:
    """The hotel's Mews catalogue as sync publishes it: a Spa (Additional, `svc-1`) with a
    massage (`prod-1`), and the stays (Bookable, `svc-stay`). The vendors service takes it a
    moment later (until then an offering is 409)."""
    now = datetime.now(UTC)
    hotel = PropertySnapshot(
        enterprise_id=enterprise_id, name=f"Hotel {enterprise_id}", time_zone="Europe/Prague",
        default_currency=currency, currencies=(currency,), pricing="gross",
    )  # fmt: skip
    command = UpsertCatalogue(
        command_id=f"catalogue:{enterprise_id}:{uuid.uuid4()}", enterprise_id=enterprise_id,
        issued_at=now, property=hotel, mews_updated_utc=now,
        services=(
            CatalogueService(mews_id="svc-1", name="Spa", kind="additional", is_active=True),
            CatalogueService(mews_id="svc-stay", name="Stays", kind="bookable", is_active=True),
        ),
        products=(
            CatalogueProduct(mews_id="prod-1", service_mews_id="svc-1", name="Massage 60 min",
                             is_active=True, unit_amount=Decimal("80.00"), currency=currency),
        ),
    )  # fmt: skip
    await publish(js, UPSERT_CATALOGUE, command, msg_id=command.command_id)
    return command


async def _decide_charge(request: Any, caller: Caller | None) -> Payload:
    """Approve or reject: like the vendors service, another property's charge is absent."""
    if caller is None or not caller.may_act_for(ENT):
        raise NotFound(f"charge {request.charge_id} not found")
    return vendors_rpc.ChargeResponse(charge=charge_view())


async def _cancel_charge(request: Any, caller: Caller | None) -> Payload:
    """Like the vendors service: another property's charge is absent, a rejected one (id
    `c-rejected`) has nothing to cancel, a posted one is being taken back."""
    if caller is None or not caller.may_act_for(ENT):
        raise NotFound(f"charge {request.charge_id} not found")
    if request.charge_id == "c-rejected":
        raise Conflict(f"charge {request.charge_id} cannot be cancelled: it was rejected")
    charge = msgspec.structs.replace(
        charge_view(),
        state=ChargeState.CANCELLING,
        cancel_reason=request.reason,
        cancel_requested_by=caller.user_id,
        cancel_requested_at=NOW,
    )
    return vendors_rpc.ChargeResponse(charge=charge)


async def _billing_settings(request: Any, caller: Caller | None) -> Payload:
    enterprise_id = request.enterprise_id or ENT
    if caller is None or not caller.may_act_for(enterprise_id):
        raise NotFound(f"property {enterprise_id} not found")
    return vendors_rpc.BillingSettingsResponse(
        enterprise_id=enterprise_id, max_charge_amount=Decimal(1000),
        max_daily_amount_per_vendor=Decimal(5000), checkout_grace_hours=24, is_default=True,
    )  # fmt: skip


async def _mews_companies(request: Any, caller: Caller | None) -> Payload:
    """Like the vendors service: another property is absent."""
    if caller is None or not caller.may_act_for(request.enterprise_id):
        raise NotFound(f"enterprise {request.enterprise_id} not found")
    company = vendors_rpc.MewsCompanyView(mews_id="c-1", name="Lagoon Wellness", is_active=True)
    return vendors_rpc.MewsCompanyPage(items=(company,))


class Unauthorized(ServiceError):
    status = 401
    title = "Unauthorized"


def all_methods() -> list[RpcMethod[Any, Any]]:
    return [
        *users_rpc.METHODS, *vendors_rpc.METHODS, *guests_rpc.METHODS, *ingest_rpc.METHODS,
        *privacy_rpc.METHODS,
    ]  # fmt: skip


@dataclass
class Running:
    gateway: GatewayApp
    base_url: str
    client: httpx.AsyncClient

    def token(self, role: UserRole | Principal) -> str:
        principal = role if isinstance(role, Principal) else PRINCIPALS[role]
        token, _ = self.gateway.backend.verifier.issue(principal.user_id)
        return token

    def auth(self, role: UserRole | Principal) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role)}"}


async def migrated(database_url: str, name: str, script_location: Any) -> str:
    """The service's own role and schema on the test database, migrated; returns its URL."""
    await provision(database_url, schema=name, role=name, password=None)
    url = role_url(database_url, name)
    await upgrade(url, script_location, name)
    return url


@contextlib.asynccontextmanager
async def serve(gateway: GatewayApp) -> AsyncIterator[Running]:
    """The gateway under uvicorn on a free port, in this event loop (real HTTP)."""
    port = free_port()
    # proxy_headers=False as in production: the gateway resolves forwarded clients itself.
    config = uvicorn.Config(gateway.asgi, host="127.0.0.1", port=port, lifespan="on",
                            log_config=None, access_log=False, proxy_headers=False)  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            yield Running(gateway, base_url, client)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)

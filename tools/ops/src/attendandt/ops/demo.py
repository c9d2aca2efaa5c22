"""Demo accounts for `attendandt dev`: a front desk user, a manager (who approves held
charges), a spa vendor with an offering posting to the hotel's Spa service in Mews (its
"Massage 60 min" product, in the hotel's currency), and that vendor's user.

Made through the services' own request-reply APIs (as the admin), so every rule and every
event applies; running it again changes nothing. Each account has its own password (the
caller's, one per email: `make run` keeps random ones in .devdata); an account whose password
is not that one (made by an older run, with the admin's) gets it through a reset by the admin.

The vendors service accepts an offering only once it knows the hotel's catalogue, which sync
reads from Mews when it starts: until then it answers 409 and the offering is tried again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from nats.aio.client import Client as NatsClient

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import users as users_rpc
from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.contracts.snapshots import UserRole
from attendandt.mews import MewsClient, MewsSettings
from attendandt.mews.models import Product, ProductsGetAll, Service, ServicesGetAll
from attendandt.platform.rpc import RpcFailure, RpcTimeout, call

FRONT_DESK = "frontdesk@attendandt.local"
MANAGER = "manager@attendandt.local"
VENDOR_USER = "spa@attendandt.local"
VENDOR_NAME = "Lagoon Spa"
SPA_SERVICE = "Spa"
OFFERING = "Massage 60 min"
#: How long the offering waits for the vendors service to know the hotel's catalogue (sync
#: reads it when it starts, sharing the Mews rate limit with ingest's first sweep).
CATALOGUE_WAIT_S = 300.0


@dataclass(frozen=True)
class DemoHotel:
    enterprise_id: str
    #: The hotel's currency (its default in Mews): the offering's price is in it.
    currency: str | None
    #: The hotel's Spa (else its first active Additional service) and its massage (else its
    #: first active product); None when the hotel has none.
    service_id: str | None
    product_id: str | None


def _name(names: Mapping[str, str] | None, fallback: str | None) -> str | None:
    return next(iter(names.values()), None) if names else fallback


def _additional(services: Sequence[Service]) -> Service | None:
    active = [
        s
        for s in services
        if s.is_active is not False and s.data is not None and s.data.discriminator == "Additional"
    ]
    spa = next((s for s in active if SPA_SERVICE in (_name(s.names, s.name), s.name)), None)
    return spa or (active[0] if active else None)


def _massage(products: Sequence[Product]) -> Product | None:
    active = [p for p in products if p.is_active is not False]
    return next((p for p in active if _name(p.names, None) == OFFERING), None) or (
        active[0] if active else None
    )


async def hotel_of(mews: MewsSettings) -> DemoHotel:
    """The first property's EnterpriseId, currency, Spa service and massage product."""
    async with MewsClient(mews.credentials[0], environment=mews.base_url) as client:
        config = await client.get_configuration()
        assert config.enterprise is not None
        enterprise = config.enterprise
        services = await client.get_services(
            ServicesGetAll(enterprise_ids=[enterprise.id])
        ).collect()
        service = _additional(services)
        products: list[Product] = []
        if service is not None:
            products = await client.get_products(ProductsGetAll(service_ids=[service.id])).collect()
    currencies = enterprise.currencies or []
    currency = next((c.currency for c in currencies if c.is_default), None)
    product = _massage(products)
    return DemoHotel(
        enterprise_id=enterprise.id,
        currency=currency,
        service_id=service.id if service else None,
        product_id=product.id if product else None,
    )


async def _has_offering(nc: NatsClient, vendor_id: str, actor: Caller) -> bool:
    found = await call(
        nc,
        vendors_rpc.LIST_OFFERINGS,
        vendors_rpc.ListOfferingsRequest(vendor_id=vendor_id, include_inactive=True),
        caller=actor,
    )
    return any(o.name == OFFERING for o in found.items)


async def _create_offering(
    nc: NatsClient, request: vendors_rpc.CreateOfferingRequest, actor: Caller
) -> None:
    """Create it once the vendors service knows the hotel's catalogue (409 until then). A call
    that got no answer may have made it: looked for before trying again."""
    deadline = time.monotonic() + CATALOGUE_WAIT_S
    while not await _has_offering(nc, request.vendor_id, actor):
        try:
            await call(nc, vendors_rpc.CREATE_OFFERING, request, caller=actor, timeout=10)
        except RpcFailure as exc:
            if exc.error.status != 409 or time.monotonic() > deadline:
                raise
        except RpcTimeout:
            if time.monotonic() > deadline:
                raise
        else:
            return
        await asyncio.sleep(1)


async def seed_demo(
    nc: NatsClient,
    admin_email: str,
    password: str,
    passwords: Mapping[str, str],
    mews: MewsSettings,
) -> list[str]:
    """Create what is missing; returns the demo logins. `password` is the admin's,
    `passwords` the demo accounts' (by email: FRONT_DESK, MANAGER, VENDOR_USER)."""
    admin = (
        await call(
            nc,
            users_rpc.AUTHENTICATE,
            users_rpc.AuthenticateRequest(email=admin_email, password=password),
            timeout=15,
        )
    ).principal
    hotel = await hotel_of(mews)
    enterprise_id = hotel.enterprise_id
    # The seeded admin is portfolio-wide: every property. The services check its role
    # (and, for users, that it is an active admin) themselves.
    actor = Caller(user_id=admin.user_id, role=UserRole.ADMIN)
    vendors = await call(
        nc,
        vendors_rpc.LIST_VENDORS,
        vendors_rpc.ListVendorsRequest(enterprise_id=enterprise_id),
        caller=actor,
    )
    vendor = next((v for v in vendors.items if v.name == VENDOR_NAME), None)
    if vendor is None:
        vendor = (
            await call(
                nc,
                vendors_rpc.CREATE_VENDOR,
                vendors_rpc.CreateVendorRequest(
                    enterprise_id=enterprise_id, name=VENDOR_NAME, category="spa"
                ),
                caller=actor,
            )
        ).vendor
    existing = await call(
        nc, users_rpc.LIST_USERS, users_rpc.ListUsersRequest(limit=200), caller=actor
    )
    users = {user.email: user.user_id for user in existing.users}
    accounts = [
        (FRONT_DESK, "Front Desk", UserRole.FRONT_DESK, None),
        (MANAGER, "Duty Manager", UserRole.MANAGER, None),
        (VENDOR_USER, "Lagoon Spa desk", UserRole.VENDOR, vendor.vendor_id),
    ]
    for email, name, role, vendor_id in accounts:
        if email in users:
            if not await _signs_in(nc, email, passwords[email]):
                reset = await call(
                    nc,
                    users_rpc.ISSUE_SET_PASSWORD_TOKEN,
                    users_rpc.IssueSetPasswordTokenRequest(user_id=users[email]),
                    caller=actor,
                )
                await call(
                    nc,
                    users_rpc.SET_PASSWORD,
                    users_rpc.SetPasswordRequest(
                        token=reset.set_password_token, new_password=passwords[email]
                    ),
                    timeout=15,
                )
            continue
        invited = await call(
            nc,
            users_rpc.INVITE_USER,
            users_rpc.InviteUserRequest(
                email=email,
                name=name,
                role=role,
                vendor_id=vendor_id,
                enterprise_id=enterprise_id,
            ),
            caller=actor,
        )
        await call(
            nc,
            users_rpc.SET_PASSWORD,
            users_rpc.SetPasswordRequest(
                token=invited.set_password_token, new_password=passwords[email]
            ),
            timeout=15,
        )
    # Last: the offering waits for sync to have described the hotel to vendors; the
    # accounts above do not.
    if hotel.service_id is not None:
        await _create_offering(
            nc,
            vendors_rpc.CreateOfferingRequest(
                vendor_id=vendor.vendor_id,
                name=OFFERING,
                unit_price=Decimal("80.00"),
                currency=hotel.currency,
                mews_service_id=hotel.service_id,
                mews_product_id=hotel.product_id,
            ),
            actor,
        )
    return [
        f"front desk: {FRONT_DESK} / {passwords[FRONT_DESK]}",
        f"manager: {MANAGER} / {passwords[MANAGER]}",
        f"vendor ({VENDOR_NAME}): {VENDOR_USER} / {passwords[VENDOR_USER]}",
    ]


async def _signs_in(nc: NatsClient, email: str, password: str) -> bool:
    try:
        await call(
            nc,
            users_rpc.AUTHENTICATE,
            users_rpc.AuthenticateRequest(email=email, password=password),
            timeout=15,
        )
    except RpcFailure as exc:
        if exc.error.status == 401:
            return False
        raise
    return True

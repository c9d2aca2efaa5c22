"""Demo accounts for `attendandt dev`: a front desk user, a manager (who approves held
charges), a spa vendor with an offering posting to the hotel's Additional service in Mews,
and that vendor's user.

Made through the services' own request-reply APIs (as the admin), so every rule and every
event applies; running it again changes nothing. Each account has its own password (the
caller's, one per email: `make run` keeps random ones in .devdata); an account whose password
is not that one (made by an older run, with the admin's) gets it through a reset by the admin.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from nats.aio.client import Client as NatsClient

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import users as users_rpc
from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.contracts.snapshots import UserRole
from attendandt.mews import MewsClient, MewsSettings
from attendandt.mews.models import ServicesGetAll
from attendandt.platform.rpc import RpcFailure, call

FRONT_DESK = "frontdesk@attendandt.local"
MANAGER = "manager@attendandt.local"
VENDOR_USER = "spa@attendandt.local"
VENDOR_NAME = "Lagoon Spa"


async def hotel_of(mews: MewsSettings) -> tuple[str, str | None]:
    """The first property's EnterpriseId and one of its active Additional services."""
    async with MewsClient(mews.credentials[0], environment=mews.base_url) as client:
        config = await client.get_configuration()
        assert config.enterprise is not None
        services = await client.get_services(ServicesGetAll()).collect()
    additional = next(
        (
            s.id
            for s in services
            if s.is_active and s.data is not None and s.data.discriminator == "Additional"
        ),
        None,
    )
    return config.enterprise.id, additional


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
    enterprise_id, service_id = await hotel_of(mews)
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
        if service_id is not None:
            await call(
                nc,
                vendors_rpc.CREATE_OFFERING,
                vendors_rpc.CreateOfferingRequest(
                    vendor_id=vendor.vendor_id,
                    name="Massage 60 min",
                    unit_price=Decimal("80.00"),
                    currency="GBP",
                    mews_service_id=service_id,
                ),
                caller=actor,
            )
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

"""The whole service over NATS request-reply, as the gateway will use it: sign-in, refresh,
administration, the events they announce, error statuses, probes, and no secrets in replies."""

import httpx
import pytest
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from users_support import ADMIN_EMAIL, ADMIN_PASSWORD, as_caller, event_reader

from attendandt.contracts.base import encode
from attendandt.contracts.caller import CALLER_HEADER, Caller, encode_caller
from attendandt.contracts.rpc import users as api
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import STATUS_HEADER, RpcFailure, call
from attendandt.users.app import UsersApp


async def _status(nc: NatsClient, method, request, caller=None) -> int:  # type: ignore[no-untyped-def]
    with pytest.raises(RpcFailure) as failure:
        await call(nc, method, request, caller=caller)
    return failure.value.error.status


async def test_the_gateway_workflow_over_nats(
    app: UsersApp, nats_client: NatsClient, jetstream: JetStreamContext
) -> None:
    nc = nats_client
    events = await event_reader(jetstream)
    await app.service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD)

    # Legacy sign-in, then a refresh token, rotated.
    signed_in = await call(
        nc, api.AUTHENTICATE, api.AuthenticateRequest(email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    )
    admin_id = signed_in.principal.user_id
    as_admin = Caller(user_id=admin_id, role=UserRole.ADMIN)
    assert signed_in.principal.role == UserRole.ADMIN
    refresh = await call(
        nc, api.ISSUE_REFRESH_TOKEN, api.IssueRefreshTokenRequest(user_id=admin_id)
    )
    rotated = await call(
        nc,
        api.ROTATE_REFRESH_TOKEN,
        api.RotateRefreshTokenRequest(refresh_token=refresh.refresh_token),
    )
    assert rotated.principal.user_id == admin_id

    # The admin invites a vendor user of one property; the user sets a password and signs in.
    invited = await call(
        nc,
        api.INVITE_USER,
        api.InviteUserRequest(
            email="spa@vendor.example", name="Lagoon Spa",
            role=UserRole.VENDOR, vendor_id="v-1", enterprise_id="ent-1",
        ),
    caller=as_admin,
)  # fmt: skip
    await call(
        nc,
        api.SET_PASSWORD,
        api.SetPasswordRequest(
            token=invited.set_password_token, new_password="lagoon spa password"
        ),
    )
    vendor = await call(
        nc,
        api.AUTHENTICATE,
        api.AuthenticateRequest(email="spa@vendor.example", password="lagoon spa password"),
    )
    assert (vendor.principal.role, vendor.principal.vendor_id) == (UserRole.VENDOR, "v-1")
    vendor_id = vendor.principal.user_id

    # Linked to an external identity (JWT sign-in), moved to another role, then deactivated.
    await call(
        nc,
        api.LINK_SUBJECT,
        api.LinkSubjectRequest(user_id=vendor_id, subject="sb|spa"),
        caller=as_admin,
    )
    by_subject = await call(
        nc, api.GET_PRINCIPAL_BY_SUBJECT, api.GetPrincipalBySubjectRequest(subject="sb|spa")
    )
    assert by_subject.principal.user_id == vendor_id
    await call(
        nc,
        api.CHANGE_ROLE,
        api.ChangeRoleRequest(user_id=vendor_id, role=UserRole.FRONT_DESK),
        caller=as_admin,
    )
    await call(
        nc,
        api.DEACTIVATE_USER,
        api.DeactivateUserRequest(user_id=vendor_id),
        caller=as_admin,
    )
    assert await _status(nc, api.GET_PRINCIPAL, api.GetPrincipalRequest(user_id=vendor_id)) == 401

    page = await call(nc, api.LIST_USERS, api.ListUsersRequest(), caller=as_admin)
    assert page.total == 2
    log = await call(nc, api.AUDIT_LOG, api.AuditLogRequest(user_id=vendor_id), caller=as_admin)
    assert [e.action for e in reversed(log.entries)] == [
        "user_invited",
        "password_set",
        "login_succeeded",
        "subject_linked",
        "role_changed",
        "user_deactivated",
    ]
    user = await call(nc, api.GET_USER, api.GetUserRequest(user_id=vendor_id), caller=as_admin)
    assert not user.user.is_active

    await events.until(lambda seen: len(seen) >= 4)
    assert [(s, e.enterprise_id, e.user.role) for s, e in await events.settle()] == [
        ("attendandt.v2.portfolio.user.created", "portfolio", UserRole.ADMIN),
        ("attendandt.v2.ent-1.user.created", "ent-1", UserRole.VENDOR),
        ("attendandt.v2.ent-1.user.role_changed", "ent-1", UserRole.FRONT_DESK),
        ("attendandt.v2.ent-1.user.deactivated", "ent-1", UserRole.FRONT_DESK),
    ]


async def test_errors_come_back_as_statuses(app: UsersApp, nats_client: NatsClient) -> None:
    nc = nats_client
    admin = (await app.service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD)).user
    wrong = api.AuthenticateRequest(email=ADMIN_EMAIL, password="wrong password!!")
    with pytest.raises(RpcFailure) as failure:
        await call(nc, api.AUTHENTICATE, wrong)
    assert (failure.value.error.status, failure.value.error.detail) == (
        401,
        "invalid email or password",
    )
    reply = await nc.request(api.AUTHENTICATE.subject, b'{"email": 5}', timeout=2)
    assert reply.headers[STATUS_HEADER] == "400"
    header = {CALLER_HEADER: encode_caller(as_caller(admin))}
    reply = await nc.request(api.LIST_USERS.subject, b"\xff", timeout=2, headers=header)
    assert reply.headers[STATUS_HEADER] == "400"

    as_admin = as_caller(admin)
    # A caller the service does not know, though the header says admin: refused.
    outsider = Caller(user_id="00000000-0000-0000-0000-000000000000", role=UserRole.ADMIN)
    assert await _status(nc, api.LIST_USERS, api.ListUsersRequest(), outsider) == 403
    # No caller at all (an old client with `actor_id` in the body): refused before anything.
    legacy = b'{"actor_id": "%s"}' % admin.user_id.encode()
    reply = await nc.request(api.LIST_USERS.subject, legacy, timeout=2)
    assert reply.headers[STATUS_HEADER] == "401"
    bad_page = api.ListUsersRequest(limit=10_000)
    assert await _status(nc, api.LIST_USERS, bad_page, as_admin) == 422
    missing = api.GetUserRequest(user_id="not-a-user")
    assert await _status(nc, api.GET_USER, missing, as_admin) == 404
    last_admin = api.DeactivateUserRequest(user_id=admin.user_id)
    assert await _status(nc, api.DEACTIVATE_USER, last_admin, as_admin) == 409
    spent = api.RotateRefreshTokenRequest(refresh_token="never issued")
    assert await _status(nc, api.ROTATE_REFRESH_TOKEN, spent) == 401


async def test_replies_never_carry_a_password_hash(app: UsersApp, nats_client: NatsClient) -> None:
    admin = (await app.service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD)).user
    requests = [
        (api.AUTHENTICATE, api.AuthenticateRequest(email=ADMIN_EMAIL, password=ADMIN_PASSWORD)),
        (api.GET_USER, api.GetUserRequest(user_id=admin.user_id)),
        (api.LIST_USERS, api.ListUsersRequest()),
        (api.AUDIT_LOG, api.AuditLogRequest()),
    ]
    header = {CALLER_HEADER: encode_caller(as_caller(admin))}
    for method, request in requests:
        reply = await nats_client.request(
            method.subject, encode(request), timeout=2, headers=header
        )
        assert reply.headers[STATUS_HEADER] == "200"
        assert b"argon2" not in reply.data
        assert ADMIN_PASSWORD.encode() not in reply.data


async def test_health_probes(app: UsersApp) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{app.health.port}") as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "nats": True,
        "database": True,
        "started": True,
        "consumers": True,
    }

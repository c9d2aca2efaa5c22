"""Administration: admin-only actions, last-admin protection, invites and passwords,
roles and vendors, external identities, listing and the audit log (real Postgres)."""

import asyncio
from datetime import timedelta

import msgspec
import pytest
from users_support import ADMIN_EMAIL, Clock, Invite, Member, as_caller

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import users as api
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import Conflict, Forbidden, Invalid, NotFound
from attendandt.users.service import Unauthorized, UserService

PASSWORD = "a long enough secret"


def _admin_calls(user_id: str) -> list[object]:
    return [
        api.InviteUserRequest(email="x@hotel.example", name="X",
                              role=UserRole.MANAGER),
        api.ChangeRoleRequest(user_id=user_id, role=UserRole.ADMIN),
        api.DeactivateUserRequest(user_id=user_id),
        api.LinkSubjectRequest(user_id=user_id, subject="sb|1"),
        api.ListUsersRequest(),
        api.AuditLogRequest(),
        api.IssueSetPasswordTokenRequest(user_id=user_id),
        api.SetUserPasswordRequest(user_id=user_id, new_password=PASSWORD),
    ]  # fmt: skip


async def _call(service: UserService, request: object, caller: Caller) -> object:
    method = {
        api.InviteUserRequest: service.invite_user,
        api.ChangeRoleRequest: service.change_role,
        api.DeactivateUserRequest: service.deactivate_user,
        api.LinkSubjectRequest: service.link_subject,
        api.ListUsersRequest: service.list_users,
        api.AuditLogRequest: service.audit_log,
        api.IssueSetPasswordTokenRequest: service.issue_set_password_token,
        api.SetUserPasswordRequest: service.set_user_password,
    }[type(request)]
    return await method(request, caller)  # type: ignore[operator]


async def test_only_an_active_admin_may_administer(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    manager = await member("manager@hotel.example", PASSWORD, role="manager")
    desk = await member("desk@hotel.example", PASSWORD, role="front_desk")
    vendor = await member("spa@vendor.example", PASSWORD, role="vendor", vendor_id="v-1")
    other_admin = await member("second@hotel.example", PASSWORD, role="admin")
    await service.deactivate_user(
        api.DeactivateUserRequest(user_id=other_admin.user_id), caller=as_caller(admin)
    )
    # The header's role is the gateway's word; the users service goes by its own rows.
    actors = [
        *(as_caller(user) for user in (manager, desk, vendor, other_admin)),
        *(Caller(user_id=junk, role=UserRole.ADMIN) for junk in ("junk", "")),
    ]
    for actor in actors:
        for request in _admin_calls(desk.user_id):
            with pytest.raises(Forbidden):
                await _call(service, request, actor)

    # Nothing happened: the target is unchanged, and no one was invited.
    page = await service.list_users(api.ListUsersRequest(), caller=as_caller(admin))
    assert [u.email for u in page.users] == [
        "desk@hotel.example",
        "manager@hotel.example",
        ADMIN_EMAIL,
        "second@hotel.example",
        "spa@vendor.example",
    ]
    desk_now = next(u for u in page.users if u.user_id == desk.user_id)
    assert (desk_now.role, desk_now.is_active, desk_now.external_subject) == (
        UserRole.FRONT_DESK,
        True,
        None,
    )


async def test_users_may_read_themselves_and_change_their_own_password(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    desk = await member("desk@hotel.example", PASSWORD)
    mine = await service.get_user(api.GetUserRequest(user_id=desk.user_id), caller=as_caller(desk))
    assert mine.user.email == "desk@hotel.example"
    with pytest.raises(Forbidden):
        await service.get_user(api.GetUserRequest(user_id=admin.user_id), caller=as_caller(desk))

    change = api.SetUserPasswordRequest(user_id=desk.user_id, new_password="my brand new secret")
    itself = as_caller(desk)
    with pytest.raises(Forbidden):  # without the current password
        await service.set_user_password(change, itself)
    with pytest.raises(Forbidden):
        await service.set_user_password(
            api.SetUserPasswordRequest(**{**_fields(change), "current_password": "wrong one!!"}),
            itself,
        )
    await service.set_user_password(
        api.SetUserPasswordRequest(**{**_fields(change), "current_password": PASSWORD}), itself
    )
    login = api.AuthenticateRequest(email="desk@hotel.example", password="my brand new secret")
    assert (await service.authenticate(login)).principal.user_id == desk.user_id


def _fields(request: api.SetUserPasswordRequest) -> dict[str, object]:
    return {f: getattr(request, f) for f in request.__struct_fields__}


async def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    demote = api.ChangeRoleRequest(user_id=admin.user_id, role=UserRole.MANAGER)
    deactivate = api.DeactivateUserRequest(user_id=admin.user_id)
    with pytest.raises(Conflict):
        await service.change_role(demote, as_caller(admin))
    with pytest.raises(Conflict):
        await service.deactivate_user(deactivate, as_caller(admin))

    second = await member("second@hotel.example", PASSWORD, role="admin")
    # With two admins, one may go; then the other is the last again.
    await service.change_role(demote, as_caller(admin))
    with pytest.raises(Forbidden):  # the demoted one is no longer an admin
        await service.deactivate_user(
            api.DeactivateUserRequest(user_id=second.user_id), caller=as_caller(admin)
        )
    with pytest.raises(Conflict):
        await service.deactivate_user(
            api.DeactivateUserRequest(user_id=second.user_id), caller=as_caller(second)
        )


async def test_two_admins_removing_each_other_at_once_leave_one(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    second = await member("second@hotel.example", PASSWORD, role="admin")
    results = await asyncio.gather(
        service.deactivate_user(
            api.DeactivateUserRequest(user_id=second.user_id), caller=as_caller(admin)
        ),
        service.deactivate_user(
            api.DeactivateUserRequest(user_id=admin.user_id), caller=as_caller(second)
        ),
        return_exceptions=True,
    )
    # Whichever ran first won; the other found its actor deactivated.
    assert sorted(type(r).__name__ for r in results) == ["Forbidden", "UserResponse"]
    done = next(r for r in results if isinstance(r, api.UserResponse))
    survivor = admin if done.user.user_id == second.user_id else second
    page = await service.list_users(
        api.ListUsersRequest(role=UserRole.ADMIN, is_active=True), caller=as_caller(survivor)
    )
    assert page.total == 1


async def test_invite_then_set_password_with_the_one_time_token(
    service: UserService, admin: api.UserView, invite: Invite, clock: Clock
) -> None:
    invited = await invite("New.Person@Hotel.Example", role="manager", name="  New   Person ")
    assert invited.user.email == "new.person@hotel.example"
    assert invited.user.name == "New Person"
    assert invited.user.is_active
    assert not invited.user.has_password
    assert invited.token_expires_at == clock.now + timedelta(days=7)
    with pytest.raises(Conflict):
        await invite("NEW.PERSON@hotel.example")

    with pytest.raises(Invalid, match="at least 12"):
        await service.set_password(
            api.SetPasswordRequest(token=invited.set_password_token, new_password="short")
        )
    done = await service.set_password(
        api.SetPasswordRequest(token=invited.set_password_token, new_password=PASSWORD)
    )
    assert done.user.has_password
    with pytest.raises(Unauthorized):  # one time only
        await service.set_password(
            api.SetPasswordRequest(token=invited.set_password_token, new_password=PASSWORD)
        )
    login = api.AuthenticateRequest(email="new.person@hotel.example", password=PASSWORD)
    assert (await service.authenticate(login)).principal.role == UserRole.MANAGER

    # An admin's reset token replaces any earlier one and expires.
    first = await service.issue_set_password_token(
        api.IssueSetPasswordTokenRequest(user_id=done.user.user_id), caller=as_caller(admin)
    )
    second = await service.issue_set_password_token(
        api.IssueSetPasswordTokenRequest(user_id=done.user.user_id), caller=as_caller(admin)
    )
    with pytest.raises(Unauthorized):
        await service.set_password(
            api.SetPasswordRequest(token=first.set_password_token, new_password=PASSWORD)
        )
    clock.advance(timedelta(days=8))
    with pytest.raises(Unauthorized):
        await service.set_password(
            api.SetPasswordRequest(token=second.set_password_token, new_password=PASSWORD)
        )
    with pytest.raises(msgspec.ValidationError):  # no token: refused when decoded
        msgspec.json.decode(b'{"new_password": "x"}', type=api.SetPasswordRequest)


async def test_invites_validate_email_name_vendor_and_enterprise(
    invite: Invite, admin: api.UserView
) -> None:
    bad = [
        {"email": "not-an-email"},
        {"email": "ok@hotel.example", "name": "   "},
        {"email": "ok@hotel.example", "role": "vendor"},
        {"email": "ok@hotel.example", "role": "manager", "vendor_id": "v-1"},
        {"email": "ok@hotel.example", "enterprise_id": "has spaces"},
    ]
    for kwargs in bad:
        with pytest.raises(Invalid):
            await invite(**kwargs)
    portfolio = await invite("p@hotel.example", enterprise_id="portfolio")
    assert portfolio.user.enterprise_id is None


async def test_role_changes_keep_the_vendor_rule(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    desk = await member("desk@hotel.example", PASSWORD)
    change = api.ChangeRoleRequest(user_id=desk.user_id, role=UserRole.VENDOR)
    with pytest.raises(Invalid):
        await service.change_role(change, as_caller(admin))
    changed = await service.change_role(
        api.ChangeRoleRequest(user_id=desk.user_id, role=UserRole.VENDOR, vendor_id="v-9"),
        caller=as_caller(admin),
    )
    assert (changed.user.role, changed.user.vendor_id) == (UserRole.VENDOR, "v-9")
    back = await service.change_role(
        api.ChangeRoleRequest(user_id=desk.user_id, role=UserRole.MANAGER), caller=as_caller(admin)
    )
    assert (back.user.role, back.user.vendor_id) == (UserRole.MANAGER, None)
    with pytest.raises(NotFound):
        await service.change_role(
            api.ChangeRoleRequest(
                user_id="00000000-0000-0000-0000-000000000000",
                role=UserRole.MANAGER,
            ),
            caller=as_caller(admin),
        )

    log = await service.audit_log(
        api.AuditLogRequest(user_id=desk.user_id), caller=as_caller(admin)
    )
    role_changes = [e.details for e in log.entries if e.action == "role_changed"]
    assert role_changes == [
        {"from_role": "vendor", "to_role": "manager", "from_vendor_id": "v-9"},
        {"from_role": "front_desk", "to_role": "vendor", "to_vendor_id": "v-9"},
    ]
    assert all(e.actor_id == admin.user_id for e in log.entries if e.action == "role_changed")


async def test_an_external_identity_links_to_one_user_only(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    desk = await member("desk@hotel.example", PASSWORD)
    link = api.LinkSubjectRequest(user_id=desk.user_id, subject="sb|42")
    by_admin = as_caller(admin)
    assert (await service.link_subject(link, by_admin)).user.external_subject == "sb|42"
    assert (await service.link_subject(link, by_admin)).user.external_subject == "sb|42"
    with pytest.raises(Conflict):
        await service.link_subject(
            api.LinkSubjectRequest(user_id=admin.user_id, subject="sb|42"), caller=as_caller(admin)
        )
    unlinked = await service.link_subject(
        api.LinkSubjectRequest(user_id=desk.user_id, subject=None), caller=as_caller(admin)
    )
    assert unlinked.user.external_subject is None


async def test_list_users_filters_and_pages(
    service: UserService, admin: api.UserView, invite: Invite
) -> None:
    for n in range(7):
        await invite(f"desk{n}@hotel.example", enterprise_id="ent-a", name=f"Desk {n}")
    await invite("spa@vendor.example", role="vendor", vendor_id="v-1", enterprise_id="ent-b",
                 name="Lagoon Spa")  # fmt: skip

    def request(**kwargs: object) -> api.ListUsersRequest:
        return api.ListUsersRequest(**kwargs)  # type: ignore[arg-type]

    first = await service.list_users(request(enterprise_id="ent-a", limit=3), as_caller(admin))
    second = await service.list_users(
        request(enterprise_id="ent-a", limit=3, offset=3), as_caller(admin)
    )
    third = await service.list_users(
        request(enterprise_id="ent-a", limit=3, offset=6), as_caller(admin)
    )
    pages = [first, second, third]
    assert [p.total for p in pages] == [7, 7, 7]
    assert [u.email for p in pages for u in p.users] == [f"desk{n}@hotel.example" for n in range(7)]

    assert [
        u.email
        for u in (await service.list_users(request(role=UserRole.VENDOR), as_caller(admin))).users
    ] == ["spa@vendor.example"]
    assert (await service.list_users(request(vendor_id="v-1"), as_caller(admin))).total == 1
    assert (await service.list_users(request(query="LAGOON"), as_caller(admin))).total == 1
    assert (
        await service.list_users(request(query="desk_"), as_caller(admin))
    ).total == 0  # `_` is literal
    portfolio = await service.list_users(request(enterprise_id="portfolio"), as_caller(admin))
    assert [u.email for u in portfolio.users] == [ADMIN_EMAIL]
    for bad in ({"limit": 0}, {"limit": 500}, {"offset": -1}):
        with pytest.raises(Invalid):
            await service.list_users(request(**bad), as_caller(admin))


async def test_audit_log_pages_newest_first(
    service: UserService, admin: api.UserView, invite: Invite
) -> None:
    for n in range(5):
        await invite(f"u{n}@hotel.example")
    seen: list[api.AuditEntry] = []
    before: int | None = None
    while True:
        page = await service.audit_log(
            api.AuditLogRequest(limit=2, before_id=before), caller=as_caller(admin)
        )
        seen += page.entries
        if page.next_before_id is None:
            break
        before = page.next_before_id
    assert [e.action for e in seen] == ["user_invited"] * 5 + ["admin_seeded"]
    assert [e.email for e in seen[:5]] == [f"u{n}@hotel.example" for n in reversed(range(5))]
    assert all(e.actor_id == admin.user_id for e in seen[:5])
    ids = [e.entry_id for e in seen]
    assert ids == sorted(ids, reverse=True)


async def test_ensure_admin_is_idempotent(service: UserService, admin: api.UserView) -> None:
    again = await service.ensure_admin(ADMIN_EMAIL.upper(), "another long password")
    assert not again.created
    assert again.user.user_id == admin.user_id
    login = api.AuthenticateRequest(email=ADMIN_EMAIL, password="another long password")
    with pytest.raises(Unauthorized):  # the password was not changed
        await service.authenticate(login)
    with pytest.raises(Invalid):
        await service.ensure_admin("fresh@hotel.example", "short")


async def test_an_admin_of_one_property_administers_only_its_users(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    """A property-bound caller: the users of another property (and the portfolio-wide ones)
    are not found, lists hold its property's users, an invite elsewhere is refused as 404."""
    local = as_caller(await member("boss@a.example", PASSWORD, role="admin", enterprise_id="ent-a"))
    ours = await member("desk@a.example", PASSWORD, enterprise_id="ent-a")
    theirs = await member("desk@b.example", PASSWORD, enterprise_id="ent-b")
    for user_id in (theirs.user_id, admin.user_id):
        for request in _admin_calls(user_id)[1:4] + _admin_calls(user_id)[6:]:
            with pytest.raises(NotFound):
                await _call(service, request, local)
        with pytest.raises(NotFound):
            await service.get_user(api.GetUserRequest(user_id=user_id), local)
        with pytest.raises(NotFound):
            await service.audit_log(api.AuditLogRequest(user_id=user_id), local)
    with pytest.raises(Forbidden):  # the whole log spans every property
        await service.audit_log(api.AuditLogRequest(), local)
    for enterprise_id in ("ent-b", None, "no-such-hotel"):
        invite = api.InviteUserRequest(
            email="new@b.example", name="New", role=UserRole.MANAGER, enterprise_id=enterprise_id
        )
        with pytest.raises(NotFound):
            await service.invite_user(invite, local)
    for named in ("ent-b", "portfolio", "no-such-hotel"):
        with pytest.raises(NotFound):
            await service.list_users(api.ListUsersRequest(enterprise_id=named), local)

    page = await service.list_users(api.ListUsersRequest(), local)
    assert sorted(u.email for u in page.users) == ["boss@a.example", "desk@a.example"]
    changed = await service.change_role(
        api.ChangeRoleRequest(user_id=ours.user_id, role=UserRole.MANAGER), local
    )
    assert changed.user.role is UserRole.MANAGER
    untouched = await service.get_user(api.GetUserRequest(user_id=theirs.user_id), as_caller(admin))
    assert (untouched.user.role, untouched.user.is_active) == (UserRole.FRONT_DESK, True)
    everyone = await service.list_users(api.ListUsersRequest(), as_caller(admin))
    assert everyone.total == 4

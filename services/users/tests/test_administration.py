"""Administration: admin-only actions, last-admin protection, invites and passwords,
roles and vendors, external identities, listing and the audit log (real Postgres)."""

import asyncio
from datetime import timedelta

import pytest
from users_support import ADMIN_EMAIL, Clock, Invite, Member

from attendandt.contracts.rpc import users as api
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import Conflict, Forbidden, Invalid, NotFound
from attendandt.users.service import Unauthorized, UserService

PASSWORD = "a long enough secret"


def _admin_calls(actor_id: str, user_id: str) -> list[object]:
    return [
        api.InviteUserRequest(actor_id=actor_id, email="x@hotel.example", name="X",
                              role=UserRole.MANAGER),
        api.ChangeRoleRequest(actor_id=actor_id, user_id=user_id, role=UserRole.ADMIN),
        api.DeactivateUserRequest(actor_id=actor_id, user_id=user_id),
        api.LinkSubjectRequest(actor_id=actor_id, user_id=user_id, subject="sb|1"),
        api.ListUsersRequest(actor_id=actor_id),
        api.AuditLogRequest(actor_id=actor_id),
        api.IssueSetPasswordTokenRequest(actor_id=actor_id, user_id=user_id),
        api.SetPasswordRequest(actor_id=actor_id, user_id=user_id, new_password=PASSWORD),
    ]  # fmt: skip


async def _call(service: UserService, request: object) -> object:
    method = {
        api.InviteUserRequest: service.invite_user,
        api.ChangeRoleRequest: service.change_role,
        api.DeactivateUserRequest: service.deactivate_user,
        api.LinkSubjectRequest: service.link_subject,
        api.ListUsersRequest: service.list_users,
        api.AuditLogRequest: service.audit_log,
        api.IssueSetPasswordTokenRequest: service.issue_set_password_token,
        api.SetPasswordRequest: service.set_password,
    }[type(request)]
    return await method(request)  # type: ignore[operator]


async def test_only_an_active_admin_may_administer(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    manager = await member("manager@hotel.example", PASSWORD, role="manager")
    desk = await member("desk@hotel.example", PASSWORD, role="front_desk")
    vendor = await member("spa@vendor.example", PASSWORD, role="vendor", vendor_id="v-1")
    other_admin = await member("second@hotel.example", PASSWORD, role="admin")
    await service.deactivate_user(
        api.DeactivateUserRequest(actor_id=admin.user_id, user_id=other_admin.user_id)
    )
    actors = [manager.user_id, desk.user_id, vendor.user_id, other_admin.user_id, "junk", ""]
    for actor_id in actors:
        for request in _admin_calls(actor_id, desk.user_id):
            with pytest.raises(Forbidden):
                await _call(service, request)

    # Nothing happened: the target is unchanged, and no one was invited.
    page = await service.list_users(api.ListUsersRequest(actor_id=admin.user_id))
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
    mine = await service.get_user(api.GetUserRequest(actor_id=desk.user_id, user_id=desk.user_id))
    assert mine.user.email == "desk@hotel.example"
    with pytest.raises(Forbidden):
        await service.get_user(api.GetUserRequest(actor_id=desk.user_id, user_id=admin.user_id))

    change = api.SetPasswordRequest(
        actor_id=desk.user_id, user_id=desk.user_id, new_password="my brand new secret"
    )
    with pytest.raises(Forbidden):  # without the current password
        await service.set_password(change)
    with pytest.raises(Forbidden):
        await service.set_password(
            api.SetPasswordRequest(**{**_fields(change), "current_password": "wrong one!!"})
        )
    await service.set_password(
        api.SetPasswordRequest(**{**_fields(change), "current_password": PASSWORD})
    )
    login = api.AuthenticateRequest(email="desk@hotel.example", password="my brand new secret")
    assert (await service.authenticate(login)).principal.user_id == desk.user_id


def _fields(request: api.SetPasswordRequest) -> dict[str, object]:
    return {f: getattr(request, f) for f in request.__struct_fields__}


async def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    demote = api.ChangeRoleRequest(
        actor_id=admin.user_id, user_id=admin.user_id, role=UserRole.MANAGER
    )
    deactivate = api.DeactivateUserRequest(actor_id=admin.user_id, user_id=admin.user_id)
    with pytest.raises(Conflict):
        await service.change_role(demote)
    with pytest.raises(Conflict):
        await service.deactivate_user(deactivate)

    second = await member("second@hotel.example", PASSWORD, role="admin")
    # With two admins, one may go; then the other is the last again.
    await service.change_role(demote)
    with pytest.raises(Forbidden):  # the demoted one is no longer an admin
        await service.deactivate_user(
            api.DeactivateUserRequest(actor_id=admin.user_id, user_id=second.user_id)
        )
    with pytest.raises(Conflict):
        await service.deactivate_user(
            api.DeactivateUserRequest(actor_id=second.user_id, user_id=second.user_id)
        )


async def test_two_admins_removing_each_other_at_once_leave_one(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    second = await member("second@hotel.example", PASSWORD, role="admin")
    results = await asyncio.gather(
        service.deactivate_user(
            api.DeactivateUserRequest(actor_id=admin.user_id, user_id=second.user_id)
        ),
        service.deactivate_user(
            api.DeactivateUserRequest(actor_id=second.user_id, user_id=admin.user_id)
        ),
        return_exceptions=True,
    )
    # Whichever ran first won; the other found its actor deactivated.
    assert sorted(type(r).__name__ for r in results) == ["Forbidden", "UserResponse"]
    done = next(r for r in results if isinstance(r, api.UserResponse))
    survivor = admin if done.user.user_id == second.user_id else second
    page = await service.list_users(
        api.ListUsersRequest(actor_id=survivor.user_id, role=UserRole.ADMIN, is_active=True)
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
        api.IssueSetPasswordTokenRequest(actor_id=admin.user_id, user_id=done.user.user_id)
    )
    second = await service.issue_set_password_token(
        api.IssueSetPasswordTokenRequest(actor_id=admin.user_id, user_id=done.user.user_id)
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
    with pytest.raises(Invalid):
        await service.set_password(api.SetPasswordRequest(new_password=PASSWORD))


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
    change = api.ChangeRoleRequest(
        actor_id=admin.user_id, user_id=desk.user_id, role=UserRole.VENDOR
    )
    with pytest.raises(Invalid):
        await service.change_role(change)
    changed = await service.change_role(
        api.ChangeRoleRequest(
            actor_id=admin.user_id, user_id=desk.user_id, role=UserRole.VENDOR, vendor_id="v-9"
        )
    )
    assert (changed.user.role, changed.user.vendor_id) == (UserRole.VENDOR, "v-9")
    back = await service.change_role(
        api.ChangeRoleRequest(actor_id=admin.user_id, user_id=desk.user_id, role=UserRole.MANAGER)
    )
    assert (back.user.role, back.user.vendor_id) == (UserRole.MANAGER, None)
    with pytest.raises(NotFound):
        await service.change_role(
            api.ChangeRoleRequest(
                actor_id=admin.user_id,
                user_id="00000000-0000-0000-0000-000000000000",
                role=UserRole.MANAGER,
            )
        )

    log = await service.audit_log(api.AuditLogRequest(actor_id=admin.user_id, user_id=desk.user_id))
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
    link = api.LinkSubjectRequest(actor_id=admin.user_id, user_id=desk.user_id, subject="sb|42")
    assert (await service.link_subject(link)).user.external_subject == "sb|42"
    assert (await service.link_subject(link)).user.external_subject == "sb|42"  # idempotent
    with pytest.raises(Conflict):
        await service.link_subject(
            api.LinkSubjectRequest(actor_id=admin.user_id, user_id=admin.user_id, subject="sb|42")
        )
    unlinked = await service.link_subject(
        api.LinkSubjectRequest(actor_id=admin.user_id, user_id=desk.user_id, subject=None)
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
        return api.ListUsersRequest(actor_id=admin.user_id, **kwargs)  # type: ignore[arg-type]

    first = await service.list_users(request(enterprise_id="ent-a", limit=3))
    second = await service.list_users(request(enterprise_id="ent-a", limit=3, offset=3))
    third = await service.list_users(request(enterprise_id="ent-a", limit=3, offset=6))
    pages = [first, second, third]
    assert [p.total for p in pages] == [7, 7, 7]
    assert [u.email for p in pages for u in p.users] == [f"desk{n}@hotel.example" for n in range(7)]

    assert [u.email for u in (await service.list_users(request(role=UserRole.VENDOR))).users] == [
        "spa@vendor.example"
    ]
    assert (await service.list_users(request(vendor_id="v-1"))).total == 1
    assert (await service.list_users(request(query="LAGOON"))).total == 1
    assert (await service.list_users(request(query="desk_"))).total == 0  # `_` is literal
    portfolio = await service.list_users(request(enterprise_id="portfolio"))
    assert [u.email for u in portfolio.users] == [ADMIN_EMAIL]
    for bad in ({"limit": 0}, {"limit": 500}, {"offset": -1}):
        with pytest.raises(Invalid):
            await service.list_users(request(**bad))


async def test_audit_log_pages_newest_first(
    service: UserService, admin: api.UserView, invite: Invite
) -> None:
    for n in range(5):
        await invite(f"u{n}@hotel.example")
    seen: list[api.AuditEntry] = []
    before: int | None = None
    while True:
        page = await service.audit_log(
            api.AuditLogRequest(actor_id=admin.user_id, limit=2, before_id=before)
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

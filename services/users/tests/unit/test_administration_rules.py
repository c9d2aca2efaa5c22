"""Administration on the in-memory unit of work: who may administer, the last-admin guard,
one-time set-password tokens, and what a deactivation ends. The same use cases run on
Postgres in test_administration.py."""

from __future__ import annotations

import pytest
from users_fakes import FakeStore, FakeUnitOfWork
from users_support import as_caller

from attendandt.contracts.events import UserEvent
from attendandt.contracts.rpc import users as api
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import Conflict, Forbidden, NotFound
from attendandt.users.service import Unauthorized, UserService

ENT = "hotel-1"
PASSWORD = "a long enough secret"


def invitation(
    email: str, role: UserRole = UserRole.FRONT_DESK, enterprise: str | None = ENT
) -> api.InviteUserRequest:
    return api.InviteUserRequest(email=email, name="Someone", role=role, enterprise_id=enterprise)


def events(store: FakeStore) -> list[tuple[str, str]]:
    return [(q.subject, q.payload.event) for q in store.outbox if isinstance(q.payload, UserEvent)]


async def test_an_invited_user_sets_a_password_once_with_the_token(
    service: UserService, uow: FakeUnitOfWork, admin: api.UserView
) -> None:
    invited = await service.invite_user(invitation("desk@hotel.example"), as_caller(admin))
    assert invited.user.is_active
    assert not invited.user.has_password
    request = api.SetPasswordRequest(token=invited.set_password_token, new_password=PASSWORD)
    assert (await service.set_password(request)).user.has_password
    with pytest.raises(Unauthorized):
        await service.set_password(request)
    assert events(uow.store) == [
        ("attendandt.v2.portfolio.user.created", "created"),
        (f"attendandt.v2.{ENT}.user.created", "created"),
    ]
    assert uow.store.actions() == ["admin_seeded", "user_invited", "password_set"]


async def test_only_an_active_admin_of_the_property_administers_its_users(
    service: UserService, uow: FakeUnitOfWork, admin: api.UserView
) -> None:
    invited = await service.invite_user(invitation("desk@hotel.example"), as_caller(admin))
    desk = as_caller(invited.user)
    with pytest.raises(Forbidden):
        await service.invite_user(invitation("other@hotel.example"), desk)
    # An admin of another property does not see this property's users.
    other = await service.invite_user(
        invitation("boss@other.example", UserRole.ADMIN, "hotel-2"), as_caller(admin)
    )
    with pytest.raises(NotFound):
        await service.deactivate_user(
            api.DeactivateUserRequest(user_id=invited.user.user_id), as_caller(other.user)
        )
    assert uow.store.users[invited.user.user_id].is_active


async def test_the_last_admin_who_can_sign_in_is_kept_and_nothing_is_committed(
    service: UserService, uow: FakeUnitOfWork, admin: api.UserView
) -> None:
    before = uow.store
    demote = api.ChangeRoleRequest(user_id=admin.user_id, role=UserRole.MANAGER)
    with pytest.raises(Conflict, match="last active admin"):
        await service.change_role(demote, as_caller(admin))
    with pytest.raises(Conflict):
        await service.deactivate_user(
            api.DeactivateUserRequest(user_id=admin.user_id), as_caller(admin)
        )
    assert uow.store is before  # no commit
    assert uow.locked == ["admin changes", "admin changes"]

    # An invited admin who never set a password does not count as the other admin.
    await service.invite_user(
        invitation("new@hotel.example", UserRole.ADMIN, None), as_caller(admin)
    )
    with pytest.raises(Conflict):
        await service.change_role(demote, as_caller(admin))


async def test_a_deactivation_ends_the_sessions_and_is_announced(
    service: UserService, uow: FakeUnitOfWork, admin: api.UserView
) -> None:
    invited = await service.invite_user(invitation("desk@hotel.example"), as_caller(admin))
    await service.set_password(
        api.SetPasswordRequest(token=invited.set_password_token, new_password=PASSWORD)
    )
    user_id = invited.user.user_id
    token = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=user_id))
    done = await service.deactivate_user(
        api.DeactivateUserRequest(user_id=user_id), as_caller(admin)
    )
    assert not done.user.is_active
    assert all(t.revoked_at is not None for t in uow.store.refresh_tokens.values())
    assert events(uow.store)[-1] == (f"attendandt.v2.{ENT}.user.deactivated", "deactivated")
    assert uow.store.users[user_id].version == 2  # announced: the event id is made from it
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(
            api.RotateRefreshTokenRequest(refresh_token=token.refresh_token)
        )
    # Deactivating again changes nothing and announces nothing.
    commits = uow.store.commits
    await service.deactivate_user(api.DeactivateUserRequest(user_id=user_id), as_caller(admin))
    assert uow.store.commits == commits

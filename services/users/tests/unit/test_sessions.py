"""Sign-in and refresh-token rotation on the in-memory unit of work. The same use cases run on
Postgres in test_sign_in.py and test_refresh_tokens.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from users_fakes import FakeUnitOfWork
from users_support import ADMIN_EMAIL, ADMIN_PASSWORD, Clock

from attendandt.contracts.rpc import users as api
from attendandt.users.passwords import token_hash
from attendandt.users.service import SIGN_IN_FAILED, Unauthorized, UserService


def sign_in(email: str, password: str) -> api.AuthenticateRequest:
    return api.AuthenticateRequest(
        email=email, password=password, client_ip="10.0.0.1", user_agent="test"
    )


def rotate(token: str, client_ip: str = "10.0.0.1") -> api.RotateRefreshTokenRequest:
    return api.RotateRefreshTokenRequest(
        refresh_token=token, client_ip=client_ip, user_agent="browser"
    )


async def test_a_sign_in_stamps_the_login_and_is_audited(
    service: UserService, uow: FakeUnitOfWork, admin: api.UserView, clock: Clock
) -> None:
    clock.advance(timedelta(minutes=1))
    answer = await service.authenticate(sign_in(" Root@Hotel.Example ", ADMIN_PASSWORD))
    assert answer.principal.user_id == admin.user_id
    assert uow.store.users[admin.user_id].last_login_at == clock.now
    assert uow.store.actions() == ["admin_seeded", "login_succeeded"]
    assert uow.store.audit[-1].client_ip == "10.0.0.1"


async def test_every_failed_sign_in_answers_the_same_and_the_log_keeps_why(
    service: UserService, uow: FakeUnitOfWork, admin: api.UserView
) -> None:
    for email, password in [(ADMIN_EMAIL, "wrong horse battery"), ("who@hotel.example", "x")]:
        with pytest.raises(Unauthorized, match=SIGN_IN_FAILED):
            await service.authenticate(sign_in(email, password))
    failed = [e for e in uow.store.audit if e.action == "login_failed"]
    assert [(e.reason, e.email) for e in failed] == [
        ("wrong password", ADMIN_EMAIL),
        ("unknown email", "who@hotel.example"),
    ]
    assert uow.store.users[admin.user_id].last_login_at is None


async def test_rotation_spends_the_token_and_hands_out_a_successor(
    service: UserService, uow: FakeUnitOfWork, admin: api.UserView
) -> None:
    first = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    second = await service.rotate_refresh_token(rotate(first.refresh_token))
    third = await service.rotate_refresh_token(rotate(second.refresh_token))
    assert third.principal.user_id == admin.user_id
    tokens = uow.store.refresh_tokens
    assert len({t.family_id for t in tokens.values()}) == 1
    assert [t.used_at is not None for t in tokens.values()] == [True, True, False]
    assert token_hash(third.refresh_token) in tokens  # only hashes are kept
    assert third.refresh_token not in tokens


async def test_a_spent_token_from_another_client_revokes_the_whole_family(
    service: UserService, uow: FakeUnitOfWork, admin: api.UserView
) -> None:
    first = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    second = await service.rotate_refresh_token(rotate(first.refresh_token))
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(rotate(first.refresh_token, client_ip="10.6.6.6"))
    # The revocation committed although the request was refused: the successor is dead too.
    assert all(t.revoked_at is not None for t in uow.store.refresh_tokens.values())
    assert uow.store.actions()[-1] == "refresh_token_reused"
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(rotate(second.refresh_token))


async def test_the_same_client_within_the_grace_period_gets_a_sibling(
    service: UserService, uow: FakeUnitOfWork, admin: api.UserView, clock: Clock
) -> None:
    first = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    second = await service.rotate_refresh_token(rotate(first.refresh_token))
    clock.advance(timedelta(seconds=1))
    sibling = await service.rotate_refresh_token(rotate(first.refresh_token))
    assert sibling.refresh_token != second.refresh_token
    assert uow.store.refresh_tokens[token_hash(first.refresh_token)].grace_successors == 1
    assert uow.store.actions()[-1] == "refresh_token_grace"

    clock.advance(timedelta(seconds=10))  # past the grace period: reuse
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(rotate(first.refresh_token))
    assert all(t.revoked_at is not None for t in uow.store.refresh_tokens.values())


async def test_logout_revokes_the_session_and_only_it(
    service: UserService, uow: FakeUnitOfWork, admin: api.UserView
) -> None:
    request = api.IssueRefreshTokenRequest(user_id=admin.user_id)
    mine, other = (
        await service.issue_refresh_token(request),
        await service.issue_refresh_token(request),
    )
    logout = api.RevokeRefreshTokenRequest(refresh_token=mine.refresh_token)
    assert (await service.revoke_refresh_token(logout)).revoked
    assert not (await service.revoke_refresh_token(logout)).revoked  # nothing left to revoke
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(rotate(mine.refresh_token))
    assert (await service.rotate_refresh_token(rotate(other.refresh_token))).principal

"""Refresh tokens of the legacy login: rotation, re-use detection, expiry, logout."""

import asyncio
from datetime import timedelta

import asyncpg
import pytest
from users_support import Clock, Member, as_caller

from attendandt.contracts.rpc import users as api
from attendandt.users.service import MAX_GRACE_SUCCESSORS, Unauthorized, UserService


def _rotate(token: str) -> api.RotateRefreshTokenRequest:
    return api.RotateRefreshTokenRequest(refresh_token=token)


async def test_rotation_hands_out_a_new_token_and_spends_the_old(
    service: UserService, admin: api.UserView, clock: Clock
) -> None:
    first = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    assert first.expires_at == clock.now + timedelta(days=14)

    clock.advance(timedelta(hours=1))
    second = await service.rotate_refresh_token(_rotate(first.refresh_token))
    assert second.refresh_token != first.refresh_token
    assert second.principal.user_id == admin.user_id
    assert second.expires_at == clock.now + timedelta(days=14)

    third = await service.rotate_refresh_token(_rotate(second.refresh_token))
    assert third.principal.email == admin.email


async def test_reusing_a_spent_token_revokes_the_whole_family(
    service: UserService, admin: api.UserView
) -> None:
    stolen = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    legit = await service.rotate_refresh_token(_rotate(stolen.refresh_token))
    other_session = await service.issue_refresh_token(
        api.IssueRefreshTokenRequest(user_id=admin.user_id)
    )

    with pytest.raises(Unauthorized):  # the thief (or the owner) replays the spent token
        await service.rotate_refresh_token(_rotate(stolen.refresh_token))
    with pytest.raises(Unauthorized):  # ... and the family's current token is dead too
        await service.rotate_refresh_token(_rotate(legit.refresh_token))

    # Another sign-in's session is a different family and keeps working.
    assert await service.rotate_refresh_token(_rotate(other_session.refresh_token))
    page = await service.audit_log(api.AuditLogRequest(), caller=as_caller(admin))
    assert [e.action for e in page.entries].count("refresh_token_reused") == 1


async def test_expired_unknown_and_deactivated_tokens_are_refused(
    service: UserService, admin: api.UserView, member: Member, clock: Clock
) -> None:
    token = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    clock.advance(timedelta(days=14))
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(_rotate(token.refresh_token))
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(_rotate("made-up"))

    desk = await member("desk@hotel.example", "reception secret")
    session = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=desk.user_id))
    await service.deactivate_user(
        api.DeactivateUserRequest(user_id=desk.user_id), caller=as_caller(admin)
    )
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(_rotate(session.refresh_token))
    for user_id in (desk.user_id, "00000000-0000-0000-0000-000000000000", "nonsense"):
        with pytest.raises(Unauthorized):
            await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=user_id))


async def test_logout_revokes_the_session_once(service: UserService, admin: api.UserView) -> None:
    token = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    rotated = await service.rotate_refresh_token(_rotate(token.refresh_token))

    logout = api.RevokeRefreshTokenRequest(refresh_token=rotated.refresh_token)
    assert (await service.revoke_refresh_token(logout)).revoked
    assert not (await service.revoke_refresh_token(logout)).revoked
    assert not (
        await service.revoke_refresh_token(api.RevokeRefreshTokenRequest(refresh_token="nope"))
    ).revoked
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(_rotate(rotated.refresh_token))


async def test_only_token_hashes_are_stored(
    service: UserService, admin: api.UserView, database_url: str
) -> None:
    token = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    conn = await asyncpg.connect(database_url)
    try:
        stored = str(await conn.fetch("select * from users.refresh_tokens"))
    finally:
        await conn.close()
    assert token.refresh_token not in stored


async def test_setting_a_password_ends_every_session(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    desk = await member("desk@hotel.example", "reception secret")
    session = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=desk.user_id))
    await service.set_user_password(
        api.SetUserPasswordRequest(user_id=desk.user_id, new_password="another long secret"),
        as_caller(admin),
    )
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(_rotate(session.refresh_token))


def _rotate_from(
    token: str, ip: str = "203.0.113.7", agent: str = "Firefox"
) -> api.RotateRefreshTokenRequest:
    return api.RotateRefreshTokenRequest(refresh_token=token, client_ip=ip, user_agent=agent)


async def test_the_same_client_again_within_the_grace_period_gets_a_sibling(
    service: UserService, admin: api.UserView, clock: Clock
) -> None:
    """Two tabs refreshing one token at once: both get a working successor, each token is
    handed out once, and the session survives."""
    start = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    first, second = await asyncio.gather(
        service.rotate_refresh_token(_rotate_from(start.refresh_token)),
        service.rotate_refresh_token(_rotate_from(start.refresh_token)),
    )
    assert first.refresh_token != second.refresh_token
    clock.advance(timedelta(seconds=4))
    third = await service.rotate_refresh_token(_rotate_from(start.refresh_token))
    assert len({first.refresh_token, second.refresh_token, third.refresh_token}) == 3
    for successor in (first, second, third):
        assert await service.rotate_refresh_token(_rotate_from(successor.refresh_token))
    page = await service.audit_log(api.AuditLogRequest(), caller=as_caller(admin))
    actions = [e.action for e in page.entries]
    assert actions.count("refresh_token_grace") == 2
    assert "refresh_token_reused" not in actions


@pytest.mark.parametrize(
    ("later", "ip", "agent"),
    [
        (timedelta(seconds=6), "203.0.113.7", "Firefox"),  # the same client, too late
        (timedelta(seconds=1), "198.51.100.9", "Firefox"),  # another address
        (timedelta(seconds=1), "203.0.113.7", "curl"),  # another user agent
    ],
)
async def test_reuse_outside_the_grace_period_still_revokes_the_family(
    service: UserService,
    admin: api.UserView,
    clock: Clock,
    later: timedelta,
    ip: str,
    agent: str,
) -> None:
    start = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    successor = await service.rotate_refresh_token(_rotate_from(start.refresh_token))
    clock.advance(later)
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(_rotate_from(start.refresh_token, ip, agent))
    with pytest.raises(Unauthorized):  # the family is gone
        await service.rotate_refresh_token(_rotate_from(successor.refresh_token))


async def test_the_grace_period_hands_out_a_bounded_number_of_siblings(
    service: UserService, admin: api.UserView
) -> None:
    start = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    await service.rotate_refresh_token(_rotate_from(start.refresh_token))
    for _ in range(MAX_GRACE_SUCCESSORS):
        await service.rotate_refresh_token(_rotate_from(start.refresh_token))
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(_rotate_from(start.refresh_token))


async def test_a_rotation_without_a_known_client_has_no_grace(
    service: UserService, admin: api.UserView
) -> None:
    start = await service.issue_refresh_token(api.IssueRefreshTokenRequest(user_id=admin.user_id))
    await service.rotate_refresh_token(_rotate(start.refresh_token))
    with pytest.raises(Unauthorized):
        await service.rotate_refresh_token(_rotate(start.refresh_token))

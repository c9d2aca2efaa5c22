"""Legacy sign-in, principals and the sign-in audit trail (real Postgres)."""

import asyncpg
import pytest
from users_support import ADMIN_EMAIL, ADMIN_PASSWORD, CountingHashing, Member, as_caller

from attendandt.contracts.rpc import users as api
from attendandt.contracts.snapshots import UserRole
from attendandt.users.passwords import HashParameters, PasswordHashing
from attendandt.users.service import SIGN_IN_FAILED, Unauthorized, UserService
from attendandt.users.unit_of_work import sql_units


def _login(email: str, password: str) -> api.AuthenticateRequest:
    return api.AuthenticateRequest(
        email=email, password=password, client_ip="203.0.113.7", user_agent="pytest"
    )


async def _audit(service: UserService, admin: api.UserView) -> list[api.AuditEntry]:
    page = await service.audit_log(api.AuditLogRequest(limit=200), caller=as_caller(admin))
    return list(reversed(page.entries))  # oldest first


async def test_sign_in_succeeds_with_any_email_case_and_is_audited(
    service: UserService, admin: api.UserView
) -> None:
    reply = await service.authenticate(_login("  ROOT@Hotel.Example ", ADMIN_PASSWORD))

    assert reply.principal == api.Principal(
        user_id=admin.user_id, email=ADMIN_EMAIL, name="Root", role=UserRole.ADMIN
    )
    last = (await _audit(service, admin))[-1]
    assert (last.action, last.user_id, last.email, last.reason) == (
        "login_succeeded",
        admin.user_id,
        ADMIN_EMAIL,
        None,
    )
    assert (last.client_ip, last.user_agent) == ("203.0.113.7", "pytest")
    user = await service.get_user(
        api.GetUserRequest(user_id=admin.user_id), caller=as_caller(admin)
    )
    assert user.user.last_login_at is not None


async def test_failures_all_answer_the_same_and_the_audit_keeps_the_reason(
    service: UserService, admin: api.UserView, member: Member, invite
) -> None:
    desk = await member("desk@hotel.example", "reception secret", role="front_desk")
    await invite("nopassword@hotel.example")

    attempts = [
        _login(ADMIN_EMAIL, "wrong password!!"),
        _login("nobody@hotel.example", "whatever it is"),
        _login("not an email", "whatever it is"),
        _login("nopassword@hotel.example", ""),
    ]
    for attempt in attempts:
        with pytest.raises(Unauthorized) as refused:
            await service.authenticate(attempt)
        assert str(refused.value) == SIGN_IN_FAILED

    await service.deactivate_user(
        api.DeactivateUserRequest(user_id=desk.user_id), caller=as_caller(admin)
    )
    with pytest.raises(Unauthorized, match=SIGN_IN_FAILED):
        await service.authenticate(_login("desk@hotel.example", "reception secret"))

    failures = [e for e in await _audit(service, admin) if e.action == "login_failed"]
    assert [(e.email, e.reason, e.user_id is not None) for e in failures] == [
        (ADMIN_EMAIL, "wrong password", True),
        ("nobody@hotel.example", "unknown email", False),
        ("not an email", "unknown email", False),
        ("nopassword@hotel.example", "no password set", True),
        ("desk@hotel.example", "user deactivated", True),
    ]


async def test_an_unknown_email_costs_one_verification_like_a_known_one(
    service: UserService, admin: api.UserView, hashing: CountingHashing
) -> None:
    before = hashing.verifications
    with pytest.raises(Unauthorized):
        await service.authenticate(_login(ADMIN_EMAIL, "wrong password!!"))
    known = hashing.verifications - before

    before = hashing.verifications
    with pytest.raises(Unauthorized):
        await service.authenticate(_login("ghost@hotel.example", "wrong password!!"))
    unknown = hashing.verifications - before

    assert known == unknown == 1


async def test_no_password_or_hash_is_ever_stored_in_the_audit_log_or_returned(
    service: UserService, admin: api.UserView, database_url: str
) -> None:
    with pytest.raises(Unauthorized):
        await service.authenticate(_login(ADMIN_EMAIL, "a very secret guess"))
    await service.authenticate(_login(ADMIN_EMAIL, ADMIN_PASSWORD))

    conn = await asyncpg.connect(database_url)
    try:
        audit = str(await conn.fetch("select * from users.audit_log"))
        stored_hash = await conn.fetchval("select password_hash from users.users")
    finally:
        await conn.close()
    assert stored_hash.startswith("$argon2id$")
    for secret in ("a very secret guess", ADMIN_PASSWORD, "argon2"):
        assert secret not in audit
    user = await service.get_user(
        api.GetUserRequest(user_id=admin.user_id), caller=as_caller(admin)
    )
    assert "argon2" not in repr(user)
    assert user.user.has_password


async def test_a_hash_made_with_old_parameters_is_upgraded_at_sign_in(
    engine, admin: api.UserView, database_url: str
) -> None:
    stronger = PasswordHashing(HashParameters(time_cost=2, memory_cost_kib=2048, parallelism=1))
    upgraded = UserService(sql_units(engine), stronger)

    conn = await asyncpg.connect(database_url)
    try:
        old = await conn.fetchval("select password_hash from users.users")
        assert stronger.needs_rehash(old)
        await upgraded.authenticate(_login(ADMIN_EMAIL, ADMIN_PASSWORD))
        new = await conn.fetchval("select password_hash from users.users")
    finally:
        await conn.close()
    assert new != old
    assert not stronger.needs_rehash(new)
    assert "m=2048,t=2,p=1" in new
    # Still the same password.
    await upgraded.authenticate(_login(ADMIN_EMAIL, ADMIN_PASSWORD))


async def test_principals_by_subject_and_by_id_only_for_active_users(
    service: UserService, admin: api.UserView, member: Member
) -> None:
    spa = await member(
        "spa@vendor.example", "spa vendor secret", role="vendor", vendor_id="v-1",
        enterprise_id="ent-1",
    )  # fmt: skip
    await service.link_subject(
        api.LinkSubjectRequest(user_id=spa.user_id, subject="sb|123"), caller=as_caller(admin)
    )

    by_subject = await service.get_principal_by_subject(
        api.GetPrincipalBySubjectRequest(subject="sb|123")
    )
    by_id = await service.get_principal(api.GetPrincipalRequest(user_id=spa.user_id))
    assert by_subject == by_id
    assert by_id.principal == api.Principal(
        user_id=spa.user_id,
        email="spa@vendor.example",
        name="Someone",
        role=UserRole.VENDOR,
        vendor_id="v-1",
        enterprise_id="ent-1",
    )
    for unknown in ("sb|404", ""):
        with pytest.raises(Unauthorized):
            await service.get_principal_by_subject(
                api.GetPrincipalBySubjectRequest(subject=unknown)
            )
    with pytest.raises(Unauthorized):
        await service.get_principal(api.GetPrincipalRequest(user_id="not-a-uuid"))

    await service.deactivate_user(
        api.DeactivateUserRequest(user_id=spa.user_id), caller=as_caller(admin)
    )
    with pytest.raises(Unauthorized):
        await service.get_principal_by_subject(api.GetPrincipalBySubjectRequest(subject="sb|123"))
    with pytest.raises(Unauthorized):
        await service.get_principal(api.GetPrincipalRequest(user_id=spa.user_id))

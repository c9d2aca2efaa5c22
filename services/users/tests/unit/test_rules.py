"""Pure rules: input normalisation, the password policy, hashing, tokens (no I/O)."""

from datetime import UTC, datetime
from typing import Any, get_type_hints

import pytest
from users_support import CHEAP

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import users as api
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import Invalid
from attendandt.users.passwords import (
    PasswordHashing,
    PasswordPolicyError,
    check_policy,
    new_password,
    new_token,
    token_hash,
)
from attendandt.users.repository import UserRow
from attendandt.users.rpc import caller_handlers, handlers
from attendandt.users.rules import (
    check_vendor,
    normalise_email,
    parse_enterprise,
    parse_user_id,
    view_of,
)
from attendandt.users.service import UserService


def test_emails_are_trimmed_and_lower_cased() -> None:
    assert normalise_email("  Ada.Lovelace@Example.COM ") == "ada.lovelace@example.com"
    for bad in ("", "ada", "ada@", "@example.com", "ada@example", "a da@example.com", "a@b@c.d"):
        assert normalise_email(bad) is None


def test_vendor_id_is_required_for_vendors_and_forbidden_otherwise() -> None:
    assert check_vendor(UserRole.VENDOR, " v-1 ") == "v-1"
    assert check_vendor(UserRole.MANAGER, None) is None
    with pytest.raises(Invalid):
        check_vendor(UserRole.VENDOR, "  ")
    with pytest.raises(Invalid):
        check_vendor(UserRole.ADMIN, "v-1")


def test_enterprise_ids_must_fit_in_a_subject() -> None:
    assert parse_enterprise(None) is None
    assert parse_enterprise("portfolio") is None
    assert parse_enterprise("8a1f3b0e-1c2d-4e5f") == "8a1f3b0e-1c2d-4e5f"
    for bad in ("a.b", "a b", "a>", ""):
        with pytest.raises(Invalid):
            parse_enterprise(bad)


def test_user_ids_are_uuids() -> None:
    assert parse_user_id("5F0E6C1A-0000-4000-8000-000000000001") == (
        "5f0e6c1a-0000-4000-8000-000000000001"
    )
    assert parse_user_id("1; drop table users") is None


def test_password_policy() -> None:
    check_policy("correct horse battery", email="root@hotel.example")
    for bad, why in [
        ("short", "at least 12"),
        ("x" * 1025, "at most 1024"),
        (" " * 12, "only spaces"),
        ("abababababab", "4 different"),
        ("my-reception-2026", "name part"),
    ]:
        with pytest.raises(PasswordPolicyError, match=why):
            check_policy(bad, email="reception@hotel.example")
    check_policy(new_password("root@hotel.example"), email="root@hotel.example")


async def test_argon2id_hashing_verifies_and_detects_old_parameters() -> None:
    hashing = PasswordHashing(CHEAP)
    hashed = await hashing.hash("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert await hashing.verify(hashed, "correct horse battery")
    assert not await hashing.verify(hashed, "wrong horse battery")
    assert not await hashing.verify("not a hash", "correct horse battery")
    assert not await hashing.verify(None, "correct horse battery")  # the dummy path
    assert not hashing.needs_rehash(hashed)
    assert hashing.needs_rehash(hashed.replace("t=1", "t=2"))
    assert hashing.needs_rehash("not a hash")


def test_tokens_are_random_and_stored_as_hashes() -> None:
    token = new_token()
    assert len(token) >= 43
    assert token != new_token()
    assert token_hash(token) == token_hash(token)
    assert token not in token_hash(token)


def test_user_rows_and_views_never_show_the_password_hash() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    row = UserRow(
        user_id="u", email="a@b.cd", name="A", role="admin", vendor_id=None, enterprise_id=None,
        is_active=True, external_subject=None, password_hash="$argon2id$secret",
        password_changed_at=now, last_login_at=None, provisioned_at=None, version=1,
        created_at=now, updated_at=now,
    )  # fmt: skip
    assert "argon2" not in repr(row)
    assert "argon2" not in repr(view_of(row))
    assert view_of(row).has_password


def test_every_rpc_method_has_a_handler_of_its_request_and_response_types() -> None:
    service = UserService(None, PasswordHashing(CHEAP))  # type: ignore[arg-type]
    plain, for_caller = handlers(service), caller_handlers(service)
    pairs: list[tuple[Any, Any]] = [*plain, *for_caller]
    subjects = [m.subject for m, _ in pairs]
    assert sorted(subjects) == sorted(m.subject for m in api.METHODS)
    for method, handler in pairs:
        hints = get_type_hints(handler)
        assert (hints["request"], hints["return"]) == (method.request, method.response), method
    # The methods made for a signed-in user take the caller (from the header), the pre-auth
    # ones none.
    assert all(get_type_hints(h)["caller"] is Caller for _, h in for_caller)
    assert not any("caller" in get_type_hints(h) for _, h in plain)
    assert {m.method for m, _ in plain} == {
        "authenticate", "get_principal_by_subject", "get_principal", "issue_refresh_token",
        "rotate_refresh_token", "revoke_refresh_token", "set_password",
    }  # fmt: skip

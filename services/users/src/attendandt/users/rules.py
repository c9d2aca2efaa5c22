"""The users service's rules, pure: what a valid email, name, vendor, property, subject and
user id are; who an admin may administer; when a token is refused; the answers' views."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import users as api
from attendandt.contracts.rpc.users import PORTFOLIO
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import Invalid
from attendandt.users.repository import AuditRow, TokenRow, UserRow

MAX_PAGE = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TOKEN_PART = re.compile(r"^[A-Za-z0-9_\-]{1,100}$")


def may_administer(caller: Caller, enterprise_id: str | None) -> bool:
    """Whether the caller acts for this property (None: the portfolio, which only
    portfolio-wide callers do)."""
    if enterprise_id is None:
        return caller.enterprise_ids is None
    return caller.may_act_for(enterprise_id)


def sees(caller: Caller, user: UserRow) -> bool:
    return may_administer(caller, user.enterprise_id)


def can_sign_in(user: UserRow) -> bool:
    return user.is_active and (user.password_hash is not None or user.external_subject is not None)


def client_fingerprint(client_ip: str | None, user_agent: str | None) -> str | None:
    """Who presented a refresh token, hashed (the audit log keeps the plain address)."""
    if client_ip is None and user_agent is None:
        return None
    return hashlib.sha256(f"{client_ip or ''}\n{user_agent or ''}".encode()).hexdigest()


def token_refusal(row: TokenRow | None, now: datetime) -> str | None:
    if row is None:
        return "unknown"
    if row.revoked_at is not None:
        return "revoked"
    if row.used_at is not None:
        return "reused"
    if row.expires_at <= now:
        return "expired"
    return None


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise Invalid("offset cannot be negative")


def clip(value: str | None, length: int) -> str | None:
    return value[:length] if value is not None else None


def present(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value is not None}


# --- validation and mapping ------------------------------------------------------------------


def normalise_email(value: str) -> str | None:
    """Trimmed and lower-cased, or None when it does not look like an address."""
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        return None
    return email


def require_email(value: str) -> str:
    email = normalise_email(value)
    if email is None:
        raise Invalid("email is not a valid address")
    return email


def require_name(value: str) -> str:
    name = " ".join(value.split())
    if not name or len(name) > 200:
        raise Invalid("name must have 1 to 200 characters")
    return name


def check_vendor(role: UserRole, vendor_id: str | None) -> str | None:
    vendor_id = vendor_id.strip() if vendor_id else None
    if role == UserRole.VENDOR and not vendor_id:
        raise Invalid("a vendor user needs a vendor_id")
    if role != UserRole.VENDOR and vendor_id:
        raise Invalid("only vendor users have a vendor_id")
    return vendor_id


def parse_enterprise(value: str | None) -> str | None:
    """None and "portfolio" mean portfolio-wide; anything else must fit in a subject token."""
    if value is None or value == PORTFOLIO:
        return None
    if not _TOKEN_PART.match(value):
        raise Invalid("enterprise_id must be letters, digits, '-' or '_'")
    return value


def parse_subject(value: str | None) -> str | None:
    if value is None:
        return None
    subject = value.strip()
    if not subject or len(subject) > 255:
        raise Invalid("subject must have 1 to 255 characters")
    return subject


def parse_user_id(value: str | None) -> str | None:
    """The canonical form of a user id, or None when it is not one (never a database error)."""
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def principal_of(user: UserRow) -> api.Principal:
    return api.Principal(
        user_id=user.user_id,
        email=user.email,
        name=user.name,
        role=UserRole(user.role),
        vendor_id=user.vendor_id,
        enterprise_id=user.enterprise_id,
    )


def view_of(user: UserRow) -> api.UserView:
    return api.UserView(
        user_id=user.user_id,
        email=user.email,
        name=user.name,
        role=UserRole(user.role),
        vendor_id=user.vendor_id,
        enterprise_id=user.enterprise_id,
        is_active=user.is_active,
        external_subject=user.external_subject,
        has_password=user.password_hash is not None,
        created_at=user.created_at,
        updated_at=user.updated_at,
        last_login_at=user.last_login_at,
    )


def entry_of(row: AuditRow) -> api.AuditEntry:
    return api.AuditEntry(
        entry_id=row.entry_id,
        occurred_at=row.occurred_at,
        action=row.action,
        actor_id=row.actor_id,
        user_id=row.user_id,
        email=row.email,
        reason=row.reason,
        client_ip=row.client_ip,
        user_agent=row.user_agent,
        details=dict(row.details),
    )

"""What the users service's use case modules share: their dependencies, the admin and user
lookups for a caller, the last-admin guard and the user events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from attendandt.contracts.caller import Caller
from attendandt.contracts.events import USER_EVENT, UserEvent
from attendandt.contracts.rpc.users import PORTFOLIO
from attendandt.contracts.snapshots import PublicUserSnapshot, UserRole
from attendandt.platform.rpc import Conflict, Forbidden, NotFound, ServiceError
from attendandt.users.passwords import PasswordHashing
from attendandt.users.repository import UserRow
from attendandt.users.rules import can_sign_in, parse_user_id, sees
from attendandt.users.unit_of_work import UnitOfWork


class Unauthorized(ServiceError):
    """No valid credential: wrong password, unknown or used-up token, deactivated user."""

    status = 401
    title = "Unauthorized"


@dataclass(frozen=True)
class TokenLifetimes:
    refresh: timedelta = timedelta(days=14)
    set_password: timedelta = timedelta(days=7)
    #: How long after its rotation a refresh token may be presented again by the same client.
    refresh_grace: timedelta = timedelta(seconds=5)


@dataclass(frozen=True)
class UseCases:
    """The dependencies every use case module of the service is built on: `units()` makes
    the unit of work of one transaction."""

    units: Callable[[], UnitOfWork]
    hashing: PasswordHashing
    lifetimes: TokenLifetimes
    clock: Callable[[], datetime]


async def require_admin(uow: UnitOfWork, caller: Caller) -> UserRow:
    """The caller as stored here: the header says who, our rows say whether that user is
    (still) an active admin."""
    parsed = parse_user_id(caller.user_id)
    actor = await uow.users.get(parsed) if parsed else None
    if actor is None or not actor.is_active or actor.role != UserRole.ADMIN:
        raise Forbidden("only an active admin may do this")
    return actor


async def require_user(
    uow: UnitOfWork, caller: Caller, user_id: str, *, for_update: bool = False
) -> UserRow:
    """A user the caller may see: a user of another property is not found."""
    parsed = parse_user_id(user_id)
    user = await uow.users.get(parsed, for_update=for_update) if parsed else None
    if user is None or not sees(caller, user):
        raise NotFound(f"no user {user_id}")
    return user


async def keep_an_admin(uow: UnitOfWork, user: UserRow) -> None:
    """Refuse to demote or deactivate the last admin who can sign in (the caller holds the
    lock). Admins who cannot sign in (invited, no password yet) neither count nor are kept."""
    if user.role != UserRole.ADMIN or not user.is_active or not can_sign_in(user):
        return
    if not (await uow.users.sign_in_admin_ids()) - {user.user_id}:
        raise Conflict("the last active admin who can sign in cannot be demoted or deactivated")


async def announce(uow: UnitOfWork, user: UserRow, event: str, at: datetime) -> None:
    enterprise = user.enterprise_id or PORTFOLIO
    event_id = f"user:{user.user_id}:{user.version}"
    payload = UserEvent(
        event_id=event_id,
        enterprise_id=enterprise,
        occurred_at=at,
        event=event,
        # No email: public events reach every hotel system subscribed to them.
        user=PublicUserSnapshot(
            user_id=user.user_id,
            name=user.name,
            role=UserRole(user.role),
            vendor_id=user.vendor_id,
            is_active=user.is_active,
        ),
    )
    subject = USER_EVENT.format(enterprise=enterprise, event=event)
    await uow.queue(subject, payload, msg_id=event_id)

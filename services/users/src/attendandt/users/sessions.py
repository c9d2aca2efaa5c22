"""Sign-in, principals and refresh tokens (the sessions a sign-in starts).

- Every failed sign-in answers the same 401; the audit log keeps the real reason.
- Refresh rotation has a grace period (`TokenLifetimes.refresh_grace`, a few seconds): a
  token spent a moment ago, presented again by the client that spent it (same address and
  user agent: two tabs of one browser refreshing at once), gets a new sibling successor in
  the same family instead of revoking it. The first successor is never handed out again, so
  every token still appears in exactly one reply (we store only hashes and could not).
  Anyone else, later, or more than `MAX_GRACE_SUCCESSORS` times: reuse, the family is revoked.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from attendandt.contracts.rpc import users as api
from attendandt.users.core import Unauthorized, UseCases
from attendandt.users.passwords import new_token, token_hash
from attendandt.users.repository import TokenRow, UserRow
from attendandt.users.rules import (
    client_fingerprint,
    clip,
    normalise_email,
    parse_user_id,
    principal_of,
    token_refusal,
)

log = logging.getLogger(__name__)

SIGN_IN_FAILED = "invalid email or password"
#: Successors one spent refresh token may still get within the grace period (tabs, retries).
MAX_GRACE_SUCCESSORS = 3


class Sessions(UseCases):
    async def authenticate(self, request: api.AuthenticateRequest) -> api.PrincipalResponse:
        email = normalise_email(request.email)
        user: UserRow | None = None
        if email is not None:
            async with self.units() as uow:
                user = await uow.users.by_email(email)
        # Always exactly one verification, so an unknown email costs what a wrong password does.
        matches = await self.hashing.verify(user.password_hash if user else None, request.password)
        reason: str | None = None
        if user is None:
            reason = "unknown email"
        elif user.password_hash is None:
            reason = "no password set"
        elif not matches:
            reason = "wrong password"
        elif not user.is_active:
            reason = "user deactivated"
        new_hash: str | None = None
        if (
            reason is None
            and user is not None
            and user.password_hash is not None
            and self.hashing.needs_rehash(user.password_hash)
        ):
            new_hash = await self.hashing.hash(request.password)
        now = self.clock()
        async with self.units() as uow:
            if reason is None and user is not None:
                values: dict[str, object] = {"last_login_at": now}
                if new_hash is not None:
                    values |= {"password_hash": new_hash}
                user = await uow.users.update(user.user_id, announce=False, **values)
            await uow.audit.add(
                "login_succeeded" if reason is None else "login_failed",
                at=now,
                user_id=user.user_id if user else None,
                email=(email or request.email.strip().lower())[:320],
                reason=reason,
                client_ip=clip(request.client_ip, 64),
                user_agent=clip(request.user_agent, 512),
                details={"rehashed": "true"} if new_hash else None,
            )
            await uow.commit()
        if reason is not None or user is None:
            log.info("sign-in refused", extra={"reason": reason})
            raise Unauthorized(SIGN_IN_FAILED)
        return api.PrincipalResponse(principal=principal_of(user))

    async def get_principal_by_subject(
        self, request: api.GetPrincipalBySubjectRequest
    ) -> api.PrincipalResponse:
        async with self.units() as uow:
            user = await uow.users.by_subject(request.subject)
        if user is None or not user.is_active:
            raise Unauthorized("no active user is linked to this identity")
        return api.PrincipalResponse(principal=principal_of(user))

    async def get_principal(self, request: api.GetPrincipalRequest) -> api.PrincipalResponse:
        user = None
        if (user_id := parse_user_id(request.user_id)) is not None:
            async with self.units() as uow:
                user = await uow.users.get(user_id)
        if user is None or not user.is_active:
            raise Unauthorized("no active user with this id")
        return api.PrincipalResponse(principal=principal_of(user))

    async def issue_refresh_token(
        self, request: api.IssueRefreshTokenRequest
    ) -> api.RefreshTokenResponse:
        now = self.clock()
        token = new_token()
        expires_at = now + self.lifetimes.refresh
        async with self.units() as uow:
            user_id = parse_user_id(request.user_id)
            user = await uow.users.get(user_id) if user_id else None
            if user is None or not user.is_active:
                raise Unauthorized("no active user with this id")
            await uow.refresh_tokens.add(
                token_hash=token_hash(token),
                user_id=user.user_id,
                family_id=str(uuid.uuid4()),
                issued_at=now,
                expires_at=expires_at,
            )
            await uow.commit()
        return api.RefreshTokenResponse(refresh_token=token, expires_at=expires_at)

    async def rotate_refresh_token(
        self, request: api.RotateRefreshTokenRequest
    ) -> api.RotatedRefreshTokenResponse:
        """Spend the token and hand out its successor. A token presented a second time means
        two parties hold it (one of them a thief): the whole family is revoked, unless it is
        the same client again within the grace period (see the module docstring)."""
        now = self.clock()
        token = new_token()
        expires_at = now + self.lifetimes.refresh
        client = client_fingerprint(request.client_ip, request.user_agent)
        refusal: str | None = None
        user: UserRow | None = None
        grace = False
        async with self.units() as uow:
            # The row lock serialises concurrent rotations of one token: the second one sees
            # the first one's `used_at` and `used_by`.
            row = await uow.refresh_tokens.for_update(token_hash(request.refresh_token))
            refusal = token_refusal(row, now)
            if row is not None and refusal == "reused" and self._in_grace(row, client, now):
                refusal, grace = None, True
            if row is not None and refusal is None:
                user = await uow.users.get(row.user_id)
                if user is None or not user.is_active:
                    refusal = "user deactivated"
            if row is not None and refusal in ("reused", "user deactivated"):
                assert row.family_id is not None
                await uow.refresh_tokens.revoke_family(row.family_id, now)
                if refusal == "reused":
                    await uow.audit.add(
                        "refresh_token_reused",
                        at=now,
                        user_id=row.user_id,
                        reason="a used refresh token was presented again; its family is revoked",
                        details={"family_id": row.family_id},
                    )
            if row is not None and refusal is None:
                assert row.family_id is not None
                if grace:
                    await uow.refresh_tokens.count_grace_successor(row.token_hash)
                    await uow.audit.add(
                        "refresh_token_grace",
                        at=now,
                        user_id=row.user_id,
                        reason="a just-rotated refresh token was presented again by the same "
                        "client; a sibling successor is issued",
                        client_ip=clip(request.client_ip, 64),
                        user_agent=clip(request.user_agent, 512),
                        details={"family_id": row.family_id},
                    )
                else:
                    await uow.refresh_tokens.mark_used(row.token_hash, now, used_by=client)
                await uow.refresh_tokens.add(
                    token_hash=token_hash(token),
                    user_id=row.user_id,
                    family_id=row.family_id,
                    issued_at=now,
                    expires_at=expires_at,
                )
            await uow.commit()
        if refusal is not None or user is None:
            log.info("refresh refused", extra={"reason": refusal})
            raise Unauthorized("refresh token is not valid")
        return api.RotatedRefreshTokenResponse(
            refresh_token=token, expires_at=expires_at, principal=principal_of(user)
        )

    def _in_grace(self, row: TokenRow, client: str | None, now: datetime) -> bool:
        """A spent (not revoked, not expired) token presented again by the client that spent
        it, shortly after, and not too often."""
        return (
            client is not None
            and row.used_by == client
            and row.used_at is not None
            and row.revoked_at is None
            and row.expires_at > now
            and now - row.used_at <= self.lifetimes.refresh_grace
            and row.grace_successors < MAX_GRACE_SUCCESSORS
        )

    async def revoke_refresh_token(
        self, request: api.RevokeRefreshTokenRequest
    ) -> api.RevokeRefreshTokenResponse:
        """Logout: the token's whole family (this sign-in's session) stops working."""
        now = self.clock()
        async with self.units() as uow:
            row = await uow.refresh_tokens.for_update(token_hash(request.refresh_token))
            if row is None or row.family_id is None:
                return api.RevokeRefreshTokenResponse(revoked=False)
            revoked = await uow.refresh_tokens.revoke_family(row.family_id, now)
            await uow.commit()
        return api.RevokeRefreshTokenResponse(revoked=revoked > 0)

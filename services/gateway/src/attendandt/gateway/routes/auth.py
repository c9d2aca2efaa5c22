"""Sign-in (legacy email and password), refresh, sign-out, set a password, who am I."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Router, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from attendandt.contracts.rpc import users as users_rpc
from attendandt.contracts.rpc.users import Principal
from attendandt.gateway.backend import Backend
from attendandt.gateway.permissions import Permission, permissions_of
from attendandt.gateway.problems import ProblemException
from attendandt.gateway.routes.common import BackendDep, needs, principal_of, public
from attendandt.gateway.schemas.auth import LoginBody, Me, RefreshBody, SetPasswordBody, TokenPair
from attendandt.gateway.signin_limits import Action, LimitsUnavailable
from attendandt.platform.rpc import RpcFailure, RpcTimeout

log = logging.getLogger(__name__)


def me_of(principal: Principal) -> Me:
    return Me(
        user_id=principal.user_id,
        email=principal.email,
        name=principal.name,
        role=principal.role,
        vendor_id=principal.vendor_id,
        enterprise_id=principal.enterprise_id,
        permissions=sorted(p.value for p in permissions_of(principal.role)),
    )


def _client(request: Request[Any, Any, Any]) -> tuple[str | None, str | None]:
    """The client's address (forwarded by a trusted proxy, or the peer: clients.py)."""
    host = request.client.host if request.client else None
    agent = request.headers.get("user-agent")
    return host, agent[:500] if agent else None


async def _admit(
    backend: Backend, action: Action, client: str | None, account: str | None = None
) -> None:
    """Count the attempt against the shared sign-in limits, or refuse it with 429."""
    try:
        refusal = await backend.signin_limits.admit(action, client, account=account)
    except LimitsUnavailable as exc:
        # Never sign in without the shared limits: that is what guessing would wait for.
        log.warning("sign-in limits unavailable", extra={"reason": str(exc)})
        raise ProblemException(
            503,
            "sign-in is unavailable for a moment; try again shortly",
            kind="service-unavailable",
            headers={"Retry-After": "5"},
        ) from exc
    if refusal is not None:
        raise ProblemException(
            429,
            f"{refusal.reason}; try again in {refusal.retry_after} s",
            kind="rate-limited",
            headers={"Retry-After": str(refusal.retry_after)},
        )


@post("/login", status_code=HTTP_200_OK, **public())
async def login(
    *, request: Request[Any, Any, Any], data: JSONBody[LoginBody], backend: BackendDep
) -> TokenPair:
    """Email and password: a short-lived access token and a single-use refresh token.
    Limited per address and per account; repeated failures lock this address out of the
    account for a while (429 with `Retry-After`)."""
    client_ip, user_agent = _client(request)
    await _admit(backend, Action.LOGIN, client_ip, account=data.email)
    try:
        signed_in = await backend.call(
            users_rpc.AUTHENTICATE,
            users_rpc.AuthenticateRequest(
                email=data.email,
                password=data.password,
                client_ip=client_ip,
                user_agent=user_agent,
            ),
        )
    except RpcFailure as failure:
        # A wrong password stays counted (admit counted it); anything else never tested it.
        if failure.error.status != 401:
            await backend.signin_limits.release(data.email, client_ip)
        raise
    except RpcTimeout:
        await backend.signin_limits.release(data.email, client_ip)
        raise
    await backend.signin_limits.succeeded(data.email, client_ip)
    principal = signed_in.principal
    refresh = await backend.call(
        users_rpc.ISSUE_REFRESH_TOKEN, users_rpc.IssueRefreshTokenRequest(user_id=principal.user_id)
    )
    access, lifetime = backend.verifier.issue(principal.user_id)
    return TokenPair(
        access_token=access,
        expires_in=lifetime,
        refresh_token=refresh.refresh_token,
        refresh_expires_at=refresh.expires_at,
        user=me_of(principal),
    )


@post("/refresh", status_code=HTTP_200_OK, **public())
async def refresh(
    *, request: Request[Any, Any, Any], data: JSONBody[RefreshBody], backend: BackendDep
) -> TokenPair:
    """Spend a refresh token for a new pair. A token used twice ends its whole session,
    except when the same client (address and user agent) presents it again within a few
    seconds (two tabs refreshing at once): that client gets another new pair."""
    client_ip, user_agent = _client(request)
    await _admit(backend, Action.REFRESH, client_ip)
    rotated = await backend.call(
        users_rpc.ROTATE_REFRESH_TOKEN,
        users_rpc.RotateRefreshTokenRequest(
            refresh_token=data.refresh_token, client_ip=client_ip, user_agent=user_agent
        ),
    )
    backend.principals.forget_user(rotated.principal.user_id)
    access, lifetime = backend.verifier.issue(rotated.principal.user_id)
    return TokenPair(
        access_token=access,
        expires_in=lifetime,
        refresh_token=rotated.refresh_token,
        refresh_expires_at=rotated.expires_at,
        user=me_of(rotated.principal),
    )


@post("/logout", status_code=HTTP_204_NO_CONTENT, **public())
async def logout(
    *, request: Request[Any, Any, Any], data: JSONBody[RefreshBody], backend: BackendDep
) -> None:
    """End the session the refresh token belongs to (idempotent)."""
    await _admit(backend, Action.LOGOUT, _client(request)[0])
    await backend.call(
        users_rpc.REVOKE_REFRESH_TOKEN,
        users_rpc.RevokeRefreshTokenRequest(refresh_token=data.refresh_token),
    )


@post("/set-password", status_code=HTTP_204_NO_CONTENT, **public())
async def set_password(
    *, request: Request[Any, Any, Any], data: JSONBody[SetPasswordBody], backend: BackendDep
) -> None:
    """Choose a password with an invite's (or an admin reset's) one-time token."""
    await _admit(backend, Action.SET_PASSWORD, _client(request)[0])
    await backend.call(
        users_rpc.SET_PASSWORD,
        users_rpc.SetPasswordRequest(token=data.token, new_password=data.new_password),
    )


@get("/me", **needs(Permission.SELF_READ))
async def me(request: Request[Any, Any, Any]) -> Me:
    return me_of(principal_of(request))


# Sign-in, refresh, logout and set-password are limited by the shared sign-in limits
# (signin_limits, in each handler), not by the API's per-process limit.
auth_router = Router(
    path="/auth", route_handlers=[login, refresh, logout, set_password, me], tags=["auth"]
)

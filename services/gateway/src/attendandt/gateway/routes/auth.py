"""Sign-in (legacy email and password), refresh, sign-out, set a password, who am I."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from attendandt.contracts.rpc import users as users_rpc
from attendandt.contracts.rpc.users import Principal
from attendandt.gateway.permissions import Permission, permissions_of
from attendandt.gateway.routes.common import BackendDep, needs, principal_of, public
from attendandt.gateway.schemas import LoginBody, Me, RefreshBody, SetPasswordBody, TokenPair


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
    host = request.client.host if request.client else None
    agent = request.headers.get("user-agent")
    return host, agent[:500] if agent else None


@post("/login", status_code=HTTP_200_OK, **public())
async def login(
    *, request: Request[Any, Any, Any], data: JSONBody[LoginBody], backend: BackendDep
) -> TokenPair:
    """Email and password: a short-lived access token and a single-use refresh token."""
    client_ip, user_agent = _client(request)
    signed_in = await backend.call(
        users_rpc.AUTHENTICATE,
        users_rpc.AuthenticateRequest(
            email=data.email, password=data.password, client_ip=client_ip, user_agent=user_agent
        ),
    )
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
async def refresh(data: JSONBody[RefreshBody], backend: BackendDep) -> TokenPair:
    """Spend a refresh token for a new pair. A token used twice ends its whole session."""
    rotated = await backend.call(
        users_rpc.ROTATE_REFRESH_TOKEN,
        users_rpc.RotateRefreshTokenRequest(refresh_token=data.refresh_token),
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
async def logout(data: JSONBody[RefreshBody], backend: BackendDep) -> None:
    """End the session the refresh token belongs to (idempotent)."""
    await backend.call(
        users_rpc.REVOKE_REFRESH_TOKEN,
        users_rpc.RevokeRefreshTokenRequest(refresh_token=data.refresh_token),
    )


@post("/set-password", status_code=HTTP_204_NO_CONTENT, **public())
async def set_password(data: JSONBody[SetPasswordBody], backend: BackendDep) -> None:
    """Choose a password with an invite's (or an admin reset's) one-time token."""
    await backend.call(
        users_rpc.SET_PASSWORD,
        users_rpc.SetPasswordRequest(token=data.token, new_password=data.new_password),
    )


@get("/me", **needs(Permission.SELF_READ))
async def me(request: Request[Any, Any, Any]) -> Me:
    return me_of(principal_of(request))


def auth_router(login_per_minute: int) -> Router:
    # Stricter than the API's limit, in its own store: guessing passwords or tokens is slow.
    limit = RateLimitConfig(
        rate_limit=("minute", login_per_minute), store="login_rate_limit", exclude=[r"/auth/me$"]
    )
    return Router(
        path="/auth",
        route_handlers=[login, refresh, logout, set_password, me],
        middleware=[limit.middleware],
        tags=["auth"],
    )

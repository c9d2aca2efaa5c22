"""User administration (admins only), called for the signed-in user (`caller(request)`, in
the call's header): the users service checks that caller again, and limits a caller bound to a
property to that property's users (another's are not found)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Router, get, post
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from attendandt.contracts.rpc import users as rpc
from attendandt.contracts.snapshots import UserRole
from attendandt.gateway.permissions import Permission
from attendandt.gateway.routes.common import BackendDep, caller, needs
from attendandt.gateway.schemas.users import RoleChange, UserInvite

IdPath = Annotated[str, PathParameter(min_length=1, max_length=100)]
Req = Request[Any, Any, Any]

P = Permission


@get("/users", **needs(P.USERS_ADMIN))
async def list_users(
    *,
    request: Req,
    backend: BackendDep,
    role: FromQuery[UserRole | None] = None,
    is_active: FromQuery[bool | None] = None,
    enterprise_id: Annotated[str | None, QueryParameter(min_length=1, max_length=100)] = None,
    vendor_id: Annotated[str | None, QueryParameter(min_length=1, max_length=100)] = None,
    q: Annotated[str | None, QueryParameter(max_length=200)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
) -> rpc.UserPage:
    return await backend.call(
        rpc.LIST_USERS,
        rpc.ListUsersRequest(
            role=role,
            is_active=is_active,
            enterprise_id=enterprise_id,
            vendor_id=vendor_id,
            query=q,
            limit=limit,
            offset=offset,
        ),
        caller=caller(request),
    )


@post("/users", status_code=HTTP_201_CREATED, **needs(P.USERS_ADMIN))
async def invite_user(
    *, request: Req, data: JSONBody[UserInvite], backend: BackendDep
) -> rpc.InviteUserResponse:
    """A new active user without a password, and the one-time token to set one (shown once)."""
    return await backend.call(
        rpc.INVITE_USER,
        rpc.InviteUserRequest(
            email=data.email,
            name=data.name,
            role=data.role,
            vendor_id=data.vendor_id,
            enterprise_id=data.enterprise_id,
        ),
        caller=caller(request),
    )


@get("/users/{user_id:str}", **needs(P.USERS_ADMIN))
async def get_user(request: Req, user_id: IdPath, backend: BackendDep) -> rpc.UserView:
    reply = await backend.call(
        rpc.GET_USER, rpc.GetUserRequest(user_id=user_id), caller=caller(request)
    )
    return reply.user


@post("/users/{user_id:str}/role", status_code=HTTP_200_OK, **needs(P.USERS_ADMIN))
async def change_role(
    *, request: Req, user_id: IdPath, data: JSONBody[RoleChange], backend: BackendDep
) -> rpc.UserView:
    reply = await backend.call(
        rpc.CHANGE_ROLE,
        rpc.ChangeRoleRequest(
            user_id=user_id,
            role=data.role,
            vendor_id=data.vendor_id,
        ),
        caller=caller(request),
    )
    backend.principals.forget_user(user_id)
    return reply.user


@post("/users/{user_id:str}/deactivate", status_code=HTTP_200_OK, **needs(P.USERS_ADMIN))
async def deactivate_user(request: Req, user_id: IdPath, backend: BackendDep) -> rpc.UserView:
    reply = await backend.call(
        rpc.DEACTIVATE_USER,
        rpc.DeactivateUserRequest(user_id=user_id),
        caller=caller(request),
    )
    backend.principals.forget_user(user_id)
    return reply.user


@post("/users/{user_id:str}/password-token", status_code=HTTP_200_OK, **needs(P.USERS_ADMIN))
async def reset_password(
    *, request: Req, user_id: IdPath, backend: BackendDep
) -> rpc.SetPasswordTokenResponse:
    """A password reset: a new one-time set-password token (earlier ones stop working)."""
    return await backend.call(
        rpc.ISSUE_SET_PASSWORD_TOKEN,
        rpc.IssueSetPasswordTokenRequest(user_id=user_id),
        caller=caller(request),
    )


users_router = Router(
    path="/",
    route_handlers=[
        list_users,
        invite_user,
        get_user,
        change_role,
        deactivate_user,
        reset_password,
    ],
    tags=["users"],
)

"""Request-reply handlers (`rpc.v1.users.<method>`, queue group "users"): decode, call the
use case, map its errors to statuses (platform.rpc). No SQL here.

The pre-auth methods (sign-in, principals, refresh tokens, a password set with a token) are
answered without a caller; every other one is made for a caller, read from the
`Attendandt-Caller` header (`answer_for_caller`: none, 401), never from the body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from attendandt.contracts.base import RpcMethod
from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import users as api
from attendandt.platform.runtime import Runtime
from attendandt.users.service import UserService

Plain = Callable[[Any], Awaitable[Any]]
ForCaller = Callable[[Any, Caller], Awaitable[Any]]


def handlers(service: UserService) -> list[tuple[RpcMethod[Any, Any], Plain]]:
    """The pre-auth methods and the use case that answers each (no caller)."""
    return [
        (api.AUTHENTICATE, service.authenticate),
        (api.GET_PRINCIPAL_BY_SUBJECT, service.get_principal_by_subject),
        (api.GET_PRINCIPAL, service.get_principal),
        (api.ISSUE_REFRESH_TOKEN, service.issue_refresh_token),
        (api.ROTATE_REFRESH_TOKEN, service.rotate_refresh_token),
        (api.REVOKE_REFRESH_TOKEN, service.revoke_refresh_token),
        (api.SET_PASSWORD, service.set_password),
    ]


def caller_handlers(service: UserService) -> list[tuple[RpcMethod[Any, Any], ForCaller]]:
    """The methods made for a signed-in caller and the use case that answers each."""
    return [
        (api.INVITE_USER, service.invite_user),
        (api.SET_USER_PASSWORD, service.set_user_password),
        (api.ISSUE_SET_PASSWORD_TOKEN, service.issue_set_password_token),
        (api.CHANGE_ROLE, service.change_role),
        (api.DEACTIVATE_USER, service.deactivate_user),
        (api.LINK_SUBJECT, service.link_subject),
        (api.GET_USER, service.get_user),
        (api.LIST_USERS, service.list_users),
        (api.AUDIT_LOG, service.audit_log),
    ]


def register_rpc(runtime: Runtime, service: UserService) -> None:
    plain, for_caller = handlers(service), caller_handlers(service)
    answered = [method.subject for method, _ in [*plain, *for_caller]]
    missing = {m.subject for m in api.METHODS} - set(answered)
    assert not missing, f"rpc methods without a handler: {sorted(missing)}"
    assert len(answered) == len(set(answered)), "a method is answered twice"
    for method, handler in plain:
        runtime.answer(method, handler, for_caller=False)
    for method, caller_handler in for_caller:
        runtime.answer(method, caller_handler)

"""Request-reply handlers (`rpc.v1.users.<method>`, queue group "users"): decode, call the
use case, map its errors to statuses (platform.rpc.answer). No SQL here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.nats import NatsBroker, NatsMessage, NatsResponse

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc import users as api
from attendandt.platform.rpc import answer
from attendandt.users.service import UserService
from attendandt.users.settings import SERVICE


def handlers(service: UserService) -> list[tuple[RpcMethod[Any, Any], Callable[[Any], Any]]]:
    """Each method of the contract and the use case that answers it."""
    return [
        (api.AUTHENTICATE, service.authenticate),
        (api.GET_PRINCIPAL_BY_SUBJECT, service.get_principal_by_subject),
        (api.GET_PRINCIPAL, service.get_principal),
        (api.ISSUE_REFRESH_TOKEN, service.issue_refresh_token),
        (api.ROTATE_REFRESH_TOKEN, service.rotate_refresh_token),
        (api.REVOKE_REFRESH_TOKEN, service.revoke_refresh_token),
        (api.INVITE_USER, service.invite_user),
        (api.SET_PASSWORD, service.set_password),
        (api.ISSUE_SET_PASSWORD_TOKEN, service.issue_set_password_token),
        (api.CHANGE_ROLE, service.change_role),
        (api.DEACTIVATE_USER, service.deactivate_user),
        (api.LINK_SUBJECT, service.link_subject),
        (api.GET_USER, service.get_user),
        (api.LIST_USERS, service.list_users),
        (api.AUDIT_LOG, service.audit_log),
    ]


def register_rpc(broker: NatsBroker, service: UserService) -> None:
    answered = {method.subject for method, _ in handlers(service)}
    missing = {m.subject for m in api.METHODS} - answered
    assert not missing, f"rpc methods without a handler: {sorted(missing)}"
    for method, handler in handlers(service):
        _subscribe(broker, method, handler)


def _subscribe(
    broker: NatsBroker,
    method: RpcMethod[Payload, Payload],
    handler: Callable[[Payload], Awaitable[Payload]],
) -> None:
    @broker.subscriber(method.subject, queue=SERVICE)
    async def on_request(msg: NatsMessage) -> NatsResponse:
        body, headers = await answer(method, msg.raw_message.data, handler)
        return NatsResponse(body=body, headers=headers)

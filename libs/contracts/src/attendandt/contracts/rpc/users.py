"""Request-reply contracts of the users service (`rpc.v1.users.<method>`)."""

from attendandt.contracts.base import Payload, RpcMethod

METHODS: tuple[RpcMethod[Payload, Payload], ...] = ()

"""Request-reply contracts of the guests service (`rpc.v1.guests.<method>`)."""

from attendandt.contracts.base import Payload, RpcMethod

METHODS: tuple[RpcMethod[Payload, Payload], ...] = ()

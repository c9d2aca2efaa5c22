"""Request-reply contracts of the vendors service (`rpc.v1.vendors.<method>`)."""

from attendandt.contracts.base import Payload, RpcMethod

METHODS: tuple[RpcMethod[Payload, Payload], ...] = ()

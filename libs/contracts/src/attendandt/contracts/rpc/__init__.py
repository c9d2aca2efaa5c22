"""Request-reply contracts between the gateway and the domain services, one module each."""

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc import guests, ingest, privacy, users, vendors

METHODS: tuple[RpcMethod[Payload, Payload], ...] = (
    *guests.METHODS,
    *privacy.METHODS,
    *ingest.METHODS,
    *vendors.METHODS,
    *users.METHODS,
)

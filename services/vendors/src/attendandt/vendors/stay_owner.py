"""Read-your-writes for stays: vendors keeps a copy of each stay (guests' stay events), and
that copy can lag what the gateway, reading guests, has just shown the caller: a reservation
that arrived a moment ago, a companion just added. A booking or charge for such a stay must
not be refused. When our copy does not show the stay or the guest, we ask the owner (guests'
`public_stay`, for the same caller), keep its answer (newest Mews version wins, as for the
events) and decide again; only what guests does not show either is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from nats.aio.client import Client as NatsClient

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.guests import PUBLIC_STAY, PublicStay, PublicStayRequest
from attendandt.platform.rpc import Invalid, RpcFailure, RpcTimeout, call

log = logging.getLogger(__name__)

#: Asks the owner for a stay (enterprise, stay id) for a caller: None when it has none.
StayOwner = Callable[[str, str, Caller], Awaitable[PublicStay | None]]

#: How long a booking waits for guests' answer before it is decided on our copy alone.
ASK_TIMEOUT_S = 2.0


class StayLags(Invalid):
    """Our copy of the stay does not show what the request names (the stay, or the guest on
    it); the owner may know better."""

    def __init__(self, detail: str, *, enterprise_id: str, stay_id: str) -> None:
        super().__init__(detail)
        self.enterprise_id = enterprise_id
        self.stay_id = stay_id


def guests_over_nats(connection: Callable[[], NatsClient]) -> StayOwner:
    """The owner is the guests service, asked on `rpc.v1.guests.public_stay`."""

    async def ask(enterprise_id: str, stay_id: str, caller: Caller) -> PublicStay | None:
        request = PublicStayRequest(enterprise_id=enterprise_id, stay_id=stay_id)
        try:
            return await call(
                connection(),
                PUBLIC_STAY,
                request,
                caller=caller,
                timeout=ASK_TIMEOUT_S,
            )
        except RpcFailure as failure:
            if failure.error.status in (403, 404, 422):
                return None
            raise
        except RpcTimeout:
            log.warning("guests did not answer for a stay; deciding on our copy")
            return None

    return ask

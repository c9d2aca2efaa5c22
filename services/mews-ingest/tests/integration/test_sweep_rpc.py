"""The on-demand sweep (`rpc.v1.ingest.sweep`) answers only for a caller that may act for the
enterprise and holds the resync permission, on a real nats-server against the simulator."""

import pytest
from ingest_support import wait_for
from nats.aio.client import Client as NatsClient

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.ingest import RESYNC, SWEEP, SweepRequest
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import RpcFailure, call


async def _status(nc: NatsClient, request: SweepRequest, caller: Caller | None) -> int:
    with pytest.raises(RpcFailure) as failed:
        await call(nc, SWEEP, request, caller=caller, timeout=10)
    return failed.value.error.status


async def test_a_sweep_is_answered_only_for_a_caller_of_that_property(
    mews_sim, nats_client: NatsClient, start_ingest
) -> None:
    ingest = await start_ingest()
    hotel = mews_sim.gross.id
    await wait_for(lambda: ingest.app.board.get(hotel).websocket == "connected")
    request = SweepRequest(enterprise_id=hotel, entities=("customer",))

    def manager(*enterprise_ids: str, permissions: tuple[str, ...] = (RESYNC,)) -> Caller:
        return Caller(
            user_id="u-1",
            role=UserRole.MANAGER,
            permissions=permissions,
            enterprise_ids=enterprise_ids,
        )

    assert await _status(nats_client, request, None) == 401
    # Another property's staff: not found, as an enterprise not ingested here would be.
    assert await _status(nats_client, request, manager("another-hotel")) == 404
    assert await _status(nats_client, request, manager(hotel, permissions=("sync:read",))) == 403

    done = await call(nats_client, SWEEP, request, caller=manager(hotel), timeout=30)
    assert done.enterprise_id == hotel
    assert [e.entity for e in done.entities] == ["customer"]
    # An entity Mews ingest does not know is a clear 422, not a crash.
    unknown = SweepRequest(enterprise_id=hotel, entities=("Customer",))
    assert await _status(nats_client, unknown, manager(hotel)) == 422

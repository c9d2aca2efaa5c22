"""The local NATS cluster: three routed servers, replicated streams, a server killed and back."""

import nats
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import StreamConfig
from nats.js.errors import NoStreamResponseError

from attendandt.testing.polling import eventually
from attendandt.testing.servers import NatsCluster


async def test_three_servers_hold_a_replicated_stream_through_a_kill(
    nats_cluster: NatsCluster,
) -> None:
    assert [node.name for node in nats_cluster.nodes] == ["nats-0", "nats-1", "nats-2"]
    client = await nats.connect(nats_cluster.urls, connect_timeout=5, reconnect_time_wait=0.2)
    try:
        # Short requests: those made while the leader is being elected again fail fast.
        js = client.jetstream(timeout=2)
        info = await js.add_stream(StreamConfig(name="R3", subjects=["r3.>"], num_replicas=3))
        assert info.cluster is not None
        assert {info.cluster.leader, *(r.name for r in info.cluster.replicas or [])} == {
            "nats-0", "nats-1", "nats-2",
        }  # fmt: skip

        async def stored(i: int) -> bool:
            # Until every server has the stream's interest (a loaded machine takes a moment
            # after the create), a publish finds no responder; the id keeps a retry single.
            try:
                await js.publish("r3.before", str(i).encode(), headers={"Nats-Msg-Id": f"b{i}"})
            except (NoStreamResponseError, NatsTimeoutError):
                return False
            return True

        for i in range(10):
            await eventually(lambda i=i: stored(i), timeout=30, what=f"message {i} stored")
        leader = nats_cluster.node(info.cluster.leader or "")
        nats_cluster.kill(leader)
        assert not leader.running

        async def new_leader() -> str | None:
            try:
                found = await js.stream_info("R3")
            except Exception:  # an election under way
                return None
            assert found.cluster is not None
            return found.cluster.leader if found.cluster.leader != leader.name else None

        await eventually(new_leader, timeout=30, what="a new stream leader")
        await js.publish("r3.after", b"x", timeout=10)
        assert (await js.stream_info("R3")).state.messages == 11

        nats_cluster.start(leader)
        nats_cluster.wait_healthy()

        async def caught_up() -> bool:
            found = await js.stream_info("R3")
            replicas = found.cluster.replicas if found.cluster else None
            back = [r for r in replicas or [] if r.name == leader.name]
            return bool(back) and back[0].current and not back[0].lag

        await eventually(caught_up, timeout=30, what="the restarted server to catch up")
    finally:
        await client.close()

"""WebSocket fan-out: Reservation events per second delivered to 10 connected clients."""

from __future__ import annotations

import asyncio
import json
import time

from websockets.asyncio.client import connect

from attendandt.mews_sim.runner import start_simulator
from attendandt.testing.bench import report

CLIENTS = 10
BURSTS = 20
BURST_SIZE = 500


async def main() -> None:
    sim = start_simulator(seed="default", extra_args=["--no-rate-limit"])
    try:
        headers = {"Cookie": sim.gross.token.cookie()}
        sockets = [
            await connect(sim.ws_url, additional_headers=headers, max_size=None)
            for _ in range(CLIENTS)
        ]
        while sim.control.ws_connections() < CLIENTS:  # noqa: ASYNC110 - polling another process
            await asyncio.sleep(0.02)
        expected = BURSTS * BURST_SIZE
        received = [0] * CLIENTS

        async def drain(index: int) -> None:
            while received[index] < expected:
                received[index] += len(json.loads(await sockets[index].recv())["Events"])

        started = time.perf_counter()
        readers = [asyncio.create_task(drain(i)) for i in range(CLIENTS)]
        for _ in range(BURSTS):
            await asyncio.to_thread(sim.control.touch, "reservations", BURST_SIZE)
        await asyncio.wait_for(asyncio.gather(*readers), timeout=120)
        elapsed = time.perf_counter() - started
        report("sim-ws", "events_per_s", sum(received) / elapsed, "events/s")
        report("sim-ws", "changes_per_s", expected / elapsed, "changes/s")
        for socket in sockets:
            await socket.close()
    finally:
        sim.stop()


if __name__ == "__main__":
    asyncio.run(main())

"""import-day-lists: what the front desk waits for while a hotel is first imported.

The whole stack as `make run` starts it (the simulator's two default hotels, about 10,000
stays, under Mews's real rate limit), timed from the moment it is up: the initial import runs
while, without a pause, the day lists (today's arrivals of each hotel, as the front desk's
page asks them) are asked through the gateway, one after the other.

Figures: `import_s`, from the stack up to both imports done and every consumer's backlog
applied; `day_list_p50`, `_p90`, `_max`, seconds per day list while the import runs;
`day_list_calls`, how many were asked meanwhile; `day_list_failed`, answers other than 200
(goal 0). Progress goes to stderr; `BENCH_IMPORT_LOG=<file>` keeps the stack's output.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from _chaos_stack import Gateway, Sim, Stack, patiently, say, wait_for_import

from attendandt.testing.bench import report

BENCH = "import-day-lists"


async def main() -> None:
    stack = Stack.in_temporary_directory(os.environ.get("BENCH_IMPORT_LOG"), prefix="bench-import-")
    try:
        await bench(stack)
    finally:
        say("stopping the stack")
        await asyncio.to_thread(stack.stop)


async def bench(stack: Stack) -> None:
    stack.start()
    say(f"starting the stack in {stack.workdir}")
    await stack.wait_started()
    started = time.monotonic()
    sim = Sim(stack.sim)
    api = Gateway(stack.gateway)
    try:
        info = await patiently("the simulator", lambda: sim.get("/info"))
        hotels = {e["id"]: ZoneInfo(e["time_zone"]) for e in info["enterprises"]}
        await patiently("the gateway", api.login)
        latencies: list[float] = []
        failed = 0
        importing = asyncio.create_task(wait_for_import(stack, list(hotels)))
        while not importing.done():
            for enterprise, zone in hotels.items():
                today = datetime.now(UTC).astimezone(zone).date().isoformat()
                asked = time.monotonic()
                answer = await api.call(
                    "GET", "/arrivals", params={"enterprise_id": enterprise, "date": today}
                )
                latencies.append(time.monotonic() - asked)
                failed += answer.status_code != 200
        with contextlib.suppress(asyncio.CancelledError):
            await importing
        import_s = time.monotonic() - started
    finally:
        await api.close()
        await sim.close()
    latencies.sort()

    def cut(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))]

    report(BENCH, "import_s", import_s, "s")
    report(BENCH, "day_list_p50", cut(0.5), "s")
    report(BENCH, "day_list_p90", cut(0.9), "s")
    report(BENCH, "day_list_max", latencies[-1], "s")
    report(BENCH, "day_list_calls", len(latencies), "calls")
    report(BENCH, "day_list_failed", failed, "calls")

"""ratelimit-share: three processes share one Mews AccessToken's bucket through NATS KV and
together ask for far more than the limit for 60 s, against the simulator enforcing Mews's
200 requests / 30 s. Reports the 429s Mews sent (goal 0) and the share of the allowed
requests used (goal >= 0.9).

Each worker is this file run as a script (`... ratelimit_share.py worker ...`), a real
process with its own bucket object; only NATS KV is shared.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = "ratelimit-share"
PROCESSES = 3
LOOPS_PER_PROCESS = 4  # each loop asks again as soon as it has an answer
DURATION_S = 60.0
LIMIT, WINDOW_S = 200, 30.0


async def worker(
    nats_url: str, base_url: str, client_token: str, access_token: str, start_at: float
) -> None:
    import nats

    from attendandt.contracts.streams import MEWS_RATE_LIMITS
    from attendandt.mews import Credentials, MewsClient, MewsError, MewsRateLimited, RetryPolicy
    from attendandt.platform.ratelimit import SharedTokenBucket

    nc = await nats.connect(nats_url)
    kv = await nc.jetstream().key_value(MEWS_RATE_LIMITS.bucket)
    limiter = SharedTokenBucket.for_access_token(kv, access_token)  # Mews's 200 / 30 s
    counts = {"ok": 0, "rate_limited": 0, "other": 0}
    client = MewsClient(
        Credentials(client_token, access_token),
        environment=base_url,
        limiter=limiter,
        retry=RetryPolicy(max_attempts=1),  # count every 429, do not hide it in a retry
    )
    await asyncio.sleep(max(0.0, start_at - time.time()))

    async def ask() -> None:
        while True:
            try:
                await client.get_configuration()
                counts["ok"] += 1
            except MewsRateLimited:
                counts["rate_limited"] += 1
            except MewsError:
                counts["other"] += 1

    loops = [asyncio.create_task(ask()) for _ in range(LOOPS_PER_PROCESS)]
    await asyncio.sleep(max(0.0, start_at + DURATION_S - time.time()))
    for loop in loops:
        loop.cancel()
    await asyncio.gather(*loops, return_exceptions=True)
    await client.aclose()
    await nc.close()
    print(json.dumps(counts), flush=True)


async def main() -> None:
    import nats

    from attendandt.contracts.streams import ensure_streams
    from attendandt.mews_sim.runner import start_simulator
    from attendandt.testing.bench import report
    from attendandt.testing.processes import spawn, stop
    from attendandt.testing.servers import start_nats

    workdir = Path(tempfile.mkdtemp(prefix="bench-ratelimit-"))
    nats_server = start_nats(workdir / "nats")
    sim = start_simulator(seed="small")
    workers: list[subprocess.Popen[bytes]] = []
    try:
        nc = await nats.connect(nats_server.url)
        await ensure_streams(nc.jetstream())
        await nc.close()
        sim.control.rate_limit(enabled=True, limit=LIMIT, window_s=WINDOW_S, retry_after=True)
        sim.control.reset_counters()
        token = sim.gross.token
        start_at = time.time() + 5.0  # every process ready before the clock starts
        for _ in range(PROCESSES):
            args = [
                sys.executable,
                __file__,
                "worker",
                nats_server.url,
                sim.base_url,
                token.client_token,
                token.access_token,
                str(start_at),
            ]
            workers.append(spawn(args, stdout=subprocess.PIPE, stderr=None))
        totals = {"ok": 0, "rate_limited": 0, "other": 0}
        for process in workers:
            out, _ = await asyncio.to_thread(process.communicate, timeout=DURATION_S + 60)
            for key, value in json.loads(out.decode().strip().splitlines()[-1]).items():
                totals[key] += value
        counters = sim.control.counters()
        allowed = LIMIT * DURATION_S / WINDOW_S
        print(
            f"# {PROCESSES} processes, {totals['ok']} answered, {totals['other']} other errors; "
            f"simulator: {counters['responses_by_status']}",
            file=sys.stderr,
        )
        report(BENCH, "429s", int(counters["rate_limited"]), "responses")
        report(BENCH, "share_used", totals["ok"] / allowed, "ratio")
    finally:
        for process in workers:
            stop(process)
        sim.stop()
        nats_server.stop()


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "worker":
    nats_url, base_url, client_token, access_token, start = sys.argv[2:7]
    asyncio.run(worker(nats_url, base_url, client_token, access_token, float(start)))

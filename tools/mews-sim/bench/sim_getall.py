"""customers/getAll throughput: pages of 1000 over the default seed, rate limit off."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx

from attendandt.mews_sim.runner import start_simulator
from attendandt.testing.bench import report

DURATION_S = 10.0


def main() -> None:
    with start_simulator(seed="default", extra_args=["--no-rate-limit"]) as sim:
        now = datetime.now(UTC)
        window = {
            "StartUtc": (now - timedelta(days=85)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "EndUtc": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        body = {**sim.gross.token.body(), "Extent": {"Customers": True}, "UpdatedUtc": window}
        url = sim.api_url("customers/getAll")
        requests = customers = 0
        with httpx.Client(timeout=30) as client:
            started = time.perf_counter()
            cursor = None
            while time.perf_counter() - started < DURATION_S:
                response = client.post(
                    url, json={**body, "Limitation": {"Count": 1000, "Cursor": cursor}}
                )
                response.raise_for_status()
                data = response.json()
                requests += 1
                customers += len(data["Customers"])
                cursor = data["Cursor"] if len(data["Customers"]) == 1000 else None
            elapsed = time.perf_counter() - started
        report("sim-getall", "requests_per_s", requests / elapsed, "req/s")
        report("sim-getall", "customers_per_s", customers / elapsed, "customers/s")


if __name__ == "__main__":
    main()

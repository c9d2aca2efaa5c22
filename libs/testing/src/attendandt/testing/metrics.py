"""Reading a running process's Prometheus page (`GET /metrics` on its health port)."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


class Scrape:
    """One scrape: every sample by name and labels."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.samples = [
            sample for family in text_string_to_metric_families(text) for sample in family.samples
        ]

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples named `name` whose labels include `labels` (0 if none)."""
        return sum(
            s.value
            for s in self.samples
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        )

    def has(self, name: str, **labels: str) -> bool:
        return any(
            s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
            for s in self.samples
        )


async def scrape(port: int, host: str = "127.0.0.1") -> Scrape:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://{host}:{port}/metrics")
    response.raise_for_status()
    assert response.headers["content-type"].startswith("text/plain"), response.headers
    return Scrape(response.text)

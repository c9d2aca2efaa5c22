"""Prometheus figures of every Mews request this process makes.

Registered in prometheus_client's default registry, which the services' health port serves
(`GET /metrics`). `operation` is the Connector API operation (e.g. `customers/getAll`), a
name from code; `status` is the HTTP status, or `not_sent` / `no_answer` when none came.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "attendandt_mews_requests",
    "Requests sent to Mews, by operation and HTTP status",
    ["operation", "status"],
)
RATE_LIMITED = Counter(
    "attendandt_mews_rate_limited",
    "Mews answers 429 (rate limit hit), by operation",
    ["operation"],
)
#: How long a request waited for its turn in the AccessToken's budget (the token bucket).
LIMITER_WAIT = Histogram(
    "attendandt_mews_limiter_wait_seconds",
    "Time a Mews request waited for the rate limiter before it was sent",
    ["kind"],
    buckets=(0.001, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
LATENCY = Histogram(
    "attendandt_mews_request_duration_seconds",
    "Time Mews took to answer, by operation",
    ["operation"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

NOT_SENT = "not_sent"
NO_ANSWER = "no_answer"

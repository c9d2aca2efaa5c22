"""The Prometheus figures every process exposes on its health port (`GET /metrics`).

One registry per process (prometheus_client's default), so whatever a library counts
(the Mews client's requests, a consumer's outcomes) shows on the one page the health server
serves. Labels are names from code (a consumer's durable, a route's template, a Mews
operation), never values from a message or a URL: a label's values must stay few.

The Mews client's own figures (requests by operation and status, 429s, rate-limit waits)
live in `attendandt.mews.metrics`, since that library stands alone.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import generate_latest

# No `_created` series beside every counter: they double the page and no panel uses them.
disable_created_metrics()  # type: ignore[no-untyped-call]

#: How a consumer settled each message (`consumer.Outcome`: acked, retrying, dead_lettered).
CONSUMER_MESSAGES = Counter(
    "attendandt_consumer_messages",
    "Messages a JetStream consumer settled, by outcome",
    ["consumer", "outcome"],
)
#: Deliveries after the first: a nak's back-off, an ack that never came, a restart.
CONSUMER_REDELIVERIES = Counter(
    "attendandt_consumer_redeliveries",
    "Messages handled again after an earlier delivery of the same message",
    ["consumer"],
)
#: The server's view of each watched durable, asked by the stall watch (`platform.stall`).
CONSUMER_PENDING = Gauge(
    "attendandt_consumer_pending_messages",
    "Messages in the stream the durable has not been given yet (its lag)",
    ["stream", "consumer"],
)
CONSUMER_ACK_PENDING = Gauge(
    "attendandt_consumer_ack_pending_messages",
    "Messages given to the durable and not yet acknowledged",
    ["stream", "consumer"],
)
CONSUMER_REDELIVERED = Gauge(
    "attendandt_consumer_redelivered_messages",
    "Messages the server has given the durable more than once and that are not yet acknowledged",
    ["stream", "consumer"],
)
DEAD_LETTERS = Counter(
    "attendandt_dead_letters",
    "Dead letters stored (messages or input that can never succeed)",
    ["service", "consumer"],
)
OUTBOX_BACKLOG = Gauge(
    "attendandt_outbox_backlog_messages",
    "Committed outbox rows not yet published to JetStream",
    ["outbox"],
)
OUTBOX_OLDEST_AGE = Gauge(
    "attendandt_outbox_oldest_age_seconds",
    "Age of the oldest outbox row not yet published (0 when none waits)",
    ["outbox"],
)
OUTBOX_PUBLISHED = Counter(
    "attendandt_outbox_published",
    "Outbox rows published to JetStream",
    ["outbox"],
)
#: What became of each charge sent to Mews (the publisher's attempt states).
POSTINGS = Counter(
    "attendandt_mews_postings",
    "Charges the publisher tried to post to Mews, by outcome",
    ["outcome"],
)
HTTP_REQUEST_DURATION = Histogram(
    "attendandt_http_request_duration_seconds",
    "HTTP requests served, by route template, method and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def exposition() -> tuple[bytes, str]:
    """The text page Prometheus scrapes and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST

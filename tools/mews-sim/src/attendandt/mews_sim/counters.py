"""What the simulator has seen, for tests and benchmarks to assert on."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: Where a request's enterprise or token cannot be told (no token, or one never issued).
UNKNOWN = "(unknown)"


def token_hint(access_token: object) -> str:
    """A short, stable name for a token that does not reveal it (counters, listings)."""
    if not isinstance(access_token, str) or not access_token:
        return UNKNOWN
    return hashlib.sha256(access_token.encode()).hexdigest()[:12]


@dataclass
class Counters:
    requests_by_path: Counter[str] = field(default_factory=Counter)
    #: Accepted requests, by token label (`gross-1`...).
    requests_by_token: Counter[str] = field(default_factory=Counter)
    #: Every Connector request, refused ones included, by the enterprise of the AccessToken it
    #: carries and by `token_hint` of that token: "this property made no call" is checkable.
    requests_by_enterprise: Counter[str] = field(default_factory=Counter)
    requests_by_token_hint: Counter[str] = field(default_factory=Counter)
    #: Every Connector request, once for each enterprise it targets: a portfolio token's
    #: `EnterpriseId`/`EnterpriseIds` (none named: the portfolio's own enterprise), a single
    #: token's enterprise. One portfolio token is one rate budget; this shows each
    #: property's share of it.
    requests_by_scope: Counter[str] = field(default_factory=Counter)
    #: 401s for bad tokens (unknown, rotated out, integration not enabled), by enterprise.
    unauthorized_by_enterprise: Counter[str] = field(default_factory=Counter)
    responses_by_status: Counter[int] = field(default_factory=Counter)
    rate_limited: int = 0
    faults_injected: int = 0
    orders_created: int = 0
    #: Order items `orderItems/cancel` turned Canceled (a request is all or none).
    order_items_canceled: int = 0
    #: customers/update calls applied (through the Connector API, not the staff control).
    customers_updated: int = 0
    webhook_messages_delivered: int = 0
    webhook_attempts_failed: int = 0
    webhook_messages_dropped: int = 0
    webhook_events_delivered: int = 0
    #: Integration Webhooks (one message per event), apart from the General ones above.
    integration_webhooks_delivered: int = 0
    integration_webhook_attempts_failed: int = 0
    integration_webhooks_dropped: int = 0
    ws_messages_sent: int = 0
    ws_events_sent: int = 0

    def reset(self) -> None:
        fresh = Counters()
        for name in vars(fresh):
            setattr(self, name, getattr(fresh, name))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, value in vars(self).items():
            data[name] = (
                {str(k): v for k, v in value.items()} if isinstance(value, Counter) else value
            )
        return data

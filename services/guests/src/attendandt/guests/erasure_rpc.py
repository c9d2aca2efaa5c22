"""Request-reply of erasures, the retention reports and the guest access log
(`contracts.rpc.privacy`), answered for the caller the gateway names. No SQL here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.privacy import (
    GET_ERASURE,
    GUEST_ACCESS_LOG,
    LIST_ERASURES,
    REQUEST_ERASURE,
    RETENTION_RUNS,
)
from attendandt.guests.erasure import Erasures
from attendandt.guests.retention import Retention
from attendandt.platform.runtime import Runtime


def register_erasure_rpc(
    runtime: Runtime, erasures: Erasures, retention: Retention, *, workers: int = 4
) -> None:
    methods: list[tuple[RpcMethod[Any, Any], Callable[[Any, Caller], Awaitable[Payload]]]] = [
        (REQUEST_ERASURE, erasures.request),
        (LIST_ERASURES, erasures.list_requests),
        (GET_ERASURE, erasures.get),
        (GUEST_ACCESS_LOG, erasures.access_log),
        (RETENTION_RUNS, retention.runs),
    ]
    for method, handler in methods:
        runtime.answer(method, handler, workers=workers)

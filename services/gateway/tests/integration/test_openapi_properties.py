"""Property-based run against the gateway's own OpenAPI document (schemathesis): requests
generated from the schema for every operation find no 5xx and no response outside the
schema (status code, content type, body). Bounded: a few examples per operation and role.

The gateway runs under uvicorn in this event loop with the stand-in services on real NATS;
schemathesis drives it over HTTP from a worker thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

import hypothesis
import schemathesis
from gateway_testkit import Running
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from attendandt.contracts.snapshots import UserRole

EXAMPLES_PER_OPERATION = 6
#: The event stream never ends; it has its own tests.
SKIPPED = {"/api/v1/events"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _run_operations(document: dict[str, Any], base_url: str, headers: dict[str, str]) -> int:
    schema = schemathesis.openapi.from_dict(document)
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED:
            continue

        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @hypothesis.given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=base_url, headers=headers)
            case.validate_response(response, checks=CHECKS)

        check()
        ran += 1
    return ran


async def test_no_5xx_and_no_response_outside_the_schema(gateway: Running) -> None:
    document = (await gateway.client.get("/schema/openapi.json")).json()
    for role in (UserRole.ADMIN, UserRole.VENDOR):
        ran = await asyncio.to_thread(
            _run_operations, document, gateway.base_url, gateway.auth(role)
        )
        assert ran >= 35

"""The event catalogue: the AsyncAPI 3.0 document of the public subjects, public like the
OpenAPI document (`/schema/openapi.json`), for the integrators of other hotel systems."""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import Router, get

from attendandt.contracts import asyncapi
from attendandt.gateway.routes.common import public


@cache
def _document() -> dict[str, Any]:
    return asyncapi.document()


@get("/asyncapi.json", **public(tags=["catalogue"]))
async def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 catalogue of every public NATS subject: its address, stream, payload
    schema and version."""
    return _document()


catalogue_router = Router(path="/", route_handlers=[asyncapi_document])

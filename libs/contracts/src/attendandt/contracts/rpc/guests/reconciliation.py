"""Which Mews versions we hold (`mews_versions`): what reconciliation compares with Mews, service
to service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from attendandt.contracts.base import Payload, RpcMethod


class MewsVersionsRequest(Payload, frozen=True, kw_only=True):
    """Which Mews version (UpdatedUtc) we hold of each of these customers or reservations:
    what reconciliation compares with Mews."""

    SCHEMA = "guests.mews_versions_request"
    enterprise_id: str
    entity: Literal["customer", "reservation"]
    mews_ids: Annotated[tuple[str, ...], msgspec.Meta(max_length=1000)] = ()


class MewsVersions(Payload, frozen=True, kw_only=True):
    """Mews id → the UpdatedUtc we hold; ids we do not have are absent."""

    SCHEMA = "guests.mews_versions"
    versions: dict[str, datetime]


MEWS_VERSIONS = RpcMethod("guests", "mews_versions", MewsVersionsRequest, MewsVersions)

"""Idempotent creation, as the IETF httpapi `Idempotency-Key` draft describes it: the same key
with the same request answers what the first one made; the same key with another request is
refused (422). A double click, or a retry after a lost answer, makes one booking, one charge.

The key is claimed in the creation's own transaction, before anything is made: a second
request with the key waits on the first's row (Postgres holds the conflicting insert until
the first commits or rolls back), then finds what it made. A creation that failed rolls its
claim back, so the key can be used again. Keys are per caller (one user's key never answers
another's request) and kept `KEEP_DAYS`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.base import Payload
from attendandt.contracts.rpc import vendors as rpc
from attendandt.platform.rpc import Invalid
from attendandt.vendors.models import idempotency_keys

KEEP_DAYS = 7
Kind = Literal["booking", "charge"]


def request_digest(request: Payload) -> str:
    """The request without its key, canonically encoded and hashed."""
    body = msgspec.structs.replace(request, idempotency_key=None)
    return hashlib.sha256(msgspec.json.encode(body, order="sorted")).hexdigest()


@dataclass(frozen=True)
class Claim:
    caller_id: str
    key: str


def answer(
    *, kind: Kind, digest: str, earlier_kind: str, earlier_digest: str, resource_id: str | None
) -> str:
    """What a key claimed before answers this request: the id the first request made, or
    Invalid when the key was used for another request (or its creation is not done)."""
    if earlier_kind != kind or earlier_digest != digest or resource_id is None:
        raise Invalid(
            "this Idempotency-Key was used for another request: send a new key for a new "
            "request, the same request with the same key for a retry"
        )
    return str(resource_id)


class IdempotencyKeys(Protocol):
    """The keys of idempotent creations, in the creation's own unit of work."""

    async def claim(self, *, caller_id: str, key: str, kind: Kind, request: Payload) -> Claim | str:
        """Claim the key for this request: a `Claim` to `made()` with, or the id of what the
        first request with this key made."""

    async def made(self, claimed: Claim, resource_id: str) -> None: ...

    async def forget_older_than(self, now: datetime) -> int: ...


async def claim_key(
    keys: IdempotencyKeys,
    caller_id: str,
    request: rpc.CreateBookingRequest | rpc.CreateChargeRequest,
    kind: Kind,
) -> Claim | str | None:
    """None without a key; else the claim, or the id the key's first request made."""
    if request.idempotency_key is None:
        return None
    return await keys.claim(
        caller_id=caller_id, key=request.idempotency_key, kind=kind, request=request
    )


class IdempotencyKeyRows:
    """The keys in Postgres, on the unit of work's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, *, caller_id: str, key: str, kind: Kind, request: Payload) -> Claim | str:
        digest = request_digest(request)
        claimed = await self.session.execute(
            insert(idempotency_keys)
            .values(caller_id=caller_id, key=key, kind=kind, request_digest=digest)
            .on_conflict_do_nothing()
            .returning(idempotency_keys.c.key)
        )
        if claimed.first() is not None:
            return Claim(caller_id, key)
        earlier = (
            await self.session.execute(
                select(idempotency_keys).where(
                    idempotency_keys.c.caller_id == caller_id, idempotency_keys.c.key == key
                )
            )
        ).one()
        return answer(
            kind=kind,
            digest=digest,
            earlier_kind=earlier.kind,
            earlier_digest=earlier.request_digest,
            resource_id=earlier.resource_id,
        )

    async def made(self, claimed: Claim, resource_id: str) -> None:
        await self.session.execute(
            update(idempotency_keys)
            .where(
                idempotency_keys.c.caller_id == claimed.caller_id,
                idempotency_keys.c.key == claimed.key,
            )
            .values(resource_id=resource_id)
        )

    async def forget_older_than(self, now: datetime) -> int:
        result = await self.session.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.created_at < now - timedelta(days=KEEP_DAYS)
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

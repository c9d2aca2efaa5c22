"""JetStream streams and KV buckets, as data, and `ensure_streams()` to create them.

Every process calls `ensure_streams(js)` at start: it creates what is missing and updates
what changed, so deploying a new version never needs a manual step. A change that JetStream
cannot apply in place (retention, storage) fails loudly instead of silently keeping the old.

Replicas are a property of the deployment, not of the contracts: `replicas=None` (what the
services pass) creates a missing stream or bucket with one replica and never changes the
count of an existing one; `attendandt nats ensure-streams --replicas 3` (or
`NATS_STREAM_REPLICAS=3`), run by the migration job against a 3-node cluster, creates them
with three and moves existing ones to three. An update for another reason keeps the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import msgspec

if TYPE_CHECKING:  # nats-py is only needed by processes that talk to JetStream
    from nats.js import JetStreamContext

DAY = 24 * 3600.0


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    retention: Literal["limits", "workqueue"]
    description: str
    max_age_s: float | None = None
    duplicate_window_s: float = 120.0


@dataclass(frozen=True)
class KVSpec:
    bucket: str
    description: str
    history: int = 1
    ttl_s: float | None = None

    @property
    def stream(self) -> str:
        """The stream JetStream keeps the bucket in."""
        return f"KV_{self.bucket}"


MEWS_CHANGES = StreamSpec(
    name="MEWS_CHANGES",
    subjects=("mews.v1.*.change.>",),
    retention="limits",
    max_age_s=7 * DAY,
    # A webhook arrives minutes after the WebSocket event for the same change: keep ids long
    # enough that the second sighting is dropped.
    duplicate_window_s=15 * 60.0,
    description="Mews change notifications from mews-ingest (WebSocket, webhooks, sweeps).",
)
DOMAIN_COMMANDS = StreamSpec(
    name="DOMAIN_COMMANDS",
    subjects=("cmd.v1.>",),
    retention="workqueue",
    description="Commands to the domain services; each service consumes its own subjects.",
)
ATTENDANDT_EVENTS = StreamSpec(
    name="ATTENDANDT_EVENTS",
    # v2 holds the events whose public payload had to break (user events without emails).
    subjects=("attendandt.v1.>", "attendandt.v2.>"),
    retention="limits",
    max_age_s=30 * DAY,
    description="Public domain events (no personal data); late subscribers replay 30 days.",
)
ATTENDANDT_RESTRICTED = StreamSpec(
    name="ATTENDANDT_RESTRICTED",
    subjects=("attendandt.restricted.v1.>",),
    retention="limits",
    # Personal data is kept only as long as a granted system needs to catch up after an
    # outage; a week covers a long weekend without anyone on call.
    max_age_s=7 * DAY,
    description="Guests' personal data, for the hotel systems an operator granted it to.",
)
MEWS_OUTBOX = StreamSpec(
    name="MEWS_OUTBOX",
    subjects=("mews.v1.*.outbound.>",),
    retention="workqueue",
    description="Writes to Mews, consumed by mews-publisher only.",
)
DEAD_LETTERS = StreamSpec(
    name="DEAD_LETTERS",
    subjects=("deadletter.v1.>",),
    retention="limits",
    max_age_s=90 * DAY,
    description="Messages a consumer could not process, with the reason.",
)
STREAMS: tuple[StreamSpec, ...] = (
    MEWS_CHANGES,
    DOMAIN_COMMANDS,
    ATTENDANDT_EVENTS,
    ATTENDANDT_RESTRICTED,
    MEWS_OUTBOX,
    DEAD_LETTERS,
)

INGEST_CHECKPOINTS = KVSpec(
    bucket="ingest_checkpoints",
    history=5,
    description="Per enterprise and entity: the UpdatedUtc up to which every change is published.",
)
INGEST_STATE = KVSpec(
    bucket="ingest_state",
    description="Per enterprise: connection state, last event, last sweep, lag.",
)


class BackfillDone(msgspec.Struct, frozen=True, kw_only=True):
    """A backfill of every entity of a property from `since` finished at `finished_at`: the
    value of `backfill_done_key` in INGEST_STATE, which the backfill command writes and
    ingest reads to clear its "backfill needed" once the backfill covers the gap."""

    since: datetime
    finished_at: datetime


def backfill_done_key(enterprise_id: str) -> str:
    # A dotted key: the gateway lists only the undotted keys of INGEST_STATE as properties.
    return f"backfill_done.{enterprise_id}"


MEWS_RATE_LIMITS = KVSpec(
    bucket="mews_rate_limits",
    description="The token bucket per Mews AccessToken shared by every process.",
)
MEWS_INTEGRATIONS = KVSpec(
    bucket="mews_integrations",
    history=5,
    description="Per Mews integration (a property onboarded by Integration Webhooks): its "
    "enterprise, state and sealed AccessToken.",
)
SYNC_HEALTH = KVSpec(
    bucket="sync_health",
    description="Per enterprise: consumer lag, last applied change, Mews calls, 429s.",
)
SIGNIN_LIMITS = KVSpec(
    bucket="signin_limits",
    # Keys are hashes of the account or client (never an email or an address). Every window
    # and lockout memory is far shorter than a day: idle keys simply age out.
    ttl_s=DAY,
    description="The gateway's sign-in limits shared by its replicas: sliding windows per "
    "client and per account, lockouts per account and client.",
)
BUCKETS: tuple[KVSpec, ...] = (
    INGEST_CHECKPOINTS,
    INGEST_STATE,
    MEWS_RATE_LIMITS,
    MEWS_INTEGRATIONS,
    SYNC_HEALTH,
    SIGNIN_LIMITS,
)


class StreamConflict(RuntimeError):
    """An existing stream differs in a way JetStream cannot change in place."""


async def ensure_streams(
    js: JetStreamContext,
    streams: tuple[StreamSpec, ...] = STREAMS,
    buckets: tuple[KVSpec, ...] = BUCKETS,
    *,
    replicas: int | None = None,
) -> list[str]:
    """Create or update every stream and bucket; returns what it did, one line each.

    `replicas`: how many servers of a cluster hold each (None: 1 for what is created,
    unchanged for what exists; see the module docstring)."""
    if replicas is not None and replicas < 1:
        raise ValueError(f"replicas={replicas}: a stream needs at least one")
    from nats.js.api import (
        KeyValueConfig,
        RetentionPolicy,
        StorageType,
        StreamConfig,
    )
    from nats.js.errors import BucketNotFoundError, NotFoundError

    done: list[str] = []
    for spec in streams:
        retention = (
            RetentionPolicy.WORK_QUEUE if spec.retention == "workqueue" else RetentionPolicy.LIMITS
        )
        config = StreamConfig(
            name=spec.name,
            subjects=list(spec.subjects),
            retention=retention,
            storage=StorageType.FILE,
            max_age=spec.max_age_s or 0,
            duplicate_window=spec.duplicate_window_s,
            description=spec.description,
            num_replicas=replicas or 1,
        )
        try:
            current = await js.stream_info(spec.name)
        except NotFoundError:
            await js.add_stream(config)
            done.append(f"created stream {spec.name}")
            continue
        # An update sends the whole configuration: without this, one made for another
        # reason would take a replicated stream down to a single replica.
        config.num_replicas = replicas or current.config.num_replicas or 1
        if current.config.retention != retention:
            raise StreamConflict(
                f"stream {spec.name} has retention {current.config.retention}, contracts say "
                f"{retention}: migrate it by hand (copy, delete, recreate)"
            )
        wanted = (
            sorted(spec.subjects),
            spec.max_age_s or 0,
            spec.duplicate_window_s,
            config.num_replicas,
        )
        have = (
            sorted(current.config.subjects or []),
            current.config.max_age or 0,
            current.config.duplicate_window or 0,
            current.config.num_replicas or 1,
        )
        if wanted != have:
            await js.update_stream(config)
            done.append(f"updated stream {spec.name}")
        else:
            done.append(f"stream {spec.name} up to date")
    for bucket in buckets:
        try:
            await js.key_value(bucket.bucket)
        except BucketNotFoundError:
            await js.create_key_value(
                KeyValueConfig(
                    bucket=bucket.bucket,
                    description=bucket.description,
                    history=bucket.history,
                    ttl=bucket.ttl_s,
                    storage=StorageType.FILE,
                    replicas=replicas or 1,
                )
            )
            done.append(f"created bucket {bucket.bucket}")
            continue
        if replicas is not None and await _set_bucket_replicas(js, bucket, replicas):
            done.append(f"updated bucket {bucket.bucket}")
        else:
            done.append(f"bucket {bucket.bucket} up to date")
    return done


async def _set_bucket_replicas(js: JetStreamContext, bucket: KVSpec, replicas: int) -> bool:
    """A bucket is the stream KV_<bucket>: its replica count changes like a stream's."""
    info = await js.stream_info(bucket.stream)
    if (info.config.num_replicas or 1) == replicas:
        return False
    info.config.num_replicas = replicas
    await js.update_stream(info.config)
    return True

"""Who connects to NATS: the two accounts, a service's NATS user (what it does in terms of the
contracts) and another hotel system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from attendandt.contracts.base import RpcMethod, Subject
from attendandt.contracts.streams import ATTENDANDT_RESTRICTED, KVSpec, StreamSpec

#: The account of the services (JetStream lives here) and the one of other hotel systems.
SERVICES_ACCOUNT = "ATTENDANDT"
HOTEL_ACCOUNT = "HOTEL_SYSTEMS"
#: Hotel systems reach the imported JetStream API under this prefix (their JetStream API
#: prefix): under `$JS.API` the server would answer for their own account, which has none.
HOTEL_JS_PREFIX = "JS.ATTENDANDT.API"

#: Guest contact data (email, phone, birth date, notes), granted per hotel system only.
#: Subjects `attendandt.restricted.v1.{enterprise}.guest.{event}` on stream
#: ATTENDANDT_RESTRICTED, produced by the guests service.
RESTRICTED_STREAM = ATTENDANDT_RESTRICTED.name
RESTRICTED_SUBJECTS = ATTENDANDT_RESTRICTED.subjects[0]

OPS = "attendandt"


def inbox_prefix(user: str) -> str:
    """The inbox prefix a user's client must set (`nats.connect(inbox_prefix=...)`)."""
    return f"_INBOX_{user}"


@dataclass(frozen=True)
class Consumer:
    """A durable pull consumer a user creates (if missing) and pulls from.

    The user may create it only under this name and with this filter (the API subject
    `CONSUMER.CREATE.<stream>.<name>.<filter>` carries both, and the server checks the
    filter against the config; clients must set `name` as well as `durable_name` so nats-py
    uses that form): it cannot read another subject of the stream through it."""

    stream: StreamSpec
    durable: str
    subject: Subject[Any]

    @property
    def filter(self) -> str:
        return self.subject.filter()


@dataclass(frozen=True)
class NatsUser:
    name: str
    description: str
    #: Subjects it publishes on (JetStream stores them; the filter of each template).
    produces: tuple[Subject[Any], ...] = ()
    consumes: tuple[Consumer, ...] = ()
    #: Streams it reads through short-lived ordered consumers (no durable state).
    reads: tuple[StreamSpec, ...] = ()
    #: Core NATS subscriptions (live, no replay).
    listens: tuple[Subject[Any], ...] = ()
    #: Request-reply services it answers (`rpc.v1.<service>.>`, queue group = service).
    answers: tuple[str, ...] = ()
    #: Request-reply services it calls.
    calls: tuple[str, ...] = ()
    #: Single request-reply methods it calls (a service-to-service method answered without
    #: a caller, e.g. vendors' `posted_charges`), where all of a service would be too much.
    calls_methods: tuple[RpcMethod[Any, Any], ...] = ()
    kv_write: tuple[KVSpec, ...] = ()
    kv_read: tuple[KVSpec, ...] = ()
    #: Streams whose messages it reads and deletes one by one (the unrouted-command sweep).
    sweeps: tuple[StreamSpec, ...] = ()
    #: Streams whose messages naming an erased guest it finds and deletes (contracts.erasure).
    purges: tuple[StreamSpec, ...] = ()
    #: Other services' consumers whose info (backlog) it reads: (stream, durable) pairs.
    watches: tuple[tuple[StreamSpec, str], ...] = ()
    #: Dead letters under `deadletter.v1.<name>.>`.
    dead_letters: bool = True
    #: Stream and bucket administration, every subject of every stream (the ops command).
    admin: bool = False

    @property
    def inbox(self) -> str:
        return inbox_prefix(self.name)


@dataclass(frozen=True)
class HotelSystem:
    """Another hotel system (POS, door locks, BI): reads public events through the durable
    pull consumer the operator created for it on ATTENDANDT_EVENTS (named like the system),
    and, only when `restricted` is granted, guest contact data from ATTENDANDT_RESTRICTED
    through a consumer of the same name there. It publishes nothing but pull requests, info
    requests and acks of its own consumers."""

    name: str
    restricted: bool = False


#: The example system in the committed manifests; operators add their own.
EXAMPLE_HOTEL_SYSTEMS: tuple[HotelSystem, ...] = (HotelSystem("example-pos"),)


def parse_hotel_system(text: str) -> HotelSystem:
    """`NAME` or `NAME:restricted` (the CLI's and the config's form)."""
    name, colon, flag = text.partition(":")
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(f"hotel system {text!r}: a name of letters, digits, '-' or '_'")
    if (flag, colon) not in (("", ""), ("restricted", ":")):
        raise ValueError(f"hotel system {text!r}: the only flag is ':restricted'")
    return HotelSystem(name, restricted=flag == "restricted")

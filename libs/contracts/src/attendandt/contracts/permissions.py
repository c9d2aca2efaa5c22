"""Who may publish and subscribe to what on NATS: one user per process, derived from contracts.

Each NATS user is described by what it does in terms of the contracts (the subjects it
produces, the durable consumers it pulls from, the request-reply services it answers or
calls, the KV buckets it reads or writes), and `allow_lists()` turns that into the
nats-server `publish` / `subscribe` allow lists, JetStream API subjects included.
`render_accounts()` writes the nats-server `accounts { ... }` block from it; that one text is
the config of `make run`, of docker-compose and of Kubernetes
(`deploy/k8s/base/nats/accounts.conf` is generated: `attendandt nats accounts`), and the
tests start a real nats-server with it.

Why these rules:

- Commands that change users (`cmd.v1.users.>`): no service produces them today (users are
  made through the users service's request-reply API, by the gateway or `attendandt`), so
  only the ops command may publish them (to requeue a dead letter). A compromised ingest or
  gateway cannot make anyone an admin by publishing one.
- Request-reply (`rpc.v1.<service>.>`) is published only by the gateway and the ops
  command: the `Attendandt-Caller` header (contracts.caller) is trusted because nobody
  else can put a request there.
- Replies: each user reads only its own inbox (`_INBOX_<user>.>`, clients set that inbox
  prefix), so nobody reads another's replies (sign-in answers carry tokens); a service that
  answers requests may publish one reply to the reply subject of a request it received
  (`allow_responses`), never to an inbox it chose.
- Streams are created and changed only by the ops command (`attendandt dev`, the migration
  job); services may read stream info (so `ensure_streams` verifies them at start) and
  manage only their own durable consumers: a client allowed to create any consumer could
  aim a push consumer's `deliver_subject` at a command subject and have the server publish
  there for it.
- Hotel systems live in their own account and import only the public events and the pull
  API of the consumer the operator created for them (see `HotelSystem`).

What subject permissions cannot express: the config inside a consumer-create request. A
service may create its own durables (name and filter fixed by the API subject), so a
compromised service could make one of them a push consumer whose `deliver_subject` is
another subject of the account; it would deliver only messages of its own filter (which that
service may read anyway). Closing that needs the consumers created by the ops command, as
for hotel systems, and the services binding to them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from attendandt.contracts import rpc
from attendandt.contracts.alerts import SYNC_ALERT
from attendandt.contracts.base import Payload, RpcMethod, Subject
from attendandt.contracts.commands import (
    RECORD_CHARGE_CANCELLATION,
    RECORD_CHARGE_IN_MEWS,
    RECORD_CHARGE_RESULT,
    RECORD_GUEST_EDIT_RESULT,
    RECORD_STAY_NOTE_RESULT,
    UPSERT_CATALOGUE,
    UPSERT_COMPANY,
    UPSERT_GUEST,
    UPSERT_PROPERTY,
    UPSERT_ROOM,
    UPSERT_STAY,
    UPSERT_STAY_BILL,
    UPSERT_USER,
    UPSERT_VENDOR,
)
from attendandt.contracts.deadletter import DEAD_LETTER
from attendandt.contracts.erasure import (
    ERASE_GUEST_IN_GUESTS,
    ERASE_GUEST_IN_VENDORS,
    GUEST_ERASED,
    RECORD_ERASURE_RECEIPT,
)
from attendandt.contracts.events import (
    BOOKING_EVENT,
    CHARGE_EVENT,
    GUEST_EVENT,
    RESTRICTED_GUEST_EVENT,
    STAY_EVENT,
    USER_EVENT,
    VENDOR_EVENT,
)
from attendandt.contracts.mews import MEWS_CHANGE
from attendandt.contracts.outbound import (
    CANCEL_CHARGE,
    POST_CHARGE,
    UPDATE_CUSTOMER,
    WRITE_STAY_NOTE,
)
from attendandt.contracts.streams import (
    ATTENDANDT_EVENTS,
    ATTENDANDT_RESTRICTED,
    BUCKETS,
    DEAD_LETTERS,
    DOMAIN_COMMANDS,
    INGEST_CHECKPOINTS,
    INGEST_STATE,
    MEWS_CHANGES,
    MEWS_OUTBOX,
    MEWS_RATE_LIMITS,
    SIGNIN_LIMITS,
    STREAMS,
    SYNC_HEALTH,
    KVSpec,
    StreamSpec,
)

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


def new_password() -> str:
    """A random password nats-server can take from a `$VARIABLE`: its config parser fails on a
    value that starts with `-` (or reads one of digits alone as a number), so it starts with a
    letter."""
    return "n" + secrets.token_urlsafe(24)


def usable_password(password: str) -> bool:
    """Whether nats-server's config parser takes this value from a variable as a string."""
    return bool(password) and password[0].isalpha()


def password_variable(user: str, *, hotel: bool = False) -> str:
    """The environment variable nats-server reads the user's password from."""
    return "NATS_" + ("HOTEL_" if hotel else "") + user.upper().replace("-", "_") + "_PASSWORD"


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
    #: Dead letters under `deadletter.v1.<name>.>`.
    dead_letters: bool = True
    #: Stream and bucket administration, every subject of every stream (the ops command).
    admin: bool = False

    @property
    def inbox(self) -> str:
        return inbox_prefix(self.name)


def _services_of(methods: Iterable[RpcMethod[Payload, Payload]]) -> tuple[str, ...]:
    return tuple(sorted({m.service for m in methods}))


RPC_SERVICES = _services_of(rpc.METHODS)

USERS: tuple[NatsUser, ...] = (
    NatsUser(
        name="mews-ingest",
        description="Mews WebSocket, webhooks and sweeps: publishes Mews change notifications",
        produces=(MEWS_CHANGE, SYNC_ALERT),
        answers=("ingest",),
        kv_write=(INGEST_CHECKPOINTS, INGEST_STATE, MEWS_RATE_LIMITS),
    ),
    NatsUser(
        name="sync",
        description="turns Mews changes and each hotel's configuration into domain commands",
        produces=(
            UPSERT_GUEST,
            UPSERT_STAY,
            UPSERT_ROOM,
            UPSERT_STAY_BILL,
            UPSERT_PROPERTY,
            UPSERT_CATALOGUE,
            UPSERT_COMPANY,
            RECORD_CHARGE_IN_MEWS,
        ),
        consumes=(Consumer(MEWS_CHANGES, "sync-changes", MEWS_CHANGE),),
        # Charges reconciliation reads the property's ledger; no other vendors method.
        calls_methods=(rpc.vendors.POSTED_CHARGES,),
        # Commands on subjects no service consumes become dead letters (platform.unrouted).
        sweeps=(DOMAIN_COMMANDS,),
        kv_write=(SYNC_HEALTH, MEWS_RATE_LIMITS),
    ),
    NatsUser(
        name="guests",
        description="guests and stays: their events, the timeline from vendors' events, and "
        "staff edits of guests and notes of stays queued for Mews",
        produces=(
            GUEST_EVENT,
            STAY_EVENT,
            RESTRICTED_GUEST_EVENT,
            UPDATE_CUSTOMER,
            WRITE_STAY_NOTE,
            GUEST_ERASED,
            # An erasure's commands: to itself (durable, so it outlives a restart) and vendors.
            ERASE_GUEST_IN_GUESTS,
            ERASE_GUEST_IN_VENDORS,
        ),
        consumes=(
            Consumer(DOMAIN_COMMANDS, "guests-upsert-guest", UPSERT_GUEST),
            Consumer(DOMAIN_COMMANDS, "guests-record-edit-result", RECORD_GUEST_EDIT_RESULT),
            Consumer(DOMAIN_COMMANDS, "guests-record-stay-note-result", RECORD_STAY_NOTE_RESULT),
            Consumer(DOMAIN_COMMANDS, "guests-upsert-stay", UPSERT_STAY),
            Consumer(DOMAIN_COMMANDS, "guests-upsert-property", UPSERT_PROPERTY),
            Consumer(DOMAIN_COMMANDS, "guests-upsert-room", UPSERT_ROOM),
            Consumer(DOMAIN_COMMANDS, "guests-upsert-stay-bill", UPSERT_STAY_BILL),
            Consumer(DOMAIN_COMMANDS, "guests-erase-guest", ERASE_GUEST_IN_GUESTS),
            Consumer(DOMAIN_COMMANDS, "guests-erasure-receipts", RECORD_ERASURE_RECEIPT),
            Consumer(ATTENDANDT_EVENTS, "guests-timeline-bookings", BOOKING_EVENT),
            Consumer(ATTENDANDT_EVENTS, "guests-timeline-charges", CHARGE_EVENT),
        ),
        answers=("guests",),
        # An erasure deletes the guest's messages from these, one by one (contracts.erasure).
        purges=(ATTENDANDT_EVENTS, ATTENDANDT_RESTRICTED, DEAD_LETTERS),
    ),
    NatsUser(
        name="vendors",
        description="vendors, bookings and charges; queues charges and cancellations for Mews",
        produces=(
            VENDOR_EVENT,
            BOOKING_EVENT,
            CHARGE_EVENT,
            POST_CHARGE,
            CANCEL_CHARGE,
            RECORD_ERASURE_RECEIPT,
        ),
        consumes=(
            Consumer(DOMAIN_COMMANDS, "vendors-upsert-vendor", UPSERT_VENDOR),
            Consumer(DOMAIN_COMMANDS, "vendors-upsert-company", UPSERT_COMPANY),
            Consumer(DOMAIN_COMMANDS, "vendors-record-charge-result", RECORD_CHARGE_RESULT),
            Consumer(
                DOMAIN_COMMANDS,
                "vendors-record-charge-cancellation",
                RECORD_CHARGE_CANCELLATION,
            ),
            Consumer(DOMAIN_COMMANDS, "vendors-record-charge-in-mews", RECORD_CHARGE_IN_MEWS),
            Consumer(DOMAIN_COMMANDS, "vendors-upsert-catalogue", UPSERT_CATALOGUE),
            Consumer(ATTENDANDT_EVENTS, "vendors-stay-events", STAY_EVENT),
            Consumer(DOMAIN_COMMANDS, "vendors-erase-guest", ERASE_GUEST_IN_VENDORS),
        ),
        answers=("vendors",),
        # guests' `public_stay`, when its copy of a stay lags what the caller was shown.
        calls=("guests",),
    ),
    NatsUser(
        name="users",
        description="staff and vendor accounts: user events",
        produces=(USER_EVENT,),
        consumes=(Consumer(DOMAIN_COMMANDS, "users-upsert-user", UPSERT_USER),),
        answers=("users",),
    ),
    NatsUser(
        name="mews-publisher",
        description="the only writer to Mews: reports each charge's result and cancellation "
        "to vendors and each guest edit's and stay note's to guests",
        produces=(
            RECORD_CHARGE_RESULT,
            RECORD_CHARGE_CANCELLATION,
            RECORD_GUEST_EDIT_RESULT,
            RECORD_STAY_NOTE_RESULT,
        ),
        consumes=(
            Consumer(MEWS_OUTBOX, "mews-publisher-post-charge", POST_CHARGE),
            Consumer(MEWS_OUTBOX, "mews-publisher-cancel-charge", CANCEL_CHARGE),
            Consumer(MEWS_OUTBOX, "mews-publisher-update-customer", UPDATE_CUSTOMER),
            Consumer(MEWS_OUTBOX, "mews-publisher-write-stay-note", WRITE_STAY_NOTE),
        ),
        kv_write=(MEWS_RATE_LIMITS,),
    ),
    NatsUser(
        name="gateway",
        description="HTTP API: calls the services, streams public events, reads sync health",
        calls=RPC_SERVICES,
        reads=(ATTENDANDT_EVENTS,),
        listens=(USER_EVENT,),
        kv_read=(INGEST_STATE, SYNC_HEALTH),
        kv_write=(SIGNIN_LIMITS,),
        dead_letters=False,
    ),
    NatsUser(
        name=OPS,
        description="the ops command: streams, migrations, demo accounts, dead-letter requeue",
        calls=RPC_SERVICES,
        admin=True,
        dead_letters=False,
    ),
)

#: Commands no service produces: only the ops command may publish them (requeueing a dead
#: letter). A test checks that no service user may.
OPERATOR_ONLY: tuple[Subject[Any], ...] = (
    UPSERT_USER,
    UPSERT_VENDOR,
)


def user(name: str) -> NatsUser:
    for candidate in USERS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no NATS user {name!r}: one of {[u.name for u in USERS]}")


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


@dataclass(frozen=True)
class Allow:
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    allow_responses: bool = False


def _api(path: str) -> str:
    return f"$JS.API.{path}"


def _consumer_publish(consumer: Consumer) -> list[str]:
    stream, durable = consumer.stream.name, consumer.durable
    return [
        _api(f"CONSUMER.INFO.{stream}.{durable}"),
        _api(f"CONSUMER.CREATE.{stream}.{durable}.{consumer.filter}"),
        _api(f"CONSUMER.MSG.NEXT.{stream}.{durable}"),
        f"$JS.ACK.{stream}.{durable}.>",
    ]


def _reader_publish(stream: str) -> list[str]:
    # An ordered consumer (ephemeral, recreated after a gap), with flow control replies.
    return [
        _api(f"STREAM.INFO.{stream}"),
        _api(f"CONSUMER.CREATE.{stream}"),
        _api(f"CONSUMER.CREATE.{stream}.>"),
        _api(f"CONSUMER.DELETE.{stream}.>"),
        _api(f"CONSUMER.INFO.{stream}.>"),
        f"$JS.FC.{stream}.>",
    ]


def _kv_get(bucket: KVSpec) -> list[str]:
    stream = f"KV_{bucket.bucket}"
    return [_api(f"DIRECT.GET.{stream}.>"), _api(f"STREAM.MSG.GET.{stream}")]


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def allow_lists(who: NatsUser) -> Allow:
    """The publish / subscribe allow lists of one user of the services' account."""
    publish: list[str] = []
    subscribe: list[str] = [f"{who.inbox}.>"]
    if who.admin:
        publish += ["$JS.API.>", "$JS.ACK.>", "$JS.FC.>", "$KV.>"]
        publish += [s for spec in STREAMS for s in spec.subjects]
    publish += [subject.filter() for subject in who.produces]
    if who.dead_letters:
        publish.append(DEAD_LETTER.filter(service=who.name))
    publish += [f"rpc.v1.{service}.>" for service in who.calls]
    publish += [method.subject for method in who.calls_methods]
    subscribe += [f"rpc.v1.{service}.>" for service in who.answers]
    subscribe += [subject.filter() for subject in who.listens]
    if not who.admin:
        # `ensure_streams` at every start verifies the streams and buckets (it creates
        # nothing once the ops command has): their config is not secret.
        publish.append(_api("INFO"))
        publish += [_api(f"STREAM.INFO.{spec.name}") for spec in STREAMS]
        publish += [_api(f"STREAM.INFO.KV_{bucket.bucket}") for bucket in BUCKETS]
        for consumer in who.consumes:
            publish += _consumer_publish(consumer)
        for spec in who.reads:
            publish += _reader_publish(spec.name)
        for spec in (*who.sweeps, *who.purges):
            publish += [_api(f"STREAM.MSG.GET.{spec.name}"), _api(f"STREAM.MSG.DELETE.{spec.name}")]
        for bucket in who.kv_write:
            publish += [*_kv_get(bucket), f"$KV.{bucket.bucket}.>"]
        for bucket in who.kv_read:
            # Listing keys is an ordered consumer on the bucket's stream. Writers get no
            # consumers on their buckets: one aimed (deliver_subject) at a command subject
            # would have the server publish values they wrote there.
            publish += [*_kv_get(bucket), *_reader_publish(f"KV_{bucket.bucket}")]
    return Allow(
        publish=_unique(publish),
        subscribe=_unique(subscribe),
        allow_responses=bool(who.answers),
    )


def hotel_allow_lists(system: HotelSystem) -> Allow:
    """A hotel system's lists in its own account: the imported pull API of its consumers."""
    streams = [ATTENDANDT_EVENTS.name] + ([RESTRICTED_STREAM] if system.restricted else [])
    publish: list[str] = []
    for stream in streams:
        publish += [
            f"{HOTEL_JS_PREFIX}.CONSUMER.MSG.NEXT.{stream}.{system.name}",
            f"{HOTEL_JS_PREFIX}.CONSUMER.INFO.{stream}.{system.name}",
            f"$JS.ACK.{stream}.{system.name}.>",
        ]
    subscribe = [*ATTENDANDT_EVENTS.subjects, f"{inbox_prefix(system.name)}.>"]
    if system.restricted:
        subscribe.append(RESTRICTED_SUBJECTS)
    return Allow(publish=tuple(publish), subscribe=tuple(subscribe))


# --------------------------------------------------------------------------- rendering


def _quoted(items: Iterable[str], indent: str) -> str:
    return "\n".join(f'{indent}"{item}"' for item in items)


def _user_block(name: str, allow: Allow, comment: str, indent: str, *, hotel: bool = False) -> str:
    lines = [
        f"{indent}# {comment}",
        f"{indent}{{",
        f'{indent}  user: "{name}"',
        f"{indent}  password: ${password_variable(name, hotel=hotel)}",
        f"{indent}  permissions: {{",
        f"{indent}    publish: {{ allow: [",
        _quoted(allow.publish, indent + "      "),
        f"{indent}    ] }}",
        f"{indent}    subscribe: {{ allow: [",
        _quoted(allow.subscribe, indent + "      "),
        f"{indent}    ] }}",
    ]
    if allow.allow_responses:
        lines.append(f"{indent}    allow_responses: {{ max: 1 }}")
    lines += [f"{indent}  }}", f"{indent}}}"]
    return "\n".join(lines)


def _pull_api(stream: str) -> list[tuple[str, str, str]]:
    """(what, exported subject, imported as) for the pull API of one stream's consumers."""
    return [
        (
            "pull",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.*",
            f"{HOTEL_JS_PREFIX}.CONSUMER.MSG.NEXT.{stream}.*",
        ),
        (
            "info",
            f"$JS.API.CONSUMER.INFO.{stream}.*",
            f"{HOTEL_JS_PREFIX}.CONSUMER.INFO.{stream}.*",
        ),
    ]


def render_accounts(hotel_systems: Iterable[HotelSystem] = EXAMPLE_HOTEL_SYSTEMS) -> str:
    """The nats-server `accounts { ... }` block (no `no_auth_user`: anonymous is refused).

    Passwords are `$NATS_<USER>_PASSWORD` variables read from the server's environment, so
    the text holds no secret and is the same in every environment."""
    systems = tuple(hotel_systems)
    names = [s.name for s in systems]
    if len(set(names)) != len(names):
        raise ValueError(f"hotel systems named twice: {names}")
    clash = set(names) & {u.name for u in USERS}
    if clash:
        raise ValueError(f"hotel systems named like a service: {sorted(clash)}")
    granted = [s.name for s in systems if s.restricted]
    exports: list[str] = []
    imports: list[str] = []
    for stream, subjects, to in (
        (ATTENDANDT_EVENTS.name, ATTENDANDT_EVENTS.subjects, [*names]),
        (RESTRICTED_STREAM, ATTENDANDT_RESTRICTED.subjects, granted),
    ):
        if not to:
            continue
        for subject in subjects:
            exports.append(f'      {{ stream: "{subject}", accounts: [{HOTEL_ACCOUNT}] }}')
            source = f'account: {SERVICES_ACCOUNT}, subject: "{subject}"'
            imports.append(f"      {{ stream: {{ {source} }} }}")
        for kind, exported, imported in _pull_api(stream):
            response = ", response_type: stream" if kind == "pull" else ""
            exports.append(
                f'      {{ service: "{exported}"{response}, accounts: [{HOTEL_ACCOUNT}] }}'
            )
            imports.append(
                f'      {{ service: {{ account: {SERVICES_ACCOUNT}, subject: "{exported}" }}, '
                f'to: "{imported}" }}'
            )
        ack = f"$JS.ACK.{stream}.>"
        exports.append(f'      {{ service: "{ack}", accounts: [{HOTEL_ACCOUNT}] }}')
        imports.append(f'      {{ service: {{ account: {SERVICES_ACCOUNT}, subject: "{ack}" }} }}')
    service_users = "\n".join(
        _user_block(u.name, allow_lists(u), u.description, "      ") for u in USERS
    )
    hotel_users = "\n".join(
        _user_block(
            s.name,
            hotel_allow_lists(s),
            "hotel system" + (", granted guest contact data" if s.restricted else ""),
            "      ",
            hotel=True,
        )
        for s in systems
    )
    parts = [
        "# GENERATED from libs/contracts (attendandt.contracts.permissions): do not edit.",
        "# Regenerate: uv run attendandt nats accounts [--hotel-system NAME[:restricted] ...]",
        "# Passwords are read from the server's environment ($NATS_<USER>_PASSWORD).",
        "accounts {",
        f"  {SERVICES_ACCOUNT} {{",
        "    jetstream: enabled",
        "    users: [",
        service_users,
        "    ]",
    ]
    if exports:
        parts += ["    exports: [", *exports, "    ]"]
    parts += ["  }"]
    if systems:
        parts += [
            f"  {HOTEL_ACCOUNT} {{",
            "    # No JetStream of its own: nothing a hotel system does can use storage here.",
            "    imports: [",
            *imports,
            "    ]",
            "    users: [",
            hotel_users,
            "    ]",
            "  }",
        ]
    parts += ["}", ""]
    return "\n".join(parts)


def password_variables(hotel_systems: Iterable[HotelSystem] = EXAMPLE_HOTEL_SYSTEMS) -> list[str]:
    """Every `$NATS_..._PASSWORD` variable `render_accounts` refers to."""
    return [password_variable(u.name) for u in USERS] + [
        password_variable(s.name, hotel=True) for s in hotel_systems
    ]


def parse_hotel_system(text: str) -> HotelSystem:
    """`NAME` or `NAME:restricted` (the CLI's and the config's form)."""
    name, colon, flag = text.partition(":")
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(f"hotel system {text!r}: a name of letters, digits, '-' or '_'")
    if (flag, colon) not in (("", ""), ("restricted", ":")):
        raise ValueError(f"hotel system {text!r}: the only flag is ':restricted'")
    return HotelSystem(name, restricted=flag == "restricted")


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)


def service_env(credentials: Credentials) -> Mapping[str, str]:
    """The environment a process gets to connect as `credentials` (platform NatsSettings)."""
    return {"NATS_USER": credentials.user, "NATS_PASSWORD": credentials.password}

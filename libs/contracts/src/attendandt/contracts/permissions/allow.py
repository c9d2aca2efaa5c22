"""A user's nats-server `publish` / `subscribe` allow lists, JetStream API subjects included."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from attendandt.contracts.deadletter import DEAD_LETTER
from attendandt.contracts.permissions.principals import (
    HOTEL_JS_PREFIX,
    RESTRICTED_STREAM,
    RESTRICTED_SUBJECTS,
    Consumer,
    HotelSystem,
    NatsUser,
    inbox_prefix,
)
from attendandt.contracts.streams import ATTENDANDT_EVENTS, BUCKETS, STREAMS, KVSpec


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
    stream = bucket.stream
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
        publish += [_api(f"STREAM.INFO.{bucket.stream}") for bucket in BUCKETS]
        for consumer in who.consumes:
            publish += _consumer_publish(consumer)
        for spec in who.reads:
            publish += _reader_publish(spec.name)
        publish += [_api(f"CONSUMER.INFO.{spec.name}.{durable}") for spec, durable in who.watches]
        for spec in (*who.sweeps, *who.purges):
            publish += [_api(f"STREAM.MSG.GET.{spec.name}"), _api(f"STREAM.MSG.DELETE.{spec.name}")]
        for bucket in who.kv_write:
            publish += [*_kv_get(bucket), f"$KV.{bucket.bucket}.>"]
        for bucket in who.kv_read:
            # Listing keys is an ordered consumer on the bucket's stream. Writers get no
            # consumers on their buckets: one aimed (deliver_subject) at a command subject
            # would have the server publish values they wrote there.
            publish += [*_kv_get(bucket), *_reader_publish(bucket.stream)]
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

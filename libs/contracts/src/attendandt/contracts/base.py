"""The base of every payload and the subject it travels on.

A payload is a frozen msgspec Struct with a schema name and version. A subject template is
paired with exactly one payload type, so a publisher and a consumer cannot disagree about
what travels on it. Additive changes (a new field with a default) keep the version; anything
else is a new version on a new subject (`…v2…`), checked by the schema snapshots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

import msgspec

from attendandt.contracts.subjects import parse_parts


class Payload(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    """Base of every message body. Unknown fields are ignored so additive changes are safe."""

    SCHEMA: ClassVar[str]
    VERSION: ClassVar[int] = 1

    @classmethod
    def schema_id(cls) -> str:
        return f"{cls.SCHEMA}/v{cls.VERSION}"


P = TypeVar("P", bound=Payload)

_PART = re.compile(r"\{(\w+)\}")
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]+$")


@dataclass(frozen=True)
class Subject(Generic[P]):
    """A subject template (`mews.v1.{enterprise}.change.{entity}`) and its payload type.

    `allowed` restricts a part to known values (e.g. the events of an aggregate), so a typo
    fails at the publisher instead of going to a subject nobody listens on.
    """

    template: str
    payload: type[P]
    allowed: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(_PART.findall(self.template))

    def format(self, **parts: str) -> str:
        missing = set(self.parts) - parts.keys()
        extra = parts.keys() - set(self.parts)
        if missing or extra:
            raise ValueError(
                f"subject {self.template}: missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        for key, value in parts.items():
            if not _TOKEN.match(value):
                raise ValueError(f"subject {self.template}: {key}={value!r} is not one token")
        for key, values in self.allowed:
            if parts[key] not in values:
                raise ValueError(f"subject {self.template}: {key} must be one of {values}")
        return self.template.format(**parts)

    def parse(self, subject: str) -> dict[str, str]:
        """The parts of a concrete subject of this template, the inverse of `format`
        (`mews.v1.ent-1.change.customer` → enterprise=ent-1, entity=customer);
        `MalformedSubject` (a ValueError) when it is not one of this template's."""
        return parse_parts(self.template, subject, self.allowed)

    def filter(self, **parts: str) -> str:
        """A subscription filter: given parts filled in, the others `*` (the last one `>`)."""
        names = self.parts
        filled = {name: parts.get(name, "*") for name in names}
        text = self.template.format(**filled)
        if names and names[-1] not in parts and text.endswith(".*"):
            text = text[:-1] + ">"
        return text


def encode(payload: Payload) -> bytes:
    return msgspec.json.encode(payload)


def decode(data: bytes, payload_type: type[P]) -> P:
    """Decode and validate; raises msgspec.ValidationError / DecodeError on bad input."""
    try:
        return msgspec.json.decode(data, type=payload_type)
    except UnicodeDecodeError as exc:
        # msgspec lets invalid UTF-8 in a string through as this: bad input all the same,
        # and every caller handles bad input as DecodeError.
        raise msgspec.DecodeError(f"invalid UTF-8: {exc}") from exc


Req = TypeVar("Req", bound=Payload)
Resp = TypeVar("Resp", bound=Payload)


@dataclass(frozen=True)
class RpcMethod(Generic[Req, Resp]):
    """A request-reply method on `rpc.v1.<service>.<method>` (core NATS, queue group = service)."""

    service: str
    method: str
    request: type[Req]
    response: type[Resp]

    @property
    def subject(self) -> str:
        return f"rpc.v1.{self.service}.{self.method}"


class RpcError(Payload, frozen=True, kw_only=True):
    """The body of a failed call; the gateway turns it into an RFC 9457 problem."""

    SCHEMA = "rpc.error"
    status: int
    title: str
    detail: str | None = None

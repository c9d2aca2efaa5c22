"""Reading a concrete subject back into its parts, the inverse of `Subject.format`.

A subject is a dotted list of tokens; a template names some of them (`{enterprise}`). Every
process that needs a part of a subject it received (the enterprise of an outbound write,
the aggregate of a public event) parses it here, against the template, and gets either every
part or `MalformedSubject` saying what does not fit: never an index out of range, never a
token taken from the wrong place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PLACEHOLDER = re.compile(r"^\{(\w+)\}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]+$")
_VERSION = re.compile(r"^v[1-9][0-9]*$")


class MalformedSubject(ValueError):
    """A subject that does not fit the template it was read against."""


def parse_parts(
    template: str, subject: str, allowed: tuple[tuple[str, tuple[str, ...]], ...] = ()
) -> dict[str, str]:
    """The named parts of `subject` read against `template` (`allowed`: the values a part
    may take); MalformedSubject when the subject is not one of the template's."""
    want, got = template.split("."), subject.split(".")
    if len(want) != len(got):
        raise MalformedSubject(
            f"subject {subject!r} has {len(got)} tokens, {template} has {len(want)}"
        )
    parts: dict[str, str] = {}
    for expected, token in zip(want, got, strict=True):
        placeholder = _PLACEHOLDER.match(expected)
        if placeholder is None:
            if token != expected:
                raise MalformedSubject(
                    f"subject {subject!r} is not {template}: {token!r} where {expected!r} is"
                )
            continue
        if not _TOKEN.match(token):
            raise MalformedSubject(
                f"subject {subject!r}: {placeholder.group(1)}={token!r} is not one token"
            )
        parts[placeholder.group(1)] = token
    for name, values in allowed:
        if parts.get(name) not in values:
            raise MalformedSubject(f"subject {subject!r}: {name} must be one of {values}")
    return parts


#: The versions of the public event subjects (the stream ATTENDANDT_EVENTS holds both; v2
#: carries the events whose public payload had to break).
PUBLIC_EVENT_VERSIONS = ("v1", "v2")
PUBLIC_EVENT_TEMPLATE = "attendandt.{version}.{enterprise}.{aggregate}.{event}"
OUTBOUND_TEMPLATE = "mews.v1.{enterprise}.outbound.{verb}"
COMMAND_TEMPLATE = "cmd.v1.{service}.{command}"


@dataclass(frozen=True)
class EventSubject:
    """A public domain event's subject: `attendandt.<version>.<enterprise>.<aggregate>.<event>`
    (a restricted event's, `attendandt.restricted.…`, is not one)."""

    version: str
    enterprise_id: str
    aggregate: str
    event: str

    @classmethod
    def parse(cls, subject: str) -> EventSubject:
        parts = parse_parts(PUBLIC_EVENT_TEMPLATE, subject)
        if not _VERSION.match(parts["version"]):
            raise MalformedSubject(f"subject {subject!r}: {parts['version']!r} is no version")
        return cls(
            version=parts["version"],
            enterprise_id=parts["enterprise"],
            aggregate=parts["aggregate"],
            event=parts["event"],
        )

    @property
    def is_public(self) -> bool:
        """On one of the versions public subscribers read."""
        return self.version in PUBLIC_EVENT_VERSIONS


@dataclass(frozen=True)
class OutboundSubject:
    """A write to Mews: `mews.v1.<enterprise>.outbound.<verb>` (MEWS_OUTBOX)."""

    enterprise_id: str
    verb: str

    @classmethod
    def parse(cls, subject: str) -> OutboundSubject:
        parts = parse_parts(OUTBOUND_TEMPLATE, subject)
        return cls(enterprise_id=parts["enterprise"], verb=parts["verb"])


@dataclass(frozen=True)
class CommandSubject:
    """A command to a domain service: `cmd.v1.<service>.<command>` (DOMAIN_COMMANDS)."""

    service: str
    command: str

    @classmethod
    def parse(cls, subject: str) -> CommandSubject:
        parts = parse_parts(COMMAND_TEMPLATE, subject)
        return cls(service=parts["service"], command=parts["command"])

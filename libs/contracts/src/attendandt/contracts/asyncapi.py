"""The event catalogue for integrators: an AsyncAPI 3.0 document made from the contracts.

Every public subject (those on the public streams, `ATTENDANDT_EVENTS` and, for granted
hotel systems, `ATTENDANDT_RESTRICTED`) is a channel: its address template, the values its
parts may take, its stream, and its one message with the payload's JSON schema, schema id
and version. Internal subjects (Mews changes, commands, writes to Mews, dead letters) are
the services' own business and are left out.

The document is committed (`ASYNCAPI_PATH`), a test checks it equals `document()`, and
`attendandt contracts asyncapi` (or `make asyncapi`) writes it again after a change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec

from attendandt.contracts import headers as h
from attendandt.contracts.base import Payload, Subject
from attendandt.contracts.registry import SUBJECTS
from attendandt.contracts.streams import ATTENDANDT_EVENTS, ATTENDANDT_RESTRICTED, StreamSpec

ASYNCAPI_PATH = Path(__file__).parent / "asyncapi.json"
#: The catalogue's own version: its major moves only when a public subject goes away.
CATALOGUE_VERSION = "1.0.0"
PUBLIC_STREAMS: tuple[StreamSpec, ...] = (ATTENDANDT_EVENTS, ATTENDANDT_RESTRICTED)

JsonObject = dict[str, Any]

_PART_DESCRIPTIONS = {
    "enterprise": "The Mews enterprise (property) id the event belongs to.",
    "event": "What happened.",
}


def stream_of(template: str, streams: tuple[StreamSpec, ...] = PUBLIC_STREAMS) -> StreamSpec | None:
    """The stream whose subjects cover `template` (its parts taken as single tokens)."""
    tokens = re.sub(r"\{\w+\}", "*", template).split(".")
    for stream in streams:
        if any(_covers(pattern.split("."), tokens) for pattern in stream.subjects):
            return stream
    return None


def _covers(pattern: list[str], tokens: list[str]) -> bool:
    for i, part in enumerate(pattern):
        if part == ">":
            return len(tokens) > i
        if i >= len(tokens) or (part != "*" and part != tokens[i]):
            return False
    return len(pattern) == len(tokens)


def public_subjects() -> tuple[Subject[Payload], ...]:
    return tuple(s for s in SUBJECTS if stream_of(s.template) is not None)


def _channel_id(subject: Subject[Payload]) -> str:
    """A stable key: the template's fixed words, e.g. `attendandt.v1.guest`."""
    return ".".join(part for part in subject.template.split(".") if not part.startswith("{"))


def _message_id(payload: type[Payload]) -> str:
    return f"{payload.SCHEMA}.v{payload.VERSION}"


def _summary(payload: type[Payload]) -> str:
    doc = (payload.__doc__ or "").strip()
    return " ".join(doc.split("\n\n", 1)[0].split()) if doc else payload.__name__


def _headers(payload: type[Payload]) -> JsonObject:
    return {
        "type": "object",
        "properties": {
            h.SCHEMA: {
                "type": "string",
                "const": payload.schema_id(),
                "description": "The payload's schema and version.",
            },
            h.MSG_ID: {
                "type": "string",
                "description": "De-duplication id: the same change always has the same id.",
            },
            h.CORRELATION_ID: {
                "type": "string",
                "description": "Ties together everything caused by one request or Mews change.",
            },
            h.TRACEPARENT: {"type": "string", "description": "W3C trace context."},
            h.TRACESTATE: {"type": "string", "description": "W3C trace context."},
        },
        "required": [h.SCHEMA],
    }


def document() -> JsonObject:
    """The AsyncAPI 3.0 document of every public subject, as a JSON object."""
    subjects = public_subjects()
    payloads = tuple(dict.fromkeys(s.payload for s in subjects))
    refs, schemas = msgspec.json.schema_components(
        payloads, ref_template="#/components/schemas/{name}"
    )
    messages: JsonObject = {}
    for payload, ref in zip(payloads, refs, strict=True):
        messages[_message_id(payload)] = {
            "name": payload.__name__,
            "title": f"{payload.__name__} (schema {payload.schema_id()})",
            "summary": _summary(payload),
            "contentType": "application/json",
            "headers": _headers(payload),
            "payload": ref,
            "x-attendandt-schema": payload.SCHEMA,
            "x-attendandt-version": payload.VERSION,
        }
    channels: JsonObject = {}
    operations: JsonObject = {}
    for subject in subjects:
        stream = stream_of(subject.template)
        assert stream is not None
        allowed = dict(subject.allowed)
        key = _channel_id(subject)
        message_key = _message_id(subject.payload)
        channels[key] = {
            "address": subject.template,
            "title": subject.payload.__name__,
            "description": f"Stream {stream.name}: {stream.description}",
            "parameters": {
                part: {
                    **({"enum": list(allowed[part])} if part in allowed else {}),
                    "description": _PART_DESCRIPTIONS.get(part, part),
                }
                for part in subject.parts
            },
            "messages": {message_key: {"$ref": f"#/components/messages/{message_key}"}},
            "x-attendandt-stream": stream.name,
        }
        operations[f"receive.{key}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{key}"},
            "summary": f"Subscribe to {subject.payload.__name__} messages.",
            "messages": [{"$ref": f"#/channels/{key}/messages/{message_key}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Attendandt events",
            "version": CATALOGUE_VERSION,
            "description": (
                "The public subjects of Attendandt on NATS JetStream: domain events without "
                "personal data on ATTENDANDT_EVENTS (30 days of replay), and guests' contact "
                "data on ATTENDANDT_RESTRICTED for the hotel systems an operator grants it. "
                "A payload only gains optional fields within a version; a breaking change is "
                "a new version on a new subject. Unknown fields must be ignored."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "nats": {
                "host": "nats:4222",
                "protocol": "nats",
                "description": "The deployment's NATS server (hotel systems use their own "
                "account; see deploy/README.md, Hotel systems).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render(doc: JsonObject) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def write(path: Path = ASYNCAPI_PATH) -> bool:
    """Write the document; whether the file changed."""
    text = render(document())
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True

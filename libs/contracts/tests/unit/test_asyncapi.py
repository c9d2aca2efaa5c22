"""The committed AsyncAPI catalogue is what the contracts say, and holds together."""

from __future__ import annotations

import json
from typing import Any

from attendandt.contracts import asyncapi
from attendandt.contracts.registry import SUBJECTS
from attendandt.contracts.schema import SNAPSHOT_DIR, schema_of


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_the_committed_catalogue_matches_the_code() -> None:
    committed = asyncapi.ASYNCAPI_PATH.read_text()
    assert committed == asyncapi.render(asyncapi.document()), (
        "asyncapi.json is stale: run `make asyncapi` and commit it"
    )


def test_every_public_subject_is_a_channel_with_its_schema_and_version() -> None:
    doc = json.loads(asyncapi.ASYNCAPI_PATH.read_text())
    assert doc["asyncapi"] == "3.0.0"
    addresses = {channel["address"]: channel for channel in doc["channels"].values()}
    public = [s for s in SUBJECTS if s.template.startswith("attendandt.")]
    assert public, "no public subject found"
    assert set(addresses) == {s.template for s in public}
    for subject in public:
        channel = addresses[subject.template]
        assert set(channel["parameters"]) == set(subject.parts)
        for part, values in subject.allowed:
            assert channel["parameters"][part]["enum"] == list(values)
        [message_ref] = channel["messages"].values()
        message = _resolve(doc, message_ref["$ref"])
        payload = subject.payload
        assert message["x-attendandt-version"] == payload.VERSION
        assert message["headers"]["properties"]["Attendandt-Schema"]["const"] == (
            payload.schema_id()
        )
        # The same schema as the committed snapshot of that payload version.
        snapshot = SNAPSHOT_DIR / f"{payload.SCHEMA}.v{payload.VERSION}.json"
        assert snapshot.exists(), snapshot
        root = _resolve(doc, message["payload"]["$ref"])
        assert set(root["properties"]) == set(
            schema_of(payload)["$defs"][payload.__name__]["properties"]
        )
    internal = {"mews.", "cmd.", "deadletter."}
    assert not [a for a in addresses if any(a.startswith(p) for p in internal)]


def test_every_reference_resolves_and_every_operation_receives() -> None:
    doc = asyncapi.document()
    for ref in _refs(doc):
        _resolve(doc, ref)
    assert doc["operations"]
    for operation in doc["operations"].values():
        assert operation["action"] == "receive"
        channel = _resolve(doc, operation["channel"]["$ref"])
        for message in operation["messages"]:
            assert message["$ref"].startswith(operation["channel"]["$ref"] + "/messages/")
            assert _resolve(doc, message["$ref"]) in channel["messages"].values()

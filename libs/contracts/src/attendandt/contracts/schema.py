"""JSON-schema snapshots of every payload and every stored KV value (`contracts.kv`), and
the rule that guards them.

The committed snapshot `schemas/<schema>.v<version>.json` is the contract other processes and
other hotel systems rely on. When a payload's schema differs from its snapshot:
- additive (only new optional fields): record it with `make schemas`;
- an enum that only gains values (a new state) is recorded as additive too: a reader of the
  new version must be deployed with or before the writer that sends the new value;
- anything else (a field removed, renamed, retyped, made required; an enum value removed or
  renamed): that is
  a new version: bump `VERSION` and publish on a new `v2` subject, keeping v1 until its
  consumers move. The snapshot tool refuses to overwrite a version with a breaking change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from attendandt.contracts.base import Payload
from attendandt.contracts.kv import KV_VALUES, KVValue
from attendandt.contracts.registry import payload_types

SNAPSHOT_DIR = Path(__file__).parent / "schemas"

JsonObject = dict[str, Any]
#: What is snapshotted: a message payload or a value stored in KV.
Versioned = type[Payload] | type[KVValue]


def snapshotted() -> tuple[Versioned, ...]:
    """Every payload that crosses a process and every value a process stores for others."""
    return (*payload_types(), *KV_VALUES)


def schema_of(payload: Versioned) -> JsonObject:
    schema: JsonObject = msgspec.json.schema(payload)
    return schema


def snapshot_path(payload: Versioned, directory: Path = SNAPSHOT_DIR) -> Path:
    return directory / f"{payload.SCHEMA}.v{payload.VERSION}.json"


def render(schema: JsonObject) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def _definitions(schema: JsonObject) -> dict[str, JsonObject]:
    defs: dict[str, JsonObject] = dict(schema.get("$defs", {}))
    root = {k: v for k, v in schema.items() if k != "$defs"}
    defs["<root>"] = root
    return defs


def breaking_changes(old: JsonObject, new: JsonObject) -> list[str]:
    """What in `new` would break a reader or a writer of `old` (empty: additive or equal)."""
    problems: list[str] = []
    old_defs, new_defs = _definitions(old), _definitions(new)
    for name, old_def in old_defs.items():
        new_def = new_defs.get(name)
        if new_def is None:
            problems.append(f"{name}: type removed or renamed")
            continue
        if "properties" not in old_def:
            if old_def != new_def and not _enum_widened(old_def, new_def):
                problems.append(f"{name}: changed ({_short(old_def)} → {_short(new_def)})")
            continue
        old_props: JsonObject = old_def.get("properties", {})
        new_props: JsonObject = new_def.get("properties", {})
        for prop, prop_schema in old_props.items():
            if prop not in new_props:
                problems.append(f"{name}.{prop}: field removed or renamed")
            elif new_props[prop] != prop_schema:
                problems.append(
                    f"{name}.{prop}: type changed "
                    f"({_short(prop_schema)} → {_short(new_props[prop])})"
                )
        old_required = set(old_def.get("required", []))
        for prop in sorted(set(new_def.get("required", [])) - old_required):
            problems.append(f"{name}.{prop}: new required field (give it a default)")
    return problems


def _enum_widened(old: JsonObject, new: JsonObject) -> bool:
    """Only values added to an enum (everything else about the definition equal)."""
    if "enum" not in old or "enum" not in new:
        return False
    rest_old = {k: v for k, v in old.items() if k != "enum"}
    rest_new = {k: v for k, v in new.items() if k != "enum"}
    return rest_old == rest_new and set(old["enum"]) <= set(new["enum"])


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) < 80 else text[:77] + "..."


@dataclass(frozen=True)
class SchemaDrift:
    payload: Versioned
    kind: str  # "new", "additive" or "breaking"
    details: tuple[str, ...] = ()

    def explain(self) -> str:
        name = f"{self.payload.__name__} ({self.payload.schema_id()})"
        if self.kind == "new":
            return f"{name}: no snapshot yet; run `make schemas` to record it"
        if self.kind == "additive":
            return f"{name}: additive change not recorded; run `make schemas` to record it"
        listed = "; ".join(self.details)
        return (
            f"{name}: breaking change without a version decision ({listed}); bump VERSION and "
            f"publish it on a new v{self.payload.VERSION + 1} subject, keep v{self.payload.VERSION}"
            " until its consumers move"
        )


def drift(
    payloads: tuple[Versioned, ...] | None = None, directory: Path = SNAPSHOT_DIR
) -> list[SchemaDrift]:
    """Every payload whose schema is not exactly its committed snapshot."""
    found: list[SchemaDrift] = []
    for payload in payloads if payloads is not None else snapshotted():
        path = snapshot_path(payload, directory)
        current = schema_of(payload)
        if not path.exists():
            found.append(SchemaDrift(payload, "new"))
            continue
        recorded: JsonObject = json.loads(path.read_text())
        # Compared as JSON, as recorded: msgspec gives a tuple default as a tuple, the
        # snapshot as a list, and the two must not count as a type change.
        rendered: JsonObject = json.loads(render(current))
        if recorded == rendered:
            continue
        problems = breaking_changes(recorded, rendered)
        found.append(SchemaDrift(payload, "breaking" if problems else "additive", tuple(problems)))
    return found


def write_snapshots(directory: Path = SNAPSHOT_DIR) -> tuple[list[str], list[SchemaDrift]]:
    """Record new and additive schemas; refuse breaking ones (returned for the caller to show)."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    refused: list[SchemaDrift] = []
    for item in drift(directory=directory):
        if item.kind == "breaking":
            refused.append(item)
            continue
        path = snapshot_path(item.payload, directory)
        path.write_text(render(schema_of(item.payload)))
        written.append(f"{item.kind}: {path.name}")
    return written, refused

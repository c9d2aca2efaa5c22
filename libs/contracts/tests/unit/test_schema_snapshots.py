"""The committed schemas are the contract; a change needs a version decision."""

from pathlib import Path

import msgspec

from attendandt.contracts.base import Payload
from attendandt.contracts.schema import breaking_changes, drift, render, schema_of, write_snapshots


def test_every_payload_matches_its_committed_snapshot() -> None:
    problems = drift()
    assert not problems, "\n".join(p.explain() for p in problems)


# Three versions of one payload class `Thing`, as it would look before and after an edit
# (the class name is part of the schema, so each version must keep it).


def _before() -> type[Payload]:
    class Thing(Payload, frozen=True, kw_only=True):
        SCHEMA = "example.thing"
        thing_id: str
        count: int
        state: str = "new"

    return Thing


def _adds_optional() -> type[Payload]:
    class Thing(Payload, frozen=True, kw_only=True):
        SCHEMA = "example.thing"
        thing_id: str
        count: int
        state: str = "new"
        note: str | None = None

    return Thing


def _retypes_and_requires() -> type[Payload]:
    class Thing(Payload, frozen=True, kw_only=True):
        SCHEMA = "example.thing"
        thing_id: str
        count: str
        owner: str

    return Thing


Before, AddsOptional, RetypesAndRequires = _before(), _adds_optional(), _retypes_and_requires()


def _snapshot(tmp_path: Path, payload: type[Payload]) -> None:
    (tmp_path / f"{payload.SCHEMA}.v{payload.VERSION}.json").write_text(render(schema_of(payload)))


def test_additive_change_is_reported_and_can_be_recorded(tmp_path: Path) -> None:
    _snapshot(tmp_path, Before)
    [item] = drift((AddsOptional,), tmp_path)
    assert item.kind == "additive"
    assert "make schemas" in item.explain()


def test_breaking_change_names_every_problem(tmp_path: Path) -> None:
    _snapshot(tmp_path, Before)
    [item] = drift((RetypesAndRequires,), tmp_path)
    assert item.kind == "breaking"
    text = item.explain()
    assert "count: type changed" in text
    assert "state: field removed" in text
    assert "owner: new required field" in text
    assert "bump VERSION" in text


def test_enum_value_removed_is_breaking_and_value_added_is_additive() -> None:
    old = {"$defs": {"Color": {"enum": ["red", "blue"], "type": "string"}}}
    new = {"$defs": {"Color": {"enum": ["red", "green"], "type": "string"}}}
    assert breaking_changes(old, new) == [
        'Color: changed ({"enum": ["red", "blue"], "type": "string"} → '
        '{"enum": ["red", "green"], "type": "string"})'
    ]
    widened = {"$defs": {"Color": {"enum": ["red", "blue", "green"], "type": "string"}}}
    assert breaking_changes(old, widened) == []
    retyped = {"$defs": {"Color": {"enum": ["red", "blue", "green"], "type": "integer"}}}
    assert breaking_changes(old, retyped) != []


def test_snapshot_tool_records_additive_and_refuses_breaking(tmp_path: Path, monkeypatch) -> None:
    import attendandt.contracts.schema as schema_module

    _snapshot(tmp_path, Before)
    monkeypatch.setattr(schema_module, "snapshotted", lambda: (RetypesAndRequires,))
    written, refused = write_snapshots(tmp_path)
    assert written == []
    assert [r.kind for r in refused] == ["breaking"]
    monkeypatch.setattr(schema_module, "snapshotted", lambda: (AddsOptional,))
    written, refused = write_snapshots(tmp_path)
    assert written == ["additive: example.thing.v1.json"]
    assert msgspec.json.decode((tmp_path / "example.thing.v1.json").read_bytes()) == schema_of(
        AddsOptional
    )


def test_a_tuple_default_matches_its_recorded_list(tmp_path: Path) -> None:
    # The snapshot stores `[]` where msgspec says `()`: a documented class is additive only.
    def version(documented: bool) -> type[Payload]:
        class Tags(Payload, frozen=True, kw_only=True):
            SCHEMA = "example.tags"
            tags: tuple[str, ...] = ()

        if documented:
            Tags.__doc__ = "Tags of a thing."
        return Tags

    _snapshot(tmp_path, version(False))
    assert drift((version(False),), tmp_path) == []
    [item] = drift((version(True),), tmp_path)
    assert (item.kind, item.details) == ("additive", ())

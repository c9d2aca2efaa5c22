"""The decisions about a staff edit of a guest, without I/O.

An edit is judged field by field against the version the user saw (`base_version`):
- a field already holding the new value is `unchanged` (nothing to write);
- a field Mews changed since that version, to a value other than ours, is a `conflict`
  straight away (we hold Mews's newer value, so both are known);
- any other field is `saving`: written to Mews by the publisher, which checks again against
  Mews itself (a newer value may not have reached us yet) and reports each field back.

A field moves on when the publisher reports (`applied` → `in_step`, `conflict`, `failed`),
when Mews's own version shows our value (our write's echo: `in_step`), and when a user (or
the hotel's rule) settles a conflict: `mews` keeps Mews's value (`kept_mews`), `ours` writes
ours in the next round, against the Mews value the user was shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Literal

import msgspec

from attendandt.contracts.commands import EditFieldOutcome
from attendandt.contracts.guest_fields import BY_NAME, EDITABLE, FieldValue, check, normalise
from attendandt.contracts.rpc.guests import (
    EditFieldState,
    EditFieldView,
    EditRule,
    EditState,
    FieldChange,
    SyncState,
)
from attendandt.contracts.snapshots import GuestSnapshot

OPEN_STATES = ("saving", "conflict")


class EditField(msgspec.Struct, kw_only=True):
    """One field of an edit as stored (`guest_edits.fields`)."""

    field: str
    value: FieldValue = None
    #: What Mews is expected to hold for our value to be written: what the user saw, or
    #: the Mews value a user chose to write over.
    base: FieldValue = None
    mews_value: FieldValue = None
    state: EditFieldState
    #: The round that sent it (0: never sent).
    sent_in: int = 0
    resolution: str | None = None
    resolved_by: str | None = None

    def view(self) -> EditFieldView:
        return EditFieldView(
            field=self.field,
            value=self.value,
            base=self.base,
            mews_value=self.mews_value,
            state=self.state,
            resolution=self.resolution,
            resolved_by=self.resolved_by,
        )


class BadChange(ValueError):
    """A change staff cannot make; the message says why."""


def snapshot_value(guest: GuestSnapshot, name: str) -> FieldValue:
    return normalise(name, getattr(guest, name))


def checked_changes(changes: Iterable[FieldChange]) -> dict[str, FieldValue]:
    """Each field once, editable here, its value one Mews takes; normalised."""
    found: dict[str, FieldValue] = {}
    for change in changes:
        if change.field not in EDITABLE:
            raise BadChange(f"{change.field} cannot be edited here: one of {', '.join(EDITABLE)}")
        if change.field in found:
            raise BadChange(f"{change.field} is changed twice")
        try:
            found[change.field] = check(change.field, change.value)
        except ValueError as exc:
            raise BadChange(str(exc)) from exc
    return found


def changed_since(field_changed_utc: Mapping[str, str], name: str, base: datetime) -> bool:
    at = field_changed_utc.get(name)
    return at is not None and datetime.fromisoformat(at) > base


def judge(
    changes: Mapping[str, FieldValue],
    stored: GuestSnapshot,
    field_changed_utc: Mapping[str, str],
    base_version: datetime,
) -> list[EditField]:
    """The fields of a new edit against the guest as we hold it (see the module doc)."""
    fields = []
    for name, value in changes.items():
        held = snapshot_value(stored, name)
        if held == value:
            fields.append(EditField(field=name, value=value, base=held, state="unchanged"))
        elif changed_since(field_changed_utc, name, base_version):
            fields.append(
                EditField(field=name, value=value, base=None, mews_value=held, state="conflict")
            )
        else:
            fields.append(EditField(field=name, value=value, base=held, state="saving"))
    return fields


def edit_state(fields: Iterable[EditField]) -> EditState:
    states = {f.state for f in fields}
    if "conflict" in states:
        return "conflict"
    if "saving" in states:
        return "saving"
    if "failed" in states:
        return "failed"
    return "in_step"


def sync_state(edit_states: Iterable[str]) -> SyncState:
    states = set(edit_states)
    if "conflict" in states:
        return "conflict"
    if "saving" in states:
        return "saving"
    return "in_step"


def apply_outcomes(
    fields: list[EditField], edit_round: int, outcomes: Iterable[EditFieldOutcome]
) -> list[EditField]:
    """The publisher's report of round `edit_round`; returns the fields it moved. A field
    already moved (our echo came first) or sent in another round is left alone."""
    by_name = {f.field: f for f in fields}
    moved = []
    for outcome in outcomes:
        found = by_name.get(outcome.field)
        if found is None or found.sent_in != edit_round or found.state != "saving":
            continue
        if outcome.outcome == "applied":
            found.state = "in_step"
            found.mews_value = outcome.mews_value
        elif outcome.outcome == "conflict":
            found.state = "conflict"
            found.mews_value = outcome.mews_value
        else:
            found.state = "failed"
        moved.append(found)
    return moved


def echo(fields: list[EditField], guest: GuestSnapshot) -> tuple[list[EditField], bool]:
    """A new Mews version of the guest, against an open edit: a field on its way (or in
    conflict) whose value Mews now holds is in step (our write's echo, or Mews reached the
    same value); a conflict shows Mews's newest value. Returns the fields now in step and
    whether anything of the edit changed."""
    in_step = []
    changed = False
    for f in fields:
        if f.state not in OPEN_STATES:
            continue
        now = snapshot_value(guest, f.field)
        if now == f.value:
            f.state = "in_step"
            f.mews_value = now
            in_step.append(f)
            changed = True
        elif f.state == "conflict" and now != f.mews_value:
            f.mews_value = now
            changed = True
    return in_step, changed


def settle(
    f: EditField, keep: Literal["ours", "mews"], *, by: str, next_round: int, resolution: str
) -> None:
    """A conflict settled: Mews's value kept, or ours written in `next_round` over the Mews
    value shown (if Mews changed it again by then, that is a new conflict)."""
    f.resolution = resolution
    f.resolved_by = by
    if keep == "mews":
        f.state = "kept_mews"
        return
    f.state = "saving"
    f.base = f.mews_value
    f.sent_in = next_round


def by_rule(rule: EditRule, *, edited_at: datetime, mews_changed_at: datetime | None) -> str | None:
    """What a hotel's rule keeps for a conflict: `ours`, `mews`, or None (ask the user).
    `newest_wins` compares when the edit was made with when Mews's value was (unknown: Mews's
    is taken as the newer, so nothing is overwritten on a guess)."""
    if rule == "mews_wins":
        return "mews"
    if rule == "we_win":
        return "ours"
    if rule == "newest_wins":
        if mews_changed_at is not None and edited_at > mews_changed_at:
            return "ours"
        return "mews"
    return None


def changed_fields(previous: GuestSnapshot | None, guest: GuestSnapshot) -> tuple[str, ...]:
    """The fields (GuestSnapshot's names) whose values differ between two versions."""
    if previous is None:
        return ()
    names = [n for n in GuestSnapshot.__struct_fields__ if n != "mews_updated_utc"]
    return tuple(
        n for n in names if normalise(n, getattr(previous, n)) != normalise(n, getattr(guest, n))
    )


def with_values(
    guest: GuestSnapshot, values: Mapping[str, FieldValue], at: datetime
) -> GuestSnapshot:
    """The guest with these (editable) fields set, as of Mews's version `at`."""
    converted: dict[str, object] = {"mews_updated_utc": at}
    for name, value in values.items():
        spec = BY_NAME[name]
        if spec.kind == "list":
            converted[name] = tuple(value or ())
        elif spec.kind == "date" and isinstance(value, str):
            converted[name] = datetime.fromisoformat(value).date()
        else:
            converted[name] = value
    return msgspec.structs.replace(guest, **converted)


def decode_fields(raw: object) -> list[EditField]:
    return msgspec.convert(raw, list[EditField])


def encode_fields(fields: Iterable[EditField]) -> list[object]:
    return [msgspec.to_builtins(f) for f in fields]

"""Staff edits of a guest, their conflicts with Mews and the hotel's standing rules
(`edit_guest`, `resolve_conflicts`, `edit_rules`, `set_edit_rules`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.guest_fields import FieldValue
from attendandt.contracts.rpc.guests.parts import _Part

#: Where a guest's edits are: all in Mews, some on their way, some waiting for a choice.
SyncState = Literal["in_step", "saving", "conflict"]
#: One field of an edit: on its way (`saving`), in Mews (`in_step`), met a newer value in
#: Mews (`conflict`), settled by keeping Mews's value (`kept_mews`), refused by Mews
#: (`failed`), or already so when edited (`unchanged`).
EditFieldState = Literal["saving", "in_step", "conflict", "kept_mews", "failed", "unchanged"]
EditState = Literal["saving", "in_step", "conflict", "failed"]
#: A hotel's standing choice for a field's conflicts; `ask`: the user chooses.
EditRule = Literal["ask", "mews_wins", "we_win", "newest_wins"]


class EditFieldView(_Part, frozen=True, kw_only=True):
    """One field of an edit: our value, the one the user saw, and Mews's in a conflict."""

    field: str
    value: FieldValue = None
    base: FieldValue = None
    #: What Mews holds: set in a conflict (and after one was settled).
    mews_value: FieldValue = None
    state: EditFieldState
    #: How a conflict was settled: `ours`, `mews`, or `rule:<rule>`; who did it.
    resolution: str | None = None
    resolved_by: str | None = None


class EditAuditEntry(_Part, frozen=True, kw_only=True):
    """One step of an edit's history: who (a user id, `mews` for what Mews answered or sent
    back, `rule` for the hotel's rule) did what (`edited`, `written` or `checked` by the
    publisher, `in_step` on Mews's echo, `resolved`, `superseded`) to which fields."""

    at: datetime
    actor: str
    action: str
    edit_round: int = 0
    fields: tuple[str, ...] = ()


class GuestEditView(_Part, frozen=True, kw_only=True):
    edit_id: str
    guest_id: str
    author_user_id: str
    created_at: datetime
    #: The guest's Mews version the user saw (its UpdatedUtc).
    base_version: datetime
    state: EditState
    fields: tuple[EditFieldView, ...] = ()
    #: Why Mews refused, when it did.
    failure: str | None = None
    #: The edit's history, oldest first (its audit).
    history: tuple[EditAuditEntry, ...] = ()


class FieldChange(_Part, frozen=True, kw_only=True):
    #: One of `guest_fields.EDITABLE`.
    field: str
    value: FieldValue


class EditGuestRequest(Payload, frozen=True, kw_only=True):
    """Change these fields of a guest, as the user saw it at `base_version` (the guest's
    `mews_updated_utc` when the form was filled). A field Mews changed since then to
    another value is a conflict (no write for it); the others are written to Mews."""

    SCHEMA = "guests.edit_guest_request"
    enterprise_id: str
    guest_id: str
    base_version: datetime
    changes: Annotated[tuple[FieldChange, ...], msgspec.Meta(min_length=1, max_length=30)]


class GuestEditReply(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.guest_edit"
    edit: GuestEditView
    sync_state: SyncState


class ConflictChoice(_Part, frozen=True, kw_only=True):
    field: str
    #: `ours`: write our value over Mews's (if Mews still holds the value shown); `mews`:
    #: keep Mews's.
    keep: Literal["ours", "mews"]


class ResolveConflictsRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.resolve_conflicts_request"
    enterprise_id: str
    guest_id: str
    edit_id: str
    choices: Annotated[tuple[ConflictChoice, ...], msgspec.Meta(min_length=1, max_length=30)]


class FieldRule(_Part, frozen=True, kw_only=True):
    field: str
    rule: EditRule


class EditRulesRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.edit_rules_request"
    enterprise_id: str


class SetEditRulesRequest(Payload, frozen=True, kw_only=True):
    """Replace the rules named here (a field left out keeps its rule)."""

    SCHEMA = "guests.set_edit_rules_request"
    enterprise_id: str
    rules: Annotated[tuple[FieldRule, ...], msgspec.Meta(max_length=30)]


class EditRules(Payload, frozen=True, kw_only=True):
    """Every editable field's rule (`ask` unless the hotel set another)."""

    SCHEMA = "guests.edit_rules"
    enterprise_id: str
    rules: tuple[FieldRule, ...]


EDIT_GUEST = RpcMethod("guests", "edit_guest", EditGuestRequest, GuestEditReply)
RESOLVE_CONFLICTS = RpcMethod(
    "guests", "resolve_conflicts", ResolveConflictsRequest, GuestEditReply
)
GET_EDIT_RULES = RpcMethod("guests", "edit_rules", EditRulesRequest, EditRules)
SET_EDIT_RULES = RpcMethod("guests", "set_edit_rules", SetEditRulesRequest, EditRules)

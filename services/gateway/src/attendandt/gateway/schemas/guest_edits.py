"""The bodies of staff changes written to Mews: a guest's fields, a stay's note, the choices
settling a conflict, the hotel's rules."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.gateway.schemas.base import AwareDatetime, Body, Email, Id, LongText

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]


class StayNoteWrite(Body, frozen=True, kw_only=True):
    """A note's text; for a change, `base_text`: the note's text as the user saw it (a text
    Mews holds by then other than that is a conflict, not overwritten)."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
    base_text: Annotated[str, msgspec.Meta(max_length=5000)] | None = None


class GuestEdit(Body, frozen=True, kw_only=True):
    """The fields to change (those left out stay as they are; Mews cannot clear a field, so
    none may be null or empty), and `base_version`: the guest's `mews_updated_utc` as the
    user saw it. A field Mews changed since then to another value is a conflict, shown with
    both values; the others are written to Mews."""

    base_version: AwareDatetime
    first_name: Name | UnsetType = UNSET
    last_name: Name | UnsetType = UNSET
    email: Email | UnsetType = UNSET
    phone: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    #: Language and culture, e.g. en-GB.
    language_code: Annotated[str, msgspec.Meta(min_length=2, max_length=35)] | UnsetType = UNSET
    #: ISO 3166-1 alpha-2, e.g. GB.
    nationality_code: Annotated[str, msgspec.Meta(pattern="^[A-Z]{2}$")] | UnsetType = UNSET
    birth_date: date | UnsetType = UNSET
    #: Mews customer classifications (e.g. Important, VeryImportant, Returning): the whole set.
    classifications: (
        Annotated[list[Annotated[str, msgspec.Meta(max_length=40)]], msgspec.Meta(max_length=30)]
        | UnsetType
    ) = UNSET
    company_mews_id: Id | UnsetType = UNSET
    notes: LongText | UnsetType = UNSET


class ConflictChoiceBody(Body, frozen=True, kw_only=True):
    field: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    #: `ours`: write our value over Mews's; `mews`: keep Mews's.
    keep: Literal["ours", "mews"]


class ConflictResolution(Body, frozen=True, kw_only=True):
    edit_id: Id
    choices: Annotated[list[ConflictChoiceBody], msgspec.Meta(min_length=1, max_length=30)]


class EditRulesUpdate(Body, frozen=True, kw_only=True):
    """Per field: `ask` (the user chooses), `mews_wins`, `we_win` or `newest_wins`."""

    rules: Annotated[list[guests_rpc.FieldRule], msgspec.Meta(max_length=30)]

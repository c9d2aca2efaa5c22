"""Staff changes written to Mews, through the guests service: a guest's fields (with the
choices that settle a conflict and the hotel's standing rules) and a stay's notes."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Router, get, patch, post, put
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.gateway.backend import Backend
from attendandt.gateway.permissions import Permission
from attendandt.gateway.problems import ProblemException
from attendandt.gateway.routes.common import BackendDep, caller, enterprise_for, needs, principal_of
from attendandt.gateway.routes.guest_common import EnterpriseQuery, IdPath
from attendandt.gateway.schemas.guest_edits import (
    ConflictResolution,
    EditRulesUpdate,
    GuestEdit,
    StayNoteWrite,
)


@patch("/guests/{guest_id:str}", **needs(Permission.GUESTS_EDIT))
async def edit_guest(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    guest_id: IdPath,
    data: JSONBody[GuestEdit],
    enterprise_id: EnterpriseQuery = None,
) -> guests_rpc.GuestEditReply:
    """Change a guest: recorded with its author and written to Mews once. The reply's edit
    says per field whether it is on its way (`saving`), already so (`unchanged`) or in
    `conflict` with a newer value in Mews (both values shown); the guest's `sync_state` is
    `saving` until Mews has every field, then `in_step`."""
    changes = tuple(
        guests_rpc.FieldChange(
            field=name, value=tuple(value) if isinstance(value, list) else str(value)
        )
        for name in data.__struct_fields__
        if name != "base_version" and (value := getattr(data, name)) is not msgspec.UNSET
    )
    if not changes:
        raise ProblemException(422, "name at least one field to change")
    return await backend.call(
        guests_rpc.EDIT_GUEST,
        guests_rpc.EditGuestRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id),
            guest_id=guest_id,
            base_version=data.base_version,
            changes=changes,
        ),
        caller=caller(request),
    )


@post(
    "/guests/{guest_id:str}/conflicts/resolve",
    status_code=HTTP_200_OK,
    **needs(Permission.GUESTS_EDIT),
)
async def resolve_conflicts(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    guest_id: IdPath,
    data: JSONBody[ConflictResolution],
    enterprise_id: EnterpriseQuery = None,
) -> guests_rpc.GuestEditReply:
    """Settle an edit's fields in conflict, one choice per field: `ours` writes our value
    over the Mews value shown (a newer one by then is a new conflict), `mews` keeps Mews's.
    Audited with who chose what."""
    return await backend.call(
        guests_rpc.RESOLVE_CONFLICTS,
        guests_rpc.ResolveConflictsRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id),
            guest_id=guest_id,
            edit_id=data.edit_id,
            choices=tuple(
                guests_rpc.ConflictChoice(field=c.field, keep=c.keep) for c in data.choices
            ),
        ),
        caller=caller(request),
    )


@get(
    "/properties/{enterprise_id:str}/edit-rules",
    **needs(Permission.GUESTS_EDIT, Permission.GUESTS_EDIT_RULES),
)
async def edit_rules(
    *, request: Request[Any, Any, Any], backend: BackendDep, enterprise_id: IdPath
) -> guests_rpc.EditRules:
    """What the hotel does when an edit here meets a newer value in Mews, per field: `ask`
    (the user chooses), `mews_wins`, `we_win`, `newest_wins`."""
    return await backend.call(
        guests_rpc.GET_EDIT_RULES,
        guests_rpc.EditRulesRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id)
        ),
        caller=caller(request),
    )


@put("/properties/{enterprise_id:str}/edit-rules", **needs(Permission.GUESTS_EDIT_RULES))
async def set_edit_rules(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    enterprise_id: IdPath,
    data: JSONBody[EditRulesUpdate],
) -> guests_rpc.EditRules:
    """Set the rules named (a field left out keeps its rule); every field's rule back."""
    return await backend.call(
        guests_rpc.SET_EDIT_RULES,
        guests_rpc.SetEditRulesRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id),
            rules=tuple(data.rules),
        ),
        caller=caller(request),
    )


async def _write_note(
    request: Request[Any, Any, Any],
    backend: Backend,
    stay_id: str,
    data: StayNoteWrite,
    *,
    note_id: str | None,
    enterprise_id: str | None,
) -> guests_rpc.StayNoteWriteReply:
    return await backend.call(
        guests_rpc.WRITE_STAY_NOTE,
        guests_rpc.WriteStayNoteRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id),
            stay_id=stay_id,
            note_mews_id=note_id,
            text=data.text,
            base_text=data.base_text,
        ),
        caller=caller(request),
    )


@post(
    "/stays/{stay_id:str}/notes",
    status_code=HTTP_202_ACCEPTED,
    **needs(Permission.STAY_NOTES_WRITE),
)
async def add_stay_note(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    stay_id: IdPath,
    data: JSONBody[StayNoteWrite],
    enterprise_id: EnterpriseQuery = None,
) -> guests_rpc.StayNoteWriteReply:
    """Add a note to a stay: recorded with its author and written to Mews once. The reply's
    write is `saving` until Mews has it, then `in_step` (read the stay again)."""
    return await _write_note(
        request, backend, stay_id, data, note_id=None, enterprise_id=enterprise_id
    )


@put(
    "/stays/{stay_id:str}/notes/{note_id:str}",
    status_code=HTTP_202_ACCEPTED,
    **needs(Permission.STAY_NOTES_WRITE),
)
async def change_stay_note(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    stay_id: IdPath,
    note_id: IdPath,
    data: JSONBody[StayNoteWrite],
    enterprise_id: EnterpriseQuery = None,
) -> guests_rpc.StayNoteWriteReply:
    """Change a stay's note (`note_id`: its Mews id) as the user saw it (`base_text`):
    written to Mews once, unless Mews holds another text by then (`conflict`, with Mews's
    text; nothing is overwritten)."""
    return await _write_note(
        request, backend, stay_id, data, note_id=note_id, enterprise_id=enterprise_id
    )


edits_router = Router(
    path="/",
    route_handlers=[
        edit_guest,
        resolve_conflicts,
        add_stay_note,
        change_stay_note,
        edit_rules,
        set_edit_rules,
    ],
    tags=["guests"],
)

"""serviceOrderNotes/getAll, /add and /update: notes on reservations and orders."""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim import hotel
from attendandt.mews_sim.endpoints.common import Ctx, interval_ok
from attendandt.mews_sim.errors import invalid
from attendandt.mews_sim.params import Params
from attendandt.mews_sim.store import Entity

NOTE_TYPES = frozenset({"General", "ChannelManager", "SpecialRequest"})
DEFAULT_TYPES = ("General", "ChannelManager")
MAX_TEXT = 5000


def service_order_notes_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    store = ctx.store
    owners = ctx.enterprises(p)
    orders = p.req_ids("ServiceOrderIds")
    note_ids = p.opt_ids("ServiceOrderNoteIds")
    updated = p.interval("UpdatedUtc")
    types = set(p.opt_enums("Types", NOTE_TYPES) or DEFAULT_TYPES)
    limitation = p.limitation()
    candidates = [n for order_id in orders for n in store.notes_of.get(order_id, ())]
    if note_ids is not None:
        wanted = set(note_ids)
        candidates = [n for n in candidates if n in wanted]

    def match(note: Entity) -> bool:
        return note["Type"] in types and interval_ok(updated, note["UpdatedUtc"])

    items, cursor = store.service_order_notes.page(owners, limitation, match, candidates)
    return {"ServiceOrderNotes": items, "Cursor": cursor}


def service_order_notes_add(ctx: Ctx, p: Params) -> dict[str, Any]:
    entries = p.opt_objs("ServiceOrderNotes")
    if not entries:
        raise invalid("ServiceOrderNotes", "The value is required.")
    # Every note is checked before any is written: the request succeeds or changes nothing.
    enterprise_id = ctx.enterprise(p).id
    wanted: list[tuple[Entity, str]] = []
    for entry in entries:
        order = hotel.service_order(ctx.store, enterprise_id, entry.req_id("ServiceOrderId"))
        if order is None:
            raise invalid("ServiceOrderId", "The service order does not exist.")
        wanted.append((order, entry.req_str("Text", max_len=MAX_TEXT)))
    notes = [hotel.add_note(ctx.store, order, text) for order, text in wanted]
    return {"ServiceOrderNotes": notes}


def service_order_notes_update(ctx: Ctx, p: Params) -> dict[str, Any]:
    entries = p.opt_objs("ServiceOrderNoteUpdates")
    if not entries:
        raise invalid("ServiceOrderNoteUpdates", "The value is required.")
    # All checked first: the request succeeds or changes nothing.
    enterprise_id = ctx.enterprise(p).id
    wanted: list[tuple[Entity, str | None]] = []
    for entry in entries:
        note = ctx.store.service_order_notes.get(
            entry.req_id("ServiceOrderNoteId"), [enterprise_id]
        )
        if note is None:
            raise invalid("ServiceOrderNoteId", "The service order note does not exist.")
        text = entry.opt_obj("Text")
        if text is None:
            wanted.append((note, None))
            continue
        value = text.opt_str("Value", max_len=MAX_TEXT)
        if value is None:
            raise invalid("Text", "A note's text cannot be cleared.")
        wanted.append((note, value))
    notes = [
        hotel.update_note(ctx.store, note, text) if text is not None else note
        for note, text in wanted
    ]
    return {"ServiceOrderNotes": notes}

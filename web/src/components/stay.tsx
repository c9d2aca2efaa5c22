import { Link } from "react-router-dom";
import { stayRoom, type AnyStay, type StayNote } from "../api/types";
import { fullName, humanize } from "./format";

/** The Mews room state (staff view only; a vendor's view of a stay has none). */
export function roomState(stay: AnyStay): string | null {
  return "room_state" in stay ? (stay.room_state ?? null) : null;
}

/** The room's type as the hotel names it in Mews, e.g. "Deluxe King" (staff view only). */
export function roomCategory(stay: AnyStay): string | null {
  return "room_category" in stay ? (stay.room_category ?? null) : null;
}

/** The room, its type and its state as the front desk says it: "204 (Deluxe King) · Dirty";
 * null without a room. */
export function roomLabel(stay: AnyStay): string | null {
  const room = stayRoom(stay);
  if (!room) return null;
  const category = roomCategory(stay);
  const named = category ? `${room} (${category})` : room;
  const state = roomState(stay);
  return state ? `${named} · ${humanize(state)}` : named;
}

/** The reservation's notes (staff view only). */
export function stayNotes(stay: AnyStay): StayNote[] {
  return "notes" in stay ? (stay.notes ?? []) : [];
}

const NOT_READY = new Set(["Dirty", "OutOfService", "OutOfOrder"]);

/** The room with its type and state, the state marked when the room is not ready for a guest. */
export function Room({ stay }: { stay: AnyStay }) {
  const room = stayRoom(stay);
  if (!room) return <>—</>;
  const category = roomCategory(stay);
  const state = roomState(stay);
  return (
    <>
      {room}
      {category ? <span className="text-slate-600"> ({category})</span> : null}
      {state ? (
        <>
          {" · "}
          <span className={NOT_READY.has(state) ? "font-medium text-amber-800" : "text-slate-600"}>{humanize(state)}</span>
        </>
      ) : null}
    </>
  );
}

/** The people on a stay, the owner first, each linked to their page when the app knows them. */
export function StayGuests({ stay }: { stay: AnyStay }) {
  const guests = [...(stay.guests ?? [])].sort((a, b) => Number(a.role === "companion") - Number(b.role === "companion"));
  if (guests.length === 0) return <>—</>;
  return (
    <ul>
      {guests.map((g, i) => (
        <li key={g.guest_id ?? `${g.role}-${i}`}>
          {g.guest_id ? (
            <Link className="inline-block min-h-[24px] py-0.5 text-indigo-700 underline" to={`/guests/${g.guest_id}`}>
              {fullName(g)}
            </Link>
          ) : (
            fullName(g)
          )}
          {g.role === "companion" ? <span className="text-xs text-slate-600"> (companion)</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** The companions alone (where the owner is already named). */
export function Companions({ stay }: { stay: AnyStay }) {
  const companions = (stay.guests ?? []).filter((g) => g.role === "companion");
  if (companions.length === 0) return <>—</>;
  return (
    <ul>
      {companions.map((g, i) => (
        <li key={g.guest_id ?? i}>
          {g.guest_id ? (
            <Link className="inline-block min-h-[24px] py-0.5 text-indigo-700 underline" to={`/guests/${g.guest_id}`}>
              {fullName(g)}
            </Link>
          ) : (
            fullName(g)
          )}
        </li>
      ))}
    </ul>
  );
}

/** A note's kind, said when it is not a plain (General) note. */
export function noteKind(note: StayNote): string | null {
  return note.type && note.type !== "General" ? humanize(note.type) : null;
}

export function StayNotes({ stay }: { stay: AnyStay }) {
  const notes = stayNotes(stay);
  if (notes.length === 0) return <>—</>;
  return (
    <ul className="space-y-1">
      {notes.map((note, i) => {
        const kind = noteKind(note);
        return (
          <li key={i} className="whitespace-pre-line">
            {kind ? <span className="font-medium">{kind}: </span> : null}
            {note.text}
          </li>
        );
      })}
    </ul>
  );
}

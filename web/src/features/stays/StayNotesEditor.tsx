import { useState, type FormEvent } from "react";
import type { StayNote, StayNoteWriteView } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Badge, Button, Empty, TextArea } from "../../components/ui";
import { noteKind } from "../../components/stay";
import { useWriteStayNote } from "./api";

const STATES: Record<StayNoteWriteView["state"], [string, "green" | "amber" | "red"]> = {
  saving: ["saving to Mews…", "amber"],
  in_step: ["in step with Mews", "green"],
  conflict: ["conflict", "red"],
  failed: ["not saved", "red"],
};

function WriteState({ write }: { write: StayNoteWriteView }) {
  const [label, tone] = STATES[write.state];
  return (
    <span role="status" aria-label={`Note: ${label}`}>
      <Badge tone={tone}>{label}</Badge>
    </span>
  );
}

/** A note's text in a form: the text the form opened with is what Mews's is judged against. */
function NoteForm({
  label,
  initial,
  pending,
  onSave,
  onCancel,
}: {
  label: string;
  initial: string;
  pending: boolean;
  onSave: (text: string) => void;
  onCancel?: () => void;
}) {
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string | undefined>();
  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = text.trim();
    if (!trimmed) return setError("Write the note first.");
    if (trimmed === initial.trim()) return setError("Nothing changed.");
    onSave(trimmed);
  }
  return (
    <form aria-label={label} onSubmit={submit} className="space-y-2">
      <TextArea
        label="Note"
        value={text}
        maxLength={5000}
        error={error}
        onChange={(e) => {
          setError(undefined);
          setText(e.target.value);
        }}
      />
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </Button>
        {onCancel ? (
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}

/** The newest write of each note (by its Mews id; new notes by their write). */
function latestWrites(writes: StayNoteWriteView[]): StayNoteWriteView[] {
  const seen = new Set<string>();
  return writes.filter((w) => {
    const key = w.note_mews_id ?? w.write_id;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A stay's notes as Mews holds them, and the notes staff added or changed here: saving, then
 * in step; a conflict shows both texts (nothing was overwritten) and edits again from Mews's.
 */
export function StayNotesEditor({
  notes,
  writes,
  stayId,
  enterpriseId,
  portfolioWide,
  canWrite,
}: {
  notes: StayNote[];
  writes: StayNoteWriteView[];
  stayId: string;
  enterpriseId: string | null;
  portfolioWide: boolean;
  canWrite: boolean;
}) {
  const save = useWriteStayNote(enterpriseId, stayId, portfolioWide);
  // The note being edited (its Mews id) and the text the user saw; "new" for a new note.
  const [editing, setEditing] = useState<{ noteId: string | null; base: string } | null>(null);
  const latest = latestWrites(writes);
  const byNote = new Map(latest.filter((w) => w.note_mews_id).map((w) => [w.note_mews_id!, w]));
  // New notes Mews has not numbered yet (on their way, refused or never reached).
  const pendingNew = latest.filter((w) => !w.note_mews_id || !notes.some((n) => n.mews_id === w.note_mews_id));

  function write(noteId: string | null, text: string, base: string | null) {
    save.mutate(
      { noteId, body: noteId === null ? { text } : { text, base_text: base } },
      { onSuccess: () => setEditing(null) },
    );
  }

  return (
    <div className="space-y-3">
      {notes.length === 0 && pendingNew.length === 0 ? <Empty>No notes.</Empty> : null}
      <ul className="space-y-2">
        {notes.map((note, i) => {
          const kind = noteKind(note);
          const last = note.mews_id ? byNote.get(note.mews_id) : undefined;
          const isEditing = editing !== null && editing.noteId !== null && editing.noteId === note.mews_id;
          return (
            <li key={note.mews_id ?? i} className="rounded-md p-2 ring-1 ring-slate-200">
              {isEditing ? (
                <NoteForm
                  label="Edit note"
                  initial={editing.base}
                  pending={save.isPending}
                  onSave={(text) => write(note.mews_id!, text, editing.base)}
                  onCancel={() => setEditing(null)}
                />
              ) : (
                <>
                  <p className="whitespace-pre-line">
                    {kind ? <span className="font-medium">{kind}: </span> : null}
                    {last?.state === "saving" ? last.text : note.text}
                  </p>
                  <div className="mt-1 flex items-center gap-2">
                    {last ? <WriteState write={last} /> : null}
                    {canWrite && note.mews_id && last?.state !== "saving" ? (
                      <Button
                        variant="ghost"
                        aria-label={`Edit note: ${note.text.slice(0, 40)}`}
                        onClick={() => setEditing({ noteId: note.mews_id!, base: note.text })}
                      >
                        Edit
                      </Button>
                    ) : null}
                  </div>
                  {last?.state === "conflict" ? (
                    <Conflict
                      write={last}
                      canWrite={canWrite}
                      onEditAgain={() => setEditing({ noteId: note.mews_id!, base: last.mews_text ?? note.text })}
                    />
                  ) : null}
                  {last?.state === "failed" ? <p className="text-sm text-red-700">{last.failure}</p> : null}
                </>
              )}
            </li>
          );
        })}
        {pendingNew.map((w) => (
          <li key={w.write_id} className="rounded-md p-2 ring-1 ring-slate-200">
            <p className="whitespace-pre-line">{w.text}</p>
            <div className="mt-1">
              <WriteState write={w} />
            </div>
            {w.state === "failed" ? <p className="text-sm text-red-700">{w.failure}</p> : null}
          </li>
        ))}
      </ul>
      {canWrite ? (
        editing?.noteId === null ? (
          <NoteForm
            label="Add a note"
            initial=""
            pending={save.isPending}
            onSave={(text) => write(null, text, null)}
            onCancel={() => setEditing(null)}
          />
        ) : (
          <Button variant="secondary" onClick={() => setEditing({ noteId: null, base: "" })}>
            Add a note
          </Button>
        )
      ) : null}
      <ProblemAlert error={save.error} />
    </div>
  );
}

function Conflict({
  write,
  canWrite,
  onEditAgain,
}: {
  write: StayNoteWriteView;
  canWrite: boolean;
  onEditAgain: () => void;
}) {
  return (
    <div role="group" aria-label="Note conflict" className="mt-2 rounded-md bg-red-50 p-2 ring-1 ring-red-200">
      <p className="text-sm">Mews changed this note after you opened it; yours was not written.</p>
      <dl className="mt-1 grid grid-cols-[max-content_1fr] gap-x-3 text-sm">
        <dt className="text-slate-600">Yours</dt>
        <dd className="whitespace-pre-line">{write.text}</dd>
        <dt className="text-slate-600">In Mews</dt>
        <dd className="whitespace-pre-line">{write.mews_text ?? "—"}</dd>
      </dl>
      {canWrite ? (
        <Button className="mt-2" variant="secondary" onClick={onEditAgain}>
          Edit from Mews&apos;s text
        </Button>
      ) : null}
    </div>
  );
}

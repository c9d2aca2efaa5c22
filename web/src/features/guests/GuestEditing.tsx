import { useState, type FormEvent } from "react";
import type { GuestEditView, GuestView, SyncState } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Badge, Button, TextArea, TextField } from "../../components/ui";
import {
  EDITABLE,
  conflicts,
  editBody,
  fieldLabel,
  formValues,
  showValue,
  type EditableField,
  type FormValues,
} from "./edits";
import { useEditGuest, useResolveConflict } from "./api";

const SYNC_LABELS: Record<SyncState, [string, "green" | "amber" | "red"]> = {
  in_step: ["in step with Mews", "green"],
  saving: ["saving to Mews…", "amber"],
  conflict: ["conflict", "red"],
};

/** Where the guest's edits are: in step with Mews, on their way, or waiting for a choice. */
export function SyncStateBadge({ state }: { state: SyncState }) {
  const [label, tone] = SYNC_LABELS[state];
  return (
    <span role="status" aria-label={`Sync: ${label}`}>
      <Badge tone={tone}>{label}</Badge>
    </span>
  );
}

/**
 * The guest's contact fields, editable. The form keeps the version of the guest it was filled
 * from: what the user saw is what Mews's newer values are judged against.
 */
export function GuestEditForm({
  guest,
  enterpriseId,
  portfolioWide,
  onDone,
}: {
  guest: GuestView;
  enterpriseId: string | null;
  portfolioWide: boolean;
  onDone: () => void;
}) {
  const [seen] = useState(guest);
  const [values, setValues] = useState<FormValues>(() => formValues(guest));
  const [nothing, setNothing] = useState(false);
  const save = useEditGuest(enterpriseId, guest.guest_id, portfolioWide);
  const set = (field: EditableField) => (value: string) => {
    setNothing(false);
    setValues((v) => ({ ...v, [field]: value }));
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const body = editBody(seen, values);
    if (body === null) {
      setNothing(true);
      return;
    }
    save.mutate(body, { onSuccess: onDone });
  }

  return (
    <form aria-label="Edit guest" onSubmit={submit} className="space-y-3">
      {EDITABLE.map(([field, label]) =>
        field === "notes" ? (
          <TextArea
            key={field}
            label={label}
            value={values[field]}
            maxLength={2000}
            onChange={(e) => set(field)(e.target.value)}
          />
        ) : (
          <TextField
            key={field}
            label={label}
            value={values[field]}
            type={field === "email" ? "email" : "text"}
            hint={
              field === "language_code"
                ? "e.g. en-GB"
                : field === "nationality_code"
                  ? "Two letters, e.g. GB"
                  : undefined
            }
            onChange={(e) => set(field)(e.target.value)}
          />
        ),
      )}
      <p className="text-xs text-slate-500">Mews keeps a field you empty as it is: it cannot clear one from here.</p>
      {nothing ? <p className="text-sm text-slate-700">Nothing changed.</p> : null}
      <ProblemAlert error={save.error} />
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/**
 * Every field of the guest's edits that met a newer value in Mews: both values side by side,
 * and the user's choice of one (written to Mews if it is ours; audited either way).
 */
export function ConflictResolver({
  edits,
  guestId,
  enterpriseId,
  portfolioWide,
}: {
  edits: GuestEditView[];
  guestId: string;
  enterpriseId: string | null;
  portfolioWide: boolean;
}) {
  const resolve = useResolveConflict(enterpriseId, guestId, portfolioWide);
  const open = conflicts(edits);
  if (open.length === 0) return null;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">
        Mews changed {open.length === 1 ? "this field" : "these fields"} after you opened the guest. Choose which
        value to keep.
      </p>
      <ul className="space-y-3">
        {open.map(({ edit, field }) => {
          const name = fieldLabel(field.field);
          return (
            <li key={`${edit.edit_id}-${field.field}`} className="rounded-md bg-red-50 p-3 ring-1 ring-red-200">
              <p className="font-medium">{name}</p>
              <dl className="mt-1 grid grid-cols-[max-content_1fr] gap-x-3 text-sm">
                <dt className="text-slate-600">Yours</dt>
                <dd>{showValue(field.value)}</dd>
                <dt className="text-slate-600">In Mews</dt>
                <dd>{showValue(field.mews_value)}</dd>
              </dl>
              <div className="mt-2 flex gap-2">
                <Button
                  disabled={resolve.isPending}
                  onClick={() => resolve.mutate({ editId: edit.edit_id, field: field.field, keep: "ours" })}
                  aria-label={`Keep yours for ${name}`}
                >
                  Keep yours
                </Button>
                <Button
                  variant="secondary"
                  disabled={resolve.isPending}
                  onClick={() => resolve.mutate({ editId: edit.edit_id, field: field.field, keep: "mews" })}
                  aria-label={`Keep Mews's for ${name}`}
                >
                  Keep Mews&apos;s
                </Button>
              </div>
            </li>
          );
        })}
      </ul>
      <ProblemAlert error={resolve.error} />
    </div>
  );
}

/** An edit Mews refused (e.g. an email another profile has), with Mews's reason. */
export function FailedEdits({ edits }: { edits: GuestEditView[] }) {
  const failed = edits.filter((e) => e.state === "failed").slice(0, 1);
  return failed.map((edit) => (
    <p key={edit.edit_id} role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-900">
      Mews refused the change of {edit.fields.filter((f) => f.state === "failed").map((f) => fieldLabel(f.field)).join(", ")}
      {edit.failure ? `: ${edit.failure}` : "."}
    </p>
  ));
}

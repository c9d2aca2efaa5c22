import type { EditFieldView, EditRule, GuestEdit, GuestEditView, GuestView } from "../../api/types";

/** The fields the edit form offers, in its order, with how a person names them. */
export const EDITABLE = [
  ["phone", "Phone"],
  ["email", "Email"],
  ["notes", "Notes"],
  ["language_code", "Language"],
  ["nationality_code", "Nationality"],
] as const;

export type EditableField = (typeof EDITABLE)[number][0];

const LABELS: Record<string, string> = {
  ...Object.fromEntries(EDITABLE),
  first_name: "First name",
  last_name: "Last name",
  birth_date: "Birth date",
  classifications: "Classifications",
  company_mews_id: "Company",
};

export function fieldLabel(field: string): string {
  return LABELS[field] ?? field.replace(/_/g, " ");
}

export function showValue(value: EditFieldView["value"]): string {
  if (value === null || value === undefined) return "—";
  return Array.isArray(value) ? value.join(", ") || "—" : value;
}

export type FormValues = Record<EditableField, string>;

export function formValues(guest: GuestView): FormValues {
  return {
    phone: guest.phone ?? "",
    email: guest.email ?? "",
    notes: guest.notes ?? "",
    language_code: guest.language_code ?? "",
    nationality_code: guest.nationality_code ?? "",
  };
}

/**
 * The request body: only the fields the user changed (trimmed), with the version of the guest
 * the form was filled from. Null when nothing changed. A field emptied is left out: Mews
 * cannot clear a field through this route (the form says so).
 */
export function editBody(seen: GuestView, values: FormValues): GuestEdit | null {
  const before = formValues(seen);
  const changed: Partial<FormValues> = {};
  for (const [field] of EDITABLE) {
    const value = values[field].trim();
    if (value && value !== before[field].trim()) changed[field] = value;
  }
  if (Object.keys(changed).length === 0) return null;
  return { base_version: seen.mews_updated_utc, ...changed };
}

/** Fields of open edits waiting for a choice. */
export function conflicts(edits: GuestEditView[]): { edit: GuestEditView; field: EditFieldView }[] {
  return edits.flatMap((edit) =>
    edit.fields.filter((f) => f.state === "conflict").map((field) => ({ edit, field })),
  );
}

/** The hotel's standing choices for a field's conflicts, as a manager names them. */
export const RULES = [
  ["ask", "Ask"],
  ["mews_wins", "Mews wins"],
  ["we_win", "We win"],
  ["newest_wins", "Newest wins"],
] as const satisfies readonly (readonly [EditRule, string])[];

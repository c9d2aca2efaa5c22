import { useState, type FormEvent } from "react";
import type { EditRule, EditRules } from "../../api/types";
import { EnterprisePicker, NeedsEnterprise } from "../../components/EnterprisePicker";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Button, Card, Loading, PageHeader, SelectField } from "../../components/ui";
import { useEnterprise } from "../../lib/enterprise";
import { useEditRules, useSetEditRules } from "./api";
import { RULES, fieldLabel } from "./edits";

/**
 * What happens when an edit made here meets a newer value of the same field in Mews: ask the
 * user, or a standing choice per field (Mews wins, we win, the newest wins).
 */
export function EditRulesPage() {
  const { enterpriseId, portfolioWide } = useEnterprise();
  const rules = useEditRules(enterpriseId);
  return (
    <>
      <PageHeader title="Edit rules">{portfolioWide ? <EnterprisePicker /> : null}</PageHeader>
      {enterpriseId === null ? (
        <NeedsEnterprise />
      ) : rules.isLoading ? (
        <Loading />
      ) : rules.error || !rules.data ? (
        <ProblemAlert error={rules.error} />
      ) : (
        <Card title="When Mews changed the same field">
          <RulesForm key={enterpriseId} held={rules.data} enterpriseId={enterpriseId} />
        </Card>
      )}
    </>
  );
}

function RulesForm({ held, enterpriseId }: { held: EditRules; enterpriseId: string }) {
  const [chosen, setChosen] = useState<Record<string, EditRule>>(() =>
    Object.fromEntries(held.rules.map((r) => [r.field, r.rule])),
  );
  const [note, setNote] = useState<string | null>(null);
  const save = useSetEditRules(enterpriseId);

  function submit(event: FormEvent) {
    event.preventDefault();
    const changed = held.rules
      .filter((r) => chosen[r.field] !== r.rule)
      .map((r) => ({ field: r.field, rule: chosen[r.field] ?? r.rule }));
    if (changed.length === 0) return setNote("Nothing changed.");
    setNote(null);
    save.mutate(changed, { onSuccess: () => setNote("Saved.") });
  }

  return (
    <form aria-label="Edit rules" onSubmit={submit} className="space-y-3">
      <p className="text-sm text-slate-700">
        &ldquo;Ask&rdquo; shows both values to the user who made the edit; the others decide on their own, and
        every decision is audited.
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        {held.rules.map((r) => (
          <SelectField
            key={r.field}
            label={fieldLabel(r.field)}
            value={chosen[r.field] ?? r.rule}
            onChange={(e) => {
              setNote(null);
              setChosen((c) => ({ ...c, [r.field]: e.target.value as EditRule }));
            }}
          >
            {RULES.map(([rule, label]) => (
              <option key={rule} value={rule}>
                {label}
              </option>
            ))}
          </SelectField>
        ))}
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </Button>
        {note ? (
          <p role="status" className="text-sm text-slate-700">
            {note}
          </p>
        ) : null}
      </div>
      <ProblemAlert error={save.error} />
    </form>
  );
}

import { useState, type FormEvent } from "react";
import { Button } from "../../components/ui";

/**
 * The small form that asks why before a booking or a charge is declined, cancelled or
 * rejected: one text field, the action's button and Back. A required reason is trimmed and the
 * button stays disabled until there is one.
 */
export function ReasonPrompt({
  formLabel,
  fieldLabel,
  submitLabel,
  required = false,
  maxLength,
  busy,
  className = "",
  onSubmit,
  onClose,
}: {
  formLabel: string;
  fieldLabel: string;
  submitLabel: string;
  required?: boolean;
  maxLength: number;
  busy: boolean;
  className?: string;
  onSubmit(reason: string): void;
  onClose(): void;
}) {
  const [reason, setReason] = useState("");
  const missing = required && !reason.trim();
  return (
    <form
      aria-label={formLabel}
      className={`flex flex-wrap items-end gap-2 ${className}`}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (missing) return;
        onSubmit(required ? reason.trim() : reason);
      }}
    >
      <label className="text-xs font-medium text-slate-700">
        {fieldLabel}
        <input
          autoFocus
          required={required}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={maxLength}
          className="mt-1 block rounded-md border border-slate-300 px-2 py-1 text-sm"
        />
      </label>
      <Button type="submit" variant="danger" disabled={busy || missing}>
        {submitLabel}
      </Button>
      <Button variant="ghost" onClick={onClose}>
        Back
      </Button>
    </form>
  );
}

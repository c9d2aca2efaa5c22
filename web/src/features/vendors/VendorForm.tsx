import { useState, type FormEvent } from "react";
import type { VendorView } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Button, TextField } from "../../components/ui";

export interface VendorFields {
  name: string;
  category: string;
  contact_email: string | null;
  contact_phone: string | null;
}

interface Props {
  vendor?: VendorView;
  submitLabel: string;
  busy: boolean;
  error: unknown;
  onSubmit(fields: VendorFields): void;
  onCancel?(): void;
}

/** A vendor's name, category and contacts (create or edit). */
export function VendorForm({ vendor, submitLabel, busy, error, onSubmit, onCancel }: Props) {
  const [name, setName] = useState(vendor?.name ?? "");
  const [category, setCategory] = useState(vendor?.category ?? "");
  const [email, setEmail] = useState(vendor?.contact_email ?? "");
  const [phone, setPhone] = useState(vendor?.contact_phone ?? "");
  const [errors, setErrors] = useState<{ name?: string; category?: string }>({});

  function submit(e: FormEvent) {
    e.preventDefault();
    const found: typeof errors = {};
    if (!name.trim()) found.name = "Enter the vendor's name.";
    if (!category.trim()) found.category = "Enter a category, such as spa or transport.";
    setErrors(found);
    if (found.name || found.category) return;
    onSubmit({
      name: name.trim(),
      category: category.trim(),
      contact_email: email.trim() || null,
      contact_phone: phone.trim() || null,
    });
  }

  return (
    <form noValidate onSubmit={submit} aria-label={submitLabel} className="space-y-3">
      <ProblemAlert error={error} />
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField label="Name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
        <TextField
          label="Category"
          required
          maxLength={200}
          value={category}
          onChange={(e) => setCategory(e.target.value)}
          error={errors.category}
        />
        <TextField label="Contact email" type="email" maxLength={200} value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextField label="Contact phone" type="tel" maxLength={200} value={phone} onChange={(e) => setPhone(e.target.value)} />
      </div>
      <div className="flex gap-2">
        <Button type="submit" disabled={busy}>
          {submitLabel}
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

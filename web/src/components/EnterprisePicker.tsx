import { useState } from "react";
import { useEnterprise, usePreferences } from "../lib/enterprise";
import { useProperties } from "../api/properties";
import { Button, SelectField, TextField } from "./ui";

/**
 * For portfolio-wide users only (a property's staff always see their own): which property
 * to look at, by the hotel's name. Should the list of properties fail, the enterprise id can
 * still be typed.
 */
export function EnterprisePicker() {
  const { enterpriseId, portfolioWide } = useEnterprise();
  const setEnterprise = usePreferences((s) => s.setEnterprise);
  const properties = useProperties();
  const [typed, setTyped] = useState(enterpriseId ?? "");
  if (!portfolioWide) return null;
  if (!properties.isError) {
    const options = (properties.data ?? []).map((p) => ({ id: p.enterprise_id, name: p.name }));
    if (enterpriseId && !options.some((o) => o.id === enterpriseId)) {
      options.unshift({ id: enterpriseId, name: properties.isLoading ? "Loading…" : enterpriseId });
    }
    return (
      <div className="w-72">
        <SelectField
          label="Property"
          value={enterpriseId ?? ""}
          onChange={(e) => setEnterprise(e.target.value || null)}
        >
          <option value="">{properties.isLoading ? "Loading…" : "Choose a property"}</option>
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </SelectField>
      </div>
    );
  }
  return (
    <form
      className="flex items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        setEnterprise(typed.trim() || null);
      }}
    >
      <TextField label="Property (enterprise id)" value={typed} onChange={(e) => setTyped(e.target.value)} />
      <Button type="submit" variant="secondary">
        Show
      </Button>
    </form>
  );
}

/** Shown instead of a page's content until a portfolio-wide user picks a property. */
export function NeedsEnterprise() {
  return (
    <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200">
      Choose a property to see its guests.
    </p>
  );
}

import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { useEnterprise, usePreferences } from "../features/auth/enterprise";
import { hasPermission, useSession } from "../features/auth/session";
import { Button, SelectField, TextField } from "./ui";

/**
 * For portfolio-wide users only (a property's staff always see their own): which property
 * to look at. The list comes from the sync status (every property ingest reports on); a
 * user without `sync:read` types the enterprise id.
 */
export function EnterprisePicker() {
  const { enterpriseId, portfolioWide } = useEnterprise();
  const setEnterprise = usePreferences((s) => s.setEnterprise);
  const user = useSession((s) => s.user);
  const canList = hasPermission(user, "sync:read");
  const [typed, setTyped] = useState(enterpriseId ?? "");
  const sync = useQuery({
    queryKey: ["sync"],
    queryFn: () => unwrap(api.GET("/api/v1/sync")),
    enabled: portfolioWide && canList,
  });
  if (!portfolioWide) return null;
  if (canList) {
    const ids = sync.data?.enterprises.map((e) => e.enterprise_id) ?? [];
    if (enterpriseId && !ids.includes(enterpriseId)) ids.unshift(enterpriseId);
    return (
      <div className="w-72">
        <SelectField
          label="Property"
          value={enterpriseId ?? ""}
          onChange={(e) => setEnterprise(e.target.value || null)}
        >
          <option value="">{sync.isLoading ? "Loading…" : "Choose a property"}</option>
          {ids.map((id) => (
            <option key={id} value={id}>
              {id}
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

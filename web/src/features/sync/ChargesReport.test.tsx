import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import type { SyncStatus } from "../../api/types";
import { formatDateTime } from "../../components/format";
import { SyncPage } from "./SyncPage";
import { HOTEL, json, mockFetch, properties, renderWithProviders, route, signInAs } from "../../test/utils";

type Report = NonNullable<SyncStatus["charges_report"]>;

function status(enterprise_id: string, charges_report: Report | null): SyncStatus {
  return {
    enterprise_id,
    phase: "live",
    alarm: "green",
    ingest: { websocket: "connected", reconnects: 0, last_sweep_changes: 0, checkpoint_lag_s: 2, backfill_needed: false },
    sync: null,
    dead_letters: { total: 0, by_subject: {} },
    charges_report,
  };
}

const REPORT: Report = {
  enterprise_id: "ent-1",
  since: "2026-10-21T00:00:00Z",
  until: "2026-11-20T00:00:00Z",
  started_at: "2026-11-20T02:00:00Z",
  finished_at: "2026-11-20T02:00:41Z",
  trigger: "on_demand",
  charges_checked: 412,
  mews_items_read: 1630,
  mews_calls: 3,
  charges_updated: 2,
  mismatches_total: 3,
  by_kind: { cancelled_in_mews: 1, amount_differs: 1, unknown_in_ledger: 1 },
  mismatches: [
    {
      kind: "cancelled_in_mews",
      charge_id: "c-cancelled",
      vendor_id: "v-1",
      mews_order_id: "o-1",
      mews_order_item_ids: ["i-1"],
      ours: "1 x 80.00 USD (posted)",
      mews: "canceled",
    },
    {
      kind: "amount_differs",
      charge_id: "c-repriced",
      vendor_id: "v-1",
      mews_order_id: "o-2",
      mews_order_item_ids: ["i-2"],
      ours: "2 x 80.00 USD (posted)",
      mews: "2 items, 180.00 USD (open)",
      our_amount: "160.00",
      mews_amount: "180.00",
    },
    {
      // Not one of ours: no charge id, the Mews order names it.
      kind: "unknown_in_ledger",
      charge_id: null,
      mews_order_id: "o-stranger",
      mews_order_item_ids: ["i-9"],
      ours: "not in the ledger",
      mews: "1 items with reference attendandt:charge:c-x",
    },
  ],
  truncated: false,
};

function sync(...statuses: SyncStatus[]) {
  return route("GET", "/api/v1/sync", () => json({ enterprises: statuses }));
}

describe("the Sync page's charges report", () => {
  it("shows each property's last report: its period, counts and every mismatch listed", async () => {
    signInAs("manager");
    mockFetch(properties(HOTEL), sync(status("ent-1", REPORT)));
    renderWithProviders(<SyncPage />);

    const card = await screen.findByRole("region", { name: `Charges reconciliation — ${HOTEL.name}` });
    const zone = HOTEL.time_zone;
    const summary = within(card).getByText(/^Charges posted/);
    expect(summary).toHaveTextContent(
      `Charges posted ${formatDateTime(REPORT.since, zone)} to ${formatDateTime(REPORT.until, zone)}: 412 checked, ` +
        `3 mismatches, 2 updated from Mews (3 Mews calls; finished ${formatDateTime(REPORT.finished_at, zone)}, on demand).`,
    );
    const table = within(card).getByRole("table", { name: `Charge mismatches of ${HOTEL.name}` });
    const rows = within(table)
      .getAllByRole("row")
      .slice(1)
      .map((row) => within(row).getAllByRole("cell").map((c) => c.textContent));
    expect(rows).toEqual([
      ["Cancelled in Mews", "c-cancelled", "1 x 80.00 USD (posted)", "canceled"],
      ["Amount differs", "c-repriced", "2 x 80.00 USD (posted)", "2 items, 180.00 USD (open)"],
      ["In Mews, not in our ledger", "o-stranger", "not in the ledger", "1 items with reference attendandt:charge:c-x"],
    ]);
    expect(within(card).queryByText(/Only the first/)).not.toBeInTheDocument();
  });

  it("says when the list is cut, and when a property has no report yet", async () => {
    signInAs("admin", { enterprise_id: null });
    const cut: Report = { ...REPORT, trigger: "nightly", mismatches_total: 1200, mismatches: REPORT.mismatches.slice(0, 2), truncated: true };
    mockFetch(
      properties(HOTEL),
      sync(status("ent-1", cut), { ...status("ent-9", null), sync: null, ingest: null }),
    );
    renderWithProviders(<SyncPage />);

    const card = await screen.findByRole("region", { name: `Charges reconciliation — ${HOTEL.name}` });
    expect(within(card).getByText(/^Charges posted/)).toHaveTextContent(/1200 mismatches.*nightly\)\.$/);
    expect(within(card).getAllByRole("row")).toHaveLength(3);
    expect(within(card).getByText("Only the first 2 are listed.")).toBeInTheDocument();
    // A property of the caller's with no report: said so, not an empty table.
    const other = screen.getByRole("region", { name: "Charges reconciliation — ent-9" });
    expect(within(other).getByText("No charges report yet.")).toBeInTheDocument();
    expect(within(other).queryByRole("table")).not.toBeInTheDocument();
  });

  it("lists no table when the report found nothing amiss", async () => {
    signInAs("manager");
    const clean: Report = { ...REPORT, mismatches_total: 0, by_kind: {}, mismatches: [] };
    mockFetch(properties(HOTEL), sync(status("ent-1", clean)));
    renderWithProviders(<SyncPage />);

    const card = await screen.findByRole("region", { name: `Charges reconciliation — ${HOTEL.name}` });
    expect(within(card).getByText(/^Charges posted/)).toHaveTextContent("412 checked, 0 mismatches");
    expect(within(card).queryByRole("table")).not.toBeInTheDocument();
  });
});

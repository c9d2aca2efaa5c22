import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import type { SyncStatus } from "../../api/types";
import { SyncPage } from "./SyncPage";
import { HOTEL, json, mockFetch, properties, renderWithProviders, route, signInAs } from "../../test/utils";

type SyncHealth = NonNullable<SyncStatus["sync"]>;

function status(enterprise_id: string, sync: Partial<SyncHealth> | null = null): SyncStatus {
  return {
    enterprise_id,
    ingest: { websocket: "connected", reconnects: 0, last_sweep_changes: 0, checkpoint_lag_s: 2 },
    sync: sync && {
      consumer_lag: 0,
      changes_applied: 0,
      commands_published: 0,
      mews_calls_total: 0,
      mews_calls_per_minute: 0,
      rate_limited_429s: 0,
      dead_letters: 0,
      import_windows_done: 0,
      import_windows_total: 0,
      import_reservations: 0,
      ...sync,
    },
    dead_letters: { total: 0, by_subject: {} },
  };
}

describe("sync page", () => {
  it("names each property and shows its initial import's progress", async () => {
    signInAs("admin", { enterprise_id: null });
    mockFetch(
      properties(HOTEL),
      route("GET", "/api/v1/sync", () =>
        json({
          enterprises: [
            status("ent-1", {
              import_state: "running",
              import_windows_done: 3,
              import_windows_total: 12,
              import_reservations: 1840,
            }),
            // Not one of the caller's listed properties: the status names it itself.
            status("ent-9", {
              property_name: "Old Town Inn",
              import_state: "done",
              import_windows_done: 12,
              import_windows_total: 12,
              import_reservations: 9,
            }),
            status("ent-7"),
          ],
        }),
      ),
    );
    renderWithProviders(<SyncPage />);

    const table = await screen.findByRole("table", { name: "Sync status per property" });
    const row = (name: string) => within(within(table).getByRole("cell", { name }).closest("tr")!);
    const harbour = await within(table).findByRole("cell", { name: HOTEL.name });
    expect(harbour).toBeInTheDocument();
    expect(row(HOTEL.name).getByText("running")).toBeInTheDocument();
    expect(row(HOTEL.name).getByText("3 / 12 windows")).toBeInTheDocument();
    expect(row(HOTEL.name).getByRole("progressbar", { name: `Import of ${HOTEL.name}` })).toHaveAttribute("value", "3");
    expect(row(HOTEL.name).getByText(/reservations$/)).toHaveTextContent((1840).toLocaleString());
    expect(row("Old Town Inn").getByText("done")).toBeInTheDocument();
    expect(row(HOTEL.name).getByRole("button", { name: `Resync ${HOTEL.name}` })).toBeInTheDocument();
    // Unknown by name: its id, and no import reported.
    expect(row("ent-7").getAllByRole("cell")[1]).toHaveTextContent("—");
    expect(within(table).queryByRole("cell", { name: "ent-1" })).not.toBeInTheDocument();
  });
});

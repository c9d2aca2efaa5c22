import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { SyncStatus } from "../../api/types";
import { SyncPage, healthy } from "./SyncPage";
import { HOTEL, json, mockFetch, problem, properties, renderWithProviders, route, signInAs } from "../../test/utils";

type SyncHealth = NonNullable<SyncStatus["sync"]>;

function status(
  enterprise_id: string,
  sync: Partial<SyncHealth> | null = null,
  phase: SyncStatus["phase"] = "live",
): SyncStatus {
  return {
    enterprise_id,
    phase,
    alarm: "green",
    ingest: { websocket: "connected", reconnects: 0, last_sweep_changes: 0, checkpoint_lag_s: 2, backfill_needed: false },
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
    expect(row("ent-7").getAllByRole("cell")[2]).toHaveTextContent("—");
    expect(within(table).queryByRole("cell", { name: "ent-1" })).not.toBeInTheDocument();
  });

  it("shows each property's phase, and why a stopped one is stopped", async () => {
    signInAs("admin", { enterprise_id: null });
    const stopped = status("ent-1", { import_state: "done" }, "stopped");
    mockFetch(
      properties(HOTEL),
      route("GET", "/api/v1/sync", () =>
        json({
          enterprises: [
            { ...stopped, ingest: { ...stopped.ingest!, websocket: "disconnected", integration_state: "disabled" } },
            status("ent-2", { property_name: "Lake Lodge", import_state: "running", import_windows_total: 6 }, "importing"),
            status("ent-3", { property_name: "Old Town Inn", import_state: "done" }, "live"),
            status("ent-4", null, "onboarding"),
          ],
        }),
      ),
    );
    renderWithProviders(<SyncPage />);

    const table = await screen.findByRole("table", { name: "Sync status per property" });
    expect(within(table).getByRole("columnheader", { name: "Phase" })).toBeInTheDocument();
    await within(table).findByRole("cell", { name: HOTEL.name });
    const phaseOf = (name: string) => {
      const cells = within(within(table).getByRole("cell", { name }).closest("tr")!).getAllByRole("cell");
      return cells[1]!.textContent;
    };
    expect(phaseOf(HOTEL.name)).toBe("Stopped (disabled in Mews)");
    expect(phaseOf("Lake Lodge")).toBe("Importing");
    expect(phaseOf("Old Town Inn")).toBe("Live");
    expect(phaseOf("ent-4")).toBe("Onboarding");
    // No resync is offered for the stopped one (no call is made for it); the others have it.
    expect(within(table).queryByRole("button", { name: `Resync ${HOTEL.name}` })).toBeNull();
    expect(within(table).getByText(/No resync while stopped/)).toBeInTheDocument();
    expect(within(table).getByRole("button", { name: "Resync Old Town Inn" })).toBeInTheDocument();
  });

  it("says when Mews refuses a property's token, and what the hotel must do", async () => {
    signInAs("admin", { enterprise_id: null });
    const refused = status("ent-1", { import_state: "done" }, "refused");
    mockFetch(
      properties(HOTEL),
      route("GET", "/api/v1/sync", () =>
        json({
          enterprises: [
            {
              ...refused,
              ingest: {
                ...refused.ingest!,
                integration_state: "enabled",
                token_refused_since: "2026-12-05T07:00:00Z",
                token_refused_reason: "configuration/get: HTTP 401: Invalid AccessToken.",
                last_sweep_error: "configuration/get: HTTP 401: Invalid AccessToken.",
              },
            },
            status("ent-3", { property_name: "Old Town Inn", import_state: "done" }, "live"),
          ],
        }),
      ),
    );
    renderWithProviders(<SyncPage />);

    const table = await screen.findByRole("table", { name: "Sync status per property" });
    const harbour = (await within(table).findAllByRole("cell", { name: new RegExp(`^${HOTEL.name}`) }))[0]!;
    const row = within(harbour.closest("tr")!);
    expect(row.getAllByRole("cell")[1]).toHaveTextContent("Token refused by Mews");
    expect(row.getByText("Token refused by Mews")).toHaveClass("bg-red-100");
    expect(within(harbour).getByRole("alert")).toHaveTextContent(/reconnects the integration in Mews/);
    const inn = within(table).getByRole("cell", { name: "Old Town Inn" });
    expect(within(inn.closest("tr")!).getAllByRole("cell")[1]).toHaveTextContent("Live");
    expect(within(inn).queryByRole("alert")).not.toBeInTheDocument();
  });

  it("turns a property red while its silence alarm is raised, and says why", async () => {
    signInAs("admin", { enterprise_id: null });
    const red: SyncStatus = {
      ...status("ent-1"),
      alarm: "red",
      ingest: {
        ...status("ent-1").ingest!,
        alert_reasons: ["silence"],
        alert_details: ["no WebSocket event or webhook since 10:00:00 UTC"],
      },
    };
    mockFetch(properties(HOTEL), route("GET", "/api/v1/sync", () => json({ enterprises: [red, status("ent-7")] })));
    renderWithProviders(<SyncPage />);

    const table = await screen.findByRole("table", { name: "Sync status per property" });
    const harbour = (await within(table).findAllByRole("cell", { name: new RegExp(`^${HOTEL.name}`) }))[0]!;
    const alert = within(harbour).getByRole("alert");
    expect(alert).toHaveTextContent("no live changes from Mews");
    expect(alert).toHaveTextContent("no WebSocket event or webhook since 10:00:00 UTC");
    const green = within(table).getByRole("cell", { name: "ent-7" });
    expect(within(green).queryByRole("alert")).not.toBeInTheDocument();
  });

  it("follows a running resync and cancels it; says when a backfill is needed", async () => {
    signInAs("admin", { enterprise_id: null });
    const running: SyncStatus = {
      ...status("ent-1"),
      ingest: {
        ...status("ent-1").ingest!,
        backfill_needed: true,
        backfill_reason: "changes since 2026-09-01 may have been skipped; run `attendandt sync backfill`",
        resync: {
          job_id: "j-1",
          enterprise_id: "ent-1",
          state: "running",
          oldest_allowed: "2026-11-03T12:00:00Z",
          since: "2026-11-20T05:00:00Z",
          entities: ["customer", "reservation"],
          entities_done: [],
          entity: "reservation",
          window: 30,
          windows: 120,
          changes_seen: 4210,
          eta_s: 150,
        },
      },
    };
    const { calls } = mockFetch(
      properties(HOTEL),
      route("GET", "/api/v1/sync", () => json({ enterprises: [running] })),
      route("DELETE", "/api/v1/sync/ent-1/resync", () => json({ ...running.ingest!.resync, state: "cancelling" })),
    );
    renderWithProviders(<SyncPage />);

    expect(await screen.findByRole("alert")).toHaveTextContent(/Backfill needed: changes since 2026-09-01/);
    const bar = screen.getByRole("progressbar", { name: `Resync of ${HOTEL.name}` });
    expect(bar).toHaveAttribute("value", "30");
    expect(bar).toHaveAttribute("max", "120");
    expect(screen.getByText("Reservation: 30 / 120 windows")).toBeInTheDocument();
    expect(screen.getByText(/changes, 3 min left/)).toHaveTextContent((4210).toLocaleString());
    // Running: no second resync can be asked for, only a cancel.
    expect(screen.queryByRole("button", { name: `Resync ${HOTEL.name}` })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: `Cancel resync of ${HOTEL.name}` }));
    await waitFor(() => expect(calls.some((c) => c.method === "DELETE")).toBe(true));
  });

  it("starts a resync from a hotel date and shows the server's refusal", async () => {
    signInAs("admin", { enterprise_id: null });
    const { calls } = mockFetch(
      properties(HOTEL),
      route("GET", "/api/v1/sync", () => json({ enterprises: [status("ent-1")] })),
      route("POST", "/api/v1/sync/ent-1/resync", () =>
        problem(422, "Invalid request", "since is older than the resync horizon: the oldest allowed is 2026-11-03"),
      ),
    );
    renderWithProviders(<SyncPage />);

    const since = await screen.findByLabelText(`Resync ${HOTEL.name} since`);
    await userEvent.type(since, "2026-11-20");
    await userEvent.click(screen.getByRole("button", { name: `Resync ${HOTEL.name}` }));

    expect(await screen.findByText(/older than the resync horizon/)).toBeInTheDocument();
    const post = calls.find((c) => c.method === "POST")!;
    // Midnight of that day at the hotel (New York, UTC−5 in November).
    expect(await post.json()).toEqual({ since: "2026-11-20T05:00:00.000Z" });
  });

  it("counts a portfolio's property, which has no socket by design, as healthy", () => {
    const live = status("ent-1", {});
    const portfolio = { ...live, ingest: { ...live.ingest!, websocket: "webhooks_only" } };
    const down = { ...live, ingest: { ...live.ingest!, websocket: "disconnected" } };
    expect(healthy(live)).toBe(true);
    expect(healthy(portfolio)).toBe(true);
    expect(healthy(down)).toBe(false);
  });

  it("never counts a property whose token Mews refuses as healthy", () => {
    const refused = status("ent-1", {}, "refused");
    expect(healthy(refused)).toBe(false);
  });
});

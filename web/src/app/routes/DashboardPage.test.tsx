import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { StayView, SyncStatus } from "../../api/types";
import { DashboardPage } from "./DashboardPage";
import { HOTEL, json, mockFetch, properties, renderWithProviders, route, signInAs } from "../../test/utils";

// 02:00 UTC on 3 Dec: still 2 Dec at the hotel (New York), already 3 Dec in the browser (Tokyo).
const NOW = new Date("2026-12-03T02:00:00Z");

const arriving: StayView = {
  stay_id: "s-1",
  enterprise_id: "ent-1",
  mews_id: "m-s-1",
  mews_updated_utc: "2026-12-01T00:00:00Z",
  synced_at: "2026-12-01T00:00:00Z",
  number: "4021",
  state: "confirmed",
  mews_state: "Confirmed",
  scheduled_start_utc: "2026-12-02T20:00:00Z",
  scheduled_end_utc: "2026-12-04T15:00:00Z",
  resource_name: "204",
  room_state: "Dirty",
  guests: [{ customer_mews_id: "c-1", role: "owner", guest_id: "g-1", first_name: "Anna", last_name: "Smith" }],
  notes: [],
};

const dayLists = ["arrivals", "in-house", "departures"].map((kind) =>
  route("GET", `/api/v1/${kind}`, () =>
    json({ view: "staff", items: kind === "arrivals" ? [arriving] : [], next_cursor: null }),
  ),
);

function dayListCalls(calls: Request[]): URL[] {
  return calls.map((c) => new URL(c.url)).filter((u) => /\/(arrivals|in-house|departures)$/.test(u.pathname));
}

describe("dashboard", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows the hotel's today, in the hotel's time zone, with each arrival's room and its state", async () => {
    signInAs("front_desk");
    const { calls } = mockFetch(properties(), ...dayLists);
    renderWithProviders(<DashboardPage />);

    const arrivals = await screen.findByRole("region", { name: "Arrivals (1)" });
    expect(within(arrivals).getByRole("link", { name: "Anna Smith" })).toHaveAttribute("href", "/guests/g-1");
    expect(within(arrivals).getByText("Dirty").closest("td")).toHaveTextContent("204 · Dirty");

    const date = screen.getByLabelText("Date");
    expect(date).toHaveValue("2026-12-02");
    expect(date).toHaveAccessibleDescription(`The hotel's day (${HOTEL.time_zone})`);
    // Every day list asked for the hotel's day in the hotel's zone, never the browser's.
    const asked = dayListCalls(calls);
    expect(asked.map((u) => u.pathname).sort()).toEqual(["/api/v1/arrivals", "/api/v1/departures", "/api/v1/in-house"]);
    for (const url of asked) {
      expect(url.searchParams.get("date")).toBe("2026-12-02");
      expect(url.searchParams.get("timezone")).toBe(HOTEL.time_zone);
    }
  });

  it("follows the picked property's zone, and names the properties in the sync health", async () => {
    signInAs("admin", { enterprise_id: null });
    const tokyo = { ...HOTEL, enterprise_id: "ent-2", name: "Shinjuku Tower", time_zone: "Asia/Tokyo", default_currency: "JPY" };
    const status = (enterprise_id: string): SyncStatus => ({
      enterprise_id,
      phase: "live",
      alarm: "green",
      ingest: { websocket: "connected", reconnects: 0, last_sweep_changes: 0, checkpoint_lag_s: 1, backfill_needed: false },
      sync: null,
      dead_letters: { total: 0, by_subject: {} },
    });
    const { calls } = mockFetch(
      properties(HOTEL, tokyo),
      route("GET", "/api/v1/sync", () =>
        json({
          enterprises: [
            status("ent-1"),
            { ...status("ent-2"), alarm: "red", ingest: { ...status("ent-2").ingest!, alert_reasons: ["websocket_down"] } },
          ],
        }),
      ),
      ...dayLists,
    );
    renderWithProviders(<DashboardPage />);

    expect(screen.getByText("Choose a property to see its guests.")).toBeInTheDocument();
    const picker = screen.getByRole("combobox", { name: "Property" });
    await within(picker).findByRole("option", { name: "Shinjuku Tower" });
    await userEvent.setup().selectOptions(picker, "Shinjuku Tower");

    const health = await screen.findByRole("region", { name: "Sync health" });
    expect(await within(health).findByText("Harbour View Hotel")).toBeInTheDocument();
    expect(within(health).getByText("Shinjuku Tower")).toBeInTheDocument();
    expect(within(health).getByText("healthy")).toBeInTheDocument();
    expect(within(health).getAllByText("Live")).toHaveLength(2);
    expect(within(health).getByText("alarm: Mews WebSocket down")).toBeInTheDocument();
    expect(within(health).queryByText(/^ent-/)).not.toBeInTheDocument();

    await screen.findByRole("region", { name: "Arrivals (1)" });
    expect(screen.getByLabelText("Date")).toHaveValue("2026-12-03");
    const asked = dayListCalls(calls);
    expect(asked.length).toBeGreaterThan(0);
    for (const url of asked) {
      expect(url.searchParams.get("enterprise_id")).toBe("ent-2");
      expect(url.searchParams.get("timezone")).toBe("Asia/Tokyo");
      expect(url.searchParams.get("date")).toBe("2026-12-03");
    }
  });
});

import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router-dom";
import type { StaffGuestDetail } from "../../api/types";
import { GuestPage } from "./GuestPage";
import { ErasurePage } from "../../features/privacy/ErasurePage";
import { ErasuresPage } from "../../features/privacy/ErasuresPage";
import type { ErasureView, GuestAccess } from "../../features/privacy/api";
import { json, mockFetch, properties, renderWithProviders, route, signInAs } from "../../test/utils";

const AT = "2026-12-03T12:30:00Z";

const detail: StaffGuestDetail = {
  view: "staff",
  guest: {
    guest_id: "g-1",
    enterprise_id: "ent-1",
    mews_id: "m-g-1",
    mews_updated_utc: AT,
    synced_at: AT,
    first_name: "Anna",
    last_name: "Smith",
    classifications: [],
    is_active: true,
    sync_state: "in_step",
  },
  stays: [],
  timeline: [],
};

function erasure(extra: Partial<ErasureView> = {}): ErasureView {
  return {
    request_id: "r-1",
    enterprise_id: "ent-1",
    guest_id: "g-1",
    pseudonym: "Erased guest r-1",
    source: "staff",
    requested_by: "u-manager",
    requested_at: AT,
    reason: "the guest asked by email",
    state: "pending",
    completed_at: null,
    receipts: [
      { part: "guests", done_at: AT, removed: { guest_edits: 2 }, pseudonymised: { guests: 1 } },
      { part: "event-streams", done_at: null, removed: {}, pseudonymised: {} },
      { part: "vendors", done_at: null, removed: {}, pseudonymised: {} },
    ],
    waiting_for: ["event-streams", "vendors"],
    created: true,
    ...extra,
  };
}

function renderApp(at: string) {
  return renderWithProviders(
    <Routes>
      <Route path="/guests/:guestId" element={<GuestPage />} />
      <Route path="/erasures" element={<ErasuresPage />} />
      <Route path="/erasures/:requestId" element={<ErasurePage />} />
    </Routes>,
    { route: at },
  );
}

describe("erasing a guest", () => {
  it("asks why, sends the request and shows its receipts and the parts still awaited", async () => {
    signInAs("manager");
    let asked: unknown = null;
    mockFetch(
      properties(),
      route("GET", "/api/v1/guests/g-1", () => json(detail)),
      route("POST", "/api/v1/guests/g-1/erase", async (request) => {
        asked = await request.json();
        return json(erasure(), 202);
      }),
      route("GET", "/api/v1/guests/erasures/r-1", () => json(erasure())),
    );
    const user = userEvent.setup();
    renderApp("/guests/g-1");

    await user.click(await screen.findByRole("button", { name: "Erase guest" }));
    const dialog = screen.getByRole("dialog", { name: "Erase Anna Smith?" });
    // No reason: nothing is sent, the field says why.
    await user.click(within(dialog).getByRole("button", { name: "Erase" }));
    expect(within(dialog).getByText("Say why, in at least 3 characters.")).toBeInTheDocument();
    expect(asked).toBeNull();

    await user.type(within(dialog).getByLabelText(/Reason/), "the guest asked by email");
    await user.click(within(dialog).getByRole("button", { name: "Erase" }));

    expect(await screen.findByRole("heading", { name: "Erasure of Erased guest r-1" })).toBeInTheDocument();
    expect(asked).toEqual({ reason: "the guest asked by email" });
    expect(screen.getByRole("status", { name: "Erasure pending" })).toBeInTheDocument();
    expect(screen.getByText("Still waiting for: event-streams, vendors")).toBeInTheDocument();
    const rows = within(screen.getByRole("table", { name: "Receipts" })).getAllByRole("row");
    expect(rows).toHaveLength(4);
    expect(within(rows[1]!).getByText("done")).toBeInTheDocument();
    expect(within(rows[1]!).getByText("Guest edits: 2")).toBeInTheDocument();
    expect(within(rows[1]!).getByText("Guests: 1")).toBeInTheDocument();
    expect(within(rows[3]!).getByText("waiting")).toBeInTheDocument();
  });

  it("cancelling the dialog sends nothing", async () => {
    signInAs("admin");
    const fetch = mockFetch(
      properties(),
      route("GET", "/api/v1/guests/g-1", () => json(detail)),
      route("GET", "/api/v1/audit/guest-access", () => json({ items: [] })),
    );
    const user = userEvent.setup();
    renderApp("/guests/g-1");
    await user.click(await screen.findByRole("button", { name: "Erase guest" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(fetch.calls.some((r) => r.method === "POST")).toBe(false);
  });

  it("is not offered to the front desk, who see no access log either", async () => {
    signInAs("front_desk");
    mockFetch(properties(), route("GET", "/api/v1/guests/g-1", () => json(detail)));
    renderApp("/guests/g-1");
    expect(await screen.findByRole("heading", { name: "Anna Smith" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Erase guest" })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Access log" })).not.toBeInTheDocument();
  });

  it("says when every part has answered", async () => {
    signInAs("admin");
    const done = erasure({
      state: "done",
      completed_at: AT,
      waiting_for: [],
      receipts: erasure().receipts.map((r) => ({ ...r, done_at: AT })),
    });
    mockFetch(properties(), route("GET", "/api/v1/guests/erasures/r-1", () => json(done)));
    renderApp("/erasures/r-1");
    expect(await screen.findByText("Every part has answered.")).toBeInTheDocument();
    expect(screen.getByRole("status", { name: "Erasure done" })).toBeInTheDocument();
    expect(within(screen.getByRole("table", { name: "Receipts" })).queryByText("waiting")).not.toBeInTheDocument();
  });
});

describe("the access log", () => {
  it("shows an admin who read the guest's data, and when", async () => {
    signInAs("admin");
    const entries: GuestAccess[] = [
      { enterprise_id: "ent-1", guest_id: "g-1", user_id: "u-manager", role: "manager", action: "export", at: AT },
      { enterprise_id: "ent-1", guest_id: "g-1", user_id: "u-v", role: "vendor", vendor_id: "v-1", action: "detail", at: AT },
    ];
    const fetch = mockFetch(
      properties(),
      route("GET", "/api/v1/guests/g-1", () => json(detail)),
      route("GET", "/api/v1/audit/guest-access", () => json({ items: entries })),
    );
    renderApp("/guests/g-1");
    const log = await screen.findByRole("table", { name: "Access log" });
    const rows = within(log).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("u-manager (Manager)");
    expect(rows[1]).toHaveTextContent("Exported the data");
    expect(rows[2]).toHaveTextContent("u-v (Vendor, vendor v-1)");
    expect(rows[2]).toHaveTextContent("Opened the guest");
    const asked = fetch.calls.find((r) => new URL(r.url).pathname === "/api/v1/audit/guest-access");
    expect(new URL(asked!.url).searchParams.get("guest_id")).toBe("g-1");
  });

  it("is not shown to a manager", async () => {
    signInAs("manager");
    mockFetch(properties(), route("GET", "/api/v1/guests/g-1", () => json(detail)));
    renderApp("/guests/g-1");
    expect(await screen.findByRole("button", { name: "Erase guest" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Access log" })).not.toBeInTheDocument();
  });
});

describe("the erasures list", () => {
  it("lists the requests with what each waits for, and filters by state", async () => {
    signInAs("admin");
    const fetch = mockFetch(
      properties(),
      route("GET", "/api/v1/guests/erasures", (request) => {
        const state = new URL(request.url).searchParams.get("state");
        const items =
          state === "pending"
            ? [erasure()]
            : [erasure(), erasure({ request_id: "r-2", pseudonym: "Erased guest r-2", source: "retention", state: "done", waiting_for: [] })];
        return json({ items });
      }),
    );
    const user = userEvent.setup();
    renderApp("/erasures");
    const table = await screen.findByRole("table", { name: "Erasure requests" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByRole("link", { name: "Erased guest r-1" })).toHaveAttribute("href", "/erasures/r-1");
    expect(rows[1]).toHaveTextContent("event-streams, vendors");
    expect(rows[2]).toHaveTextContent("Retention limit");

    await user.selectOptions(screen.getByLabelText("State"), "pending");
    await waitFor(() =>
      expect(within(screen.getByRole("table", { name: "Erasure requests" })).getAllByRole("row")).toHaveLength(2),
    );
    expect(fetch.calls.some((r) => new URL(r.url).searchParams.get("state") === "pending")).toBe(true);
  });
});

describe("the retention sweeps", () => {
  it("shows each sweep's limit, cutoff and how many guests past it were erased", async () => {
    signInAs("admin");
    mockFetch(
      properties(),
      route("GET", "/api/v1/guests/erasures", () => json({ items: [] })),
      route("GET", "/api/v1/audit/retention-runs", () =>
        json({
          items: [
            {
              run_id: "run-1",
              enterprise_id: "ent-1",
              ran_at: AT,
              months: 36,
              cutoff: "2023-12-03T12:30:00Z",
              erased: 4,
              request_ids: ["r-1", "r-2", "r-3", "r-4"],
            },
          ],
        }),
      ),
    );
    renderApp("/erasures");
    const table = await screen.findByRole("table", { name: "Retention sweeps" });
    const [, row] = within(table).getAllByRole("row");
    expect(row).toHaveTextContent("36 months");
    expect(row).toHaveTextContent(/4$/);
  });
});

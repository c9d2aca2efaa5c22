import { describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router-dom";
import type { StaffGuestDetail, StayView } from "../../api/types";
import { formatDateTime } from "../../components/format";
import { GuestPage } from "./GuestPage";
import { HOTEL, json, mockFetch, properties, renderWithProviders, route, signInAs } from "../../test/utils";

const AT = "2026-12-03T02:30:00Z";

function stay(extra: Partial<StayView> = {}): StayView {
  return {
    stay_id: "s-1",
    enterprise_id: "ent-1",
    mews_id: "m-s-1",
    mews_updated_utc: AT,
    synced_at: AT,
    number: "4021",
    state: "started",
    mews_state: "Started",
    scheduled_start_utc: AT,
    scheduled_end_utc: "2026-12-05T10:00:00Z",
    actual_start_utc: null,
    actual_end_utc: null,
    resource_name: "204",
    room_state: "Dirty",
    room_category: "Deluxe King",
    guests: [
      { customer_mews_id: "c-2", role: "companion", guest_id: "g-2", first_name: "Ben", last_name: "Smith" },
      { customer_mews_id: "c-1", role: "owner", guest_id: "g-1", first_name: "Anna", last_name: "Smith" },
      { customer_mews_id: "c-3", role: "companion", guest_id: null, first_name: "Cleo", last_name: "Smith" },
    ],
    notes: [
      { text: "Late arrival, around midnight", type: "General" },
      { text: "Feather-free pillows", type: "SpecialRequest" },
    ],
    ...extra,
  };
}

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
  stays: [
    stay(),
    stay({ stay_id: "s-2", number: "3990", resource_name: "101", room_state: null, room_category: null, notes: [], guests: [] }),
  ],
  timeline: [{ kind: "stay", event: "checked_in", at: AT, ref_id: "s-1" }],
};

function renderPage() {
  return renderWithProviders(
    <Routes>
      <Route path="/guests/:guestId" element={<GuestPage />} />
    </Routes>,
    { route: "/guests/g-1" },
  );
}

describe("guest page", () => {
  it("shows each stay's companions, notes, room type and room state", async () => {
    signInAs("front_desk");
    mockFetch(properties(), route("GET", "/api/v1/guests/g-1", () => json(detail)));
    renderPage();

    const table = await screen.findByRole("table", { name: "The guest's stays" });
    const [, first, second] = within(table).getAllByRole("row");
    const row = within(first!);
    // The owner first, then the companions, each linked to their page when the app knows them.
    const people = row.getAllByRole("listitem").slice(0, 3);
    expect(people.map((li) => li.textContent)).toEqual(["Anna Smith", "Ben Smith (companion)", "Cleo Smith (companion)"]);
    expect(row.getByRole("link", { name: "Ben Smith" })).toHaveAttribute("href", "/guests/g-2");
    expect(row.queryByRole("link", { name: "Cleo Smith" })).not.toBeInTheDocument();
    // The room with its type and state, and the notes (the kind said when not a general note).
    expect(row.getByText("Dirty").closest("td")).toHaveTextContent(/^204 \(Deluxe King\) · Dirty$/);
    expect(row.getByText("Late arrival, around midnight")).toBeInTheDocument();
    expect(row.getByText("Feather-free pillows").closest("li")).toHaveTextContent("Special request: Feather-free pillows");
    expect(row.queryByText(/General/)).not.toBeInTheDocument();

    // A stay without companions, notes or a known room type and state: the room alone.
    expect(within(second!).getByRole("cell", { name: "101" })).toBeInTheDocument();
    expect(within(table).getByRole("columnheader", { name: "Notes" })).toBeInTheDocument();
  });

  it("shows times in the hotel's time zone, not the browser's", async () => {
    signInAs("front_desk");
    mockFetch(properties(), route("GET", "/api/v1/guests/g-1", () => json(detail)));
    renderPage();
    const table = await screen.findByRole("table", { name: "The guest's stays" });
    const hotelTime = formatDateTime(AT, HOTEL.time_zone);
    // 02:30 UTC is the evening before in New York, and mid-morning where the browser is.
    expect(hotelTime).not.toBe(formatDateTime(AT, "UTC"));
    expect(hotelTime).not.toBe(formatDateTime(AT));
    expect(await within(table).findAllByRole("cell", { name: hotelTime })).toHaveLength(2);
    expect(within(screen.getByRole("region", { name: "Timeline" })).getByText(hotelTime)).toBeInTheDocument();
  });

  it("says what a charge costs in all on the timeline", async () => {
    signInAs("front_desk");
    const charge = {
      charge_id: "c-1",
      vendor_id: "v-1",
      guest_id: "g-1",
      description: "Massage 60 min",
      quantity: 2,
      unit_amount: "80.00",
      currency: "GBP",
      state: "posted" as const,
    };
    const withCharge = { ...detail, timeline: [{ kind: "charge", event: "posted", at: AT, ref_id: "c-1", charge }] };
    mockFetch(properties(), route("GET", "/api/v1/guests/g-1", () => json(withCharge)));
    renderPage();
    const pounds = (n: number) => new Intl.NumberFormat(undefined, { style: "currency", currency: "GBP" }).format(n);
    const timeline = await screen.findByRole("region", { name: "Timeline" });
    expect(
      await within(timeline).findByText(`Charge posted: Massage 60 min ${pounds(160)} (2 × ${pounds(80)}) (posted)`),
    ).toBeInTheDocument();
  });

  it("lets a manager download everything held about the guest, not the front desk", async () => {
    signInAs("manager");
    const exported = { ...detail, exported_at: AT, enterprise_id: "ent-1", bookings: [], charges: [], sources: ["guests", "vendors"] };
    const { calls } = mockFetch(
      properties(),
      route("GET", "/api/v1/guests/g-1", () => json(detail)),
      route("GET", "/api/v1/guests/g-1/export", () => json(exported)),
    );
    const saved: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    URL.createObjectURL = vi.fn(() => "blob:guest");
    URL.revokeObjectURL = vi.fn();
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "Export guest data" }));
    await waitFor(() => expect(saved).toEqual(["guest-g-1.json"]));
    expect(calls.some((c) => new URL(c.url).pathname === "/api/v1/guests/g-1/export")).toBe(true);
    click.mockRestore();
  });

  it("shows no export to the front desk", async () => {
    signInAs("front_desk");
    mockFetch(properties(), route("GET", "/api/v1/guests/g-1", () => json(detail)));
    renderPage();
    await screen.findByRole("table", { name: "The guest's stays" });
    expect(screen.queryByRole("button", { name: "Export guest data" })).not.toBeInTheDocument();
  });
});

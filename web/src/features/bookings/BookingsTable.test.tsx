import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import type { BookingView } from "../../api/types";
import { BookingsTable } from "./BookingsTable";
import { json, mockFetch, renderWithProviders, route, signInAs } from "../../test/utils";

const booking: BookingView = {
  booking_id: "b-1",
  enterprise_id: "ent-1",
  vendor_id: "v-1",
  offering_id: "o-1",
  guest_id: "g-1",
  stay_id: "s-1",
  quantity: 1,
  scheduled_for: null,
  notes: null,
  state: "requested",
  state_reason: null,
  unit_price: "80.00",
  currency: "EUR",
  charge_id: null,
  created_by: "u-1",
  version: 1,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
};

describe("bookings table", () => {
  it("links each booking to its page, named by its offering", async () => {
    signInAs("front_desk");
    const { calls } = mockFetch(
      route("GET", "/api/v1/offerings/o-1", () => json({ offering_id: "o-1", vendor_id: "v-1", name: "Massage 60 min" })),
    );
    renderWithProviders(<BookingsTable caption="Bookings" bookings={[booking, { ...booking, booking_id: "b-2" }]} hideGuest />);

    const table = screen.getByRole("table", { name: "Bookings" });
    const links = await within(table).findAllByRole("link", { name: "Massage 60 min" });
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["/bookings/b-1", "/bookings/b-2"]);
    expect(within(table).queryByRole("columnheader", { name: "Guest" })).not.toBeInTheDocument();
    const lookups = calls.filter((c) => new URL(c.url).pathname.startsWith("/api/v1/offerings/"));
    expect(lookups).toHaveLength(1); // one look-up per offering
  });

  it("uses the names it is given without asking", () => {
    signInAs("vendor");
    const { calls } = mockFetch();
    renderWithProviders(
      <BookingsTable caption="Bookings" bookings={[booking, { ...booking, booking_id: "b-2", quantity: 2 }]} offeringNames={{ "o-1": "Sauna" }} />,
    );
    expect(screen.getAllByRole("link", { name: "Sauna" })[0]).toHaveAttribute("href", "/bookings/b-1");
    // The total of each booking, with how it is made up when more than one.
    const euros = (n: number) => new Intl.NumberFormat(undefined, { style: "currency", currency: "EUR" }).format(n);
    expect(screen.getByRole("cell", { name: euros(80) })).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: `${euros(160)} (2 × ${euros(80)})` })).toBeInTheDocument();
    expect(calls.filter((c) => new URL(c.url).pathname.startsWith("/api/v1/offerings/"))).toHaveLength(0);
  });
});

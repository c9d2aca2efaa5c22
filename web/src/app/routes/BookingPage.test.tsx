import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router-dom";
import type { BookingView, ChargeView } from "../../api/types";
import { BookingPage } from "./BookingPage";
import { json, mockFetch, problem, renderWithProviders, route, signInAs } from "../../test/utils";

const AT = "2025-01-01T00:00:00Z";

function booking(extra: Partial<BookingView> = {}): BookingView {
  return {
    booking_id: "b-1",
    enterprise_id: "ent-1",
    vendor_id: "v-1",
    offering_id: "o-1",
    guest_id: "g-1",
    stay_id: "s-1",
    quantity: 2,
    scheduled_for: null,
    notes: "Window room please",
    state: "requested",
    state_reason: null,
    unit_price: "80.00",
    currency: "EUR",
    charge_id: null,
    created_by: "u-front_desk",
    version: 1,
    created_at: AT,
    updated_at: AT,
    ...extra,
  };
}

const charge: ChargeView = {
  charge_id: "c-1",
  enterprise_id: "ent-1",
  vendor_id: "v-1",
  offering_id: "o-1",
  booking_id: "b-1",
  guest_id: "g-1",
  stay_id: "s-1",
  description: "Massage 60 min",
  quantity: 2,
  unit_amount: "80.00",
  currency: "EUR",
  amount: "160.00",
  state: "posted",
  reference: "ref-1",
  mews_order_id: "order-1",
  failure_reason: null,
  attempts: 1,
  created_by: "u-vendor",
  version: 2,
  created_at: AT,
  updated_at: AT,
  posted_at: AT,
};

const related = [
  route("GET", "/api/v1/offerings/o-1", () =>
    json({
      offering_id: "o-1",
      vendor_id: "v-1",
      enterprise_id: "ent-1",
      name: "Massage 60 min",
      description: null,
      unit_price: "80.00",
      currency: "EUR",
      amount_is_gross: true,
      mews_service_id: "svc",
      is_active: true,
      version: 1,
      created_at: AT,
      updated_at: AT,
    }),
  ),
  route("GET", "/api/v1/vendors/v-1", () =>
    json({
      vendor_id: "v-1",
      enterprise_id: "ent-1",
      name: "Lotus Spa",
      category: "spa",
      is_active: true,
      version: 1,
      created_at: AT,
      updated_at: AT,
    }),
  ),
  route("GET", "/api/v1/guests/g-1", () =>
    json({
      view: "vendor",
      guest: { guest_id: "g-1", enterprise_id: "ent-1", first_name: "Anna", last_name: "Smith" },
      stays: [
        {
          stay_id: "s-1",
          enterprise_id: "ent-1",
          number: "4021",
          state: "started",
          room: "101",
          scheduled_start_utc: AT,
          scheduled_end_utc: AT,
          actual_start_utc: null,
          actual_end_utc: null,
          guests: [],
        },
      ],
    }),
  ),
  route("GET", "/api/v1/charges/c-1", () => json(charge)),
];

function renderPage(id = "b-1") {
  return renderWithProviders(
    <Routes>
      <Route path="/bookings/:bookingId" element={<BookingPage />} />
    </Routes>,
    { route: `/bookings/${id}` },
  );
}

function details() {
  const card = screen.getByRole("region", { name: "Booking" });
  return (label: string) => {
    const term = within(card).getByText(label, { selector: "dt" });
    return term.nextElementSibling?.textContent;
  };
}

describe("booking page", () => {
  it("shows the booking, its guest, and whether its charge reached the guest's bill", async () => {
    signInAs("front_desk");
    mockFetch(
      route("GET", "/api/v1/bookings/b-1", () => json(booking({ state: "fulfilled", charge_id: "c-1" }))),
      ...related,
    );
    renderPage();

    expect(await screen.findByRole("heading", { level: 1, name: "Massage 60 min for Anna Smith" })).toBeInTheDocument();
    const row = details();
    expect(row("Guest")).toBe("Anna Smith");
    expect(screen.getByRole("link", { name: "Anna Smith" })).toHaveAttribute("href", "/guests/g-1");
    expect(row("Reservation")).toBe("4021, room 101");
    expect(row("Vendor")).toBe("Lotus Spa");
    expect(row("Quantity")).toBe("2");
    expect(row("Notes")).toBe("Window room please");
    expect(row("State")).toBe("fulfilled");

    const chargeCard = screen.getByRole("region", { name: "Charge" });
    expect(await within(chargeCard).findByText("posted")).toBeInTheDocument();
    expect(within(chargeCard).getByText("order-1")).toBeInTheDocument();
    // Fulfilled: nothing more to do with it.
    expect(screen.queryByRole("region", { name: "Actions" })).not.toBeInTheDocument();
  });

  it("lets a manager cancel the charge with a reason, and shows it cancelled and the booking refunded", async () => {
    signInAs("manager");
    let taken = false;
    const reason = "the guest was not satisfied";
    const { calls } = mockFetch(
      route("GET", "/api/v1/bookings/b-1", () =>
        json(booking(taken ? { state: "refunded", state_reason: reason, charge_id: "c-1" } : { state: "fulfilled", charge_id: "c-1" })),
      ),
      route("POST", "/api/v1/charges/c-1/cancel", () => {
        taken = true;
        return json({ ...charge, state: "cancelling", cancel_reason: reason });
      }),
      route("GET", "/api/v1/charges/c-1", () =>
        json(
          taken
            ? { ...charge, state: "cancelled", cancel_reason: reason, cancel_method: "order_items_cancelled", cancelled_at: AT }
            : charge,
        ),
      ),
      ...related,
    );
    renderPage();

    const chargeCard = await screen.findByRole("region", { name: "Charge" });
    await userEvent.click(await within(chargeCard).findByRole("button", { name: "Cancel charge Massage 60 min" }));
    const form = within(chargeCard).getByRole("form", { name: "Cancel the charge Massage 60 min" });
    const submit = within(form).getByRole("button", { name: "Cancel charge" });
    expect(submit).toBeDisabled(); // the reason first
    await userEvent.type(within(form).getByLabelText("Why (kept with the charge, not on the guest's bill)"), reason);
    await userEvent.click(submit);

    expect(await within(chargeCard).findByText("cancelled")).toBeInTheDocument();
    expect(
      within(chargeCard).getByText(`Cancelled, taken off the guest's bill in Mews. Reason: ${reason}`),
    ).toBeInTheDocument();
    expect(within(chargeCard).queryByRole("button", { name: /Cancel charge/ })).not.toBeInTheDocument();
    expect(await screen.findByText("refunded")).toBeInTheDocument();
    const sent = calls.filter((c) => new URL(c.url).pathname === "/api/v1/charges/c-1/cancel");
    expect(sent).toHaveLength(1);
    expect(await sent[0]?.json()).toEqual({ reason });
  });

  it("shows the front desk no way to cancel a charge", async () => {
    signInAs("front_desk");
    mockFetch(
      route("GET", "/api/v1/bookings/b-1", () => json(booking({ state: "fulfilled", charge_id: "c-1" }))),
      ...related,
    );
    renderPage();
    const chargeCard = await screen.findByRole("region", { name: "Charge" });
    expect(await within(chargeCard).findByText("posted")).toBeInTheDocument();
    expect(within(chargeCard).queryByRole("button")).not.toBeInTheDocument();
  });

  it("shows staff the stay's room state, companions and notes", async () => {
    signInAs("front_desk");
    mockFetch(
      route("GET", "/api/v1/bookings/b-1", () => json(booking())),
      route("GET", "/api/v1/guests/g-1", () =>
        json({
          view: "staff",
          guest: { guest_id: "g-1", enterprise_id: "ent-1", mews_id: "m-g-1", mews_updated_utc: AT, synced_at: AT, first_name: "Anna", last_name: "Smith" },
          stays: [
            {
              stay_id: "s-1",
              enterprise_id: "ent-1",
              mews_id: "m-s-1",
              mews_updated_utc: AT,
              synced_at: AT,
              number: "4021",
              state: "started",
              mews_state: "Started",
              resource_name: "204",
              room_state: "Inspected",
              room_category: "Deluxe King",
              guests: [
                { customer_mews_id: "c-1", role: "owner", guest_id: "g-1", first_name: "Anna", last_name: "Smith" },
                { customer_mews_id: "c-2", role: "companion", guest_id: "g-2", first_name: "Ben", last_name: "Smith" },
              ],
              notes: [{ text: "Anniversary: flowers in the room", type: "SpecialRequest" }],
            },
          ],
          timeline: [],
        }),
      ),
      ...related, // after the staff view of the guest: the first route that answers wins
    );
    renderPage();
    expect(await screen.findByRole("heading", { level: 1, name: "Massage 60 min for Anna Smith" })).toBeInTheDocument();
    const row = details();
    expect(row("Reservation")).toBe("4021, room 204 (Deluxe King) · Inspected");
    expect(row("Companions")).toBe("Ben Smith");
    expect(screen.getByRole("link", { name: "Ben Smith" })).toHaveAttribute("href", "/guests/g-2");
    expect(row("Stay notes")).toBe("Special request: Anniversary: flowers in the room");
  });

  it("lets the vendor confirm a requested booking", async () => {
    signInAs("vendor");
    let current = booking();
    const { calls } = mockFetch(
      route("GET", "/api/v1/bookings/b-1", () => json(current)),
      route("POST", "/api/v1/bookings/b-1/confirm", () => {
        current = booking({ state: "confirmed", version: 2 });
        return json(current);
      }),
      ...related,
    );
    renderPage();

    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Confirm booking Massage 60 min" }));
    expect(await screen.findByRole("button", { name: "Fulfil booking Massage 60 min" })).toBeInTheDocument();
    expect(details()("State")).toBe("confirmed");
    expect(screen.getByText(/No charge yet/)).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "POST").map((c) => new URL(c.url).pathname)).toEqual([
      "/api/v1/bookings/b-1/confirm",
    ]);
    expect(screen.getByRole("link", { name: "My vendor" })).toHaveAttribute("href", "/vendor");
  });

  it("shows another vendor's booking as not found, and nothing of it", async () => {
    signInAs("vendor");
    const { calls } = mockFetch(
      route("GET", "/api/v1/bookings/b-2", () => problem(404, "Not Found", "booking b-2 not found")),
      ...related,
    );
    renderPage("b-2");

    expect(await screen.findByRole("heading", { level: 1, name: "Booking not found" })).toBeInTheDocument();
    expect(screen.getByText(/no access to it/)).toBeInTheDocument();
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
    // Nothing about the booking is asked for beyond the booking itself (the hotels are the
    // caller's own, for names and times).
    const paths = calls.map((c) => new URL(c.url).pathname).filter((p) => p !== "/api/v1/properties");
    expect(paths).toEqual(["/api/v1/bookings/b-2"]);
  });
});

import { describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { BookingForm } from "./BookingForm";
import { json, mockFetch, problem, renderWithProviders, route, signInAs } from "../../test/utils";

const vendors = route("GET", "/api/v1/vendors", () =>
  json({
    items: [
      {
        vendor_id: "v-1",
        enterprise_id: "ent-1",
        name: "Lotus Spa",
        category: "spa",
        is_active: true,
        version: 1,
        created_at: "2025-01-01T00:00:00Z",
        updated_at: "2025-01-01T00:00:00Z",
      },
    ],
    total: 1,
  }),
);
const offerings = route("GET", "/api/v1/vendors/v-1/offerings", () =>
  json({
    items: [
      {
        offering_id: "o-1",
        vendor_id: "v-1",
        enterprise_id: "ent-1",
        name: "Massage 60 min",
        description: "Full body",
        unit_price: "80.00",
        currency: "EUR",
        amount_is_gross: true,
        mews_service_id: "svc",
        is_active: true,
        version: 1,
        created_at: "2025-01-01T00:00:00Z",
        updated_at: "2025-01-01T00:00:00Z",
      },
    ],
    total: 1,
  }),
);

function renderForm(onCreated = vi.fn()) {
  renderWithProviders(<BookingForm enterpriseId="ent-1" guestId="g-1" stayId="s-1" onCreated={onCreated} />);
  return onCreated;
}


describe("booking form", () => {
  it("requires a service and a sensible quantity", async () => {
    signInAs("front_desk");
    const { calls } = mockFetch(vendors, offerings);
    renderForm();
    const user = userEvent.setup();
    const quantity = screen.getByLabelText(/Quantity/);
    await user.clear(quantity);
    await user.type(quantity, "0");
    await user.click(screen.getByRole("button", { name: "Book" }));
    expect(screen.getByLabelText(/Service/)).toHaveAccessibleDescription("Choose what to book.");
    expect(quantity).toHaveAccessibleDescription("Enter a whole number from 1 to 1000.");
    expect(calls.some((c) => c.method === "POST")).toBe(false);
  });

  it("books the chosen offering for the stay", async () => {
    signInAs("front_desk");
    const { calls } = mockFetch(
      vendors,
      offerings,
      route("POST", "/api/v1/bookings", async (req) => {
        const body = (await req.json()) as Record<string, unknown>;
        return json({ booking_id: "b-1", state: "requested", ...body }, 201);
      }),
    );
    const onCreated = renderForm();
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText(/Vendor/), await screen.findByRole("option", { name: "Lotus Spa (spa)" }));
    await user.selectOptions(screen.getByLabelText(/Service/), await screen.findByRole("option", { name: /Massage 60 min/ }));
    expect(screen.getByText("Full body")).toBeInTheDocument();
    const quantity = screen.getByLabelText(/Quantity/);
    await user.clear(quantity);
    await user.type(quantity, "2");
    await user.type(screen.getByLabelText(/Notes/), "Window room please");
    await user.click(screen.getByRole("button", { name: "Book" }));

    expect(await screen.findByRole("status")).toHaveTextContent("Booked");
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.headers.get("Authorization")).toBe("Bearer access-1");
    expect(post.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    // Booked: the form is empty again, nothing to book twice.
    expect(screen.getByLabelText(/Service/)).toHaveValue("");
    expect(screen.getByLabelText(/Notes/)).toHaveValue("");
    expect(await post.json()).toEqual({
      offering_id: "o-1",
      guest_id: "g-1",
      stay_id: "s-1",
      quantity: 2,
      scheduled_for: null,
      notes: "Window room please",
    });
    expect(onCreated).toHaveBeenCalledWith(expect.objectContaining({ booking_id: "b-1" }));
  });

  it("sends the same key when the same form is sent again, a new one for another", async () => {
    signInAs("front_desk");
    let answer = 0;
    const { calls } = mockFetch(
      vendors,
      offerings,
      route("POST", "/api/v1/bookings", () =>
        ++answer < 3 ? problem(503, "Service Unavailable", "try again") : json({ booking_id: "b-1", state: "requested" }, 201),
      ),
    );
    renderForm();
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText(/Vendor/), await screen.findByRole("option", { name: "Lotus Spa (spa)" }));
    await user.selectOptions(screen.getByLabelText(/Service/), await screen.findByRole("option", { name: /Massage 60 min/ }));
    const book = screen.getByRole("button", { name: "Book" });
    await user.click(book);
    await screen.findByText("try again");
    await user.click(book); // the same form again: a retry
    await waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(2));
    await user.type(screen.getByLabelText(/Notes/), "Quiet room");
    await user.click(book); // another booking now
    expect(await screen.findByRole("status")).toHaveTextContent("Booked");
    const keys = calls.filter((c) => c.method === "POST").map((c) => c.headers.get("Idempotency-Key"));
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[1]);
  });

  it("shows why the gateway refused the booking", async () => {
    signInAs("front_desk");
    mockFetch(
      vendors,
      offerings,
      route("POST", "/api/v1/bookings", () => problem(409, "Conflict", "The stay has already ended.")),
    );
    renderForm();
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText(/Vendor/), await screen.findByRole("option", { name: "Lotus Spa (spa)" }));
    await user.selectOptions(screen.getByLabelText(/Service/), await screen.findByRole("option", { name: /Massage/ }));
    await user.click(screen.getByRole("button", { name: "Book" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The stay has already ended.");
  });
});

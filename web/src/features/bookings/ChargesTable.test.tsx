import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ChargeView } from "../../api/types";
import { ChargesTable } from "./ChargesTable";
import { json, mockFetch, problem, renderWithProviders, route, signInAs } from "../../test/utils";

const held: ChargeView = {
  charge_id: "c-1",
  enterprise_id: "ent-1",
  vendor_id: "v-1",
  offering_id: "o-1",
  booking_id: null,
  guest_id: "g-1",
  stay_id: "s-1",
  description: "Massage oils",
  quantity: 1,
  unit_amount: "120.00",
  currency: "GBP",
  amount: "120.00",
  state: "pending_approval",
  reference: "attendandt:charge:c-1",
  attempts: 1,
  created_by: "u-vendor",
  version: 1,
  created_at: "2026-12-03T10:00:00Z",
  updated_at: "2026-12-03T10:00:00Z",
  approval_reason: "an ad-hoc charge without a booking",
};

describe("charges pending approval", () => {
  it("tell the vendor why the charge waits, without buttons", () => {
    signInAs("vendor");
    mockFetch();
    renderWithProviders(<ChargesTable caption="Charges" charges={[held]} />);
    const table = screen.getByRole("table", { name: "Charges" });
    expect(within(table).getByText("pending approval")).toBeInTheDocument();
    expect(
      within(table).getByText(
        "Waits for a manager's approval before it goes to the guest's bill: an ad-hoc charge without a booking.",
      ),
    ).toBeInTheDocument();
    expect(within(table).queryByRole("button")).not.toBeInTheDocument();
  });

  it("let a manager approve", async () => {
    signInAs("manager");
    const { calls } = mockFetch(
      route("POST", "/api/v1/charges/c-1/approve", () => json({ ...held, state: "pending", approved_by: "u-manager" })),
    );
    renderWithProviders(<ChargesTable caption="Charges" charges={[held]} canApprove />);
    await userEvent.click(screen.getByRole("button", { name: "Approve charge Massage oils" }));
    await waitFor(() => expect(calls.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toContain("POST /api/v1/charges/c-1/approve"));
  });

  it("let a manager reject with a reason, and show a refusal", async () => {
    signInAs("manager");
    const { calls } = mockFetch(
      route("POST", "/api/v1/charges/c-1/reject", () => problem(409, "Conflict", "charge c-1 is posted: only a charge pending approval can be rejected")),
    );
    renderWithProviders(<ChargesTable caption="Charges" charges={[held]} canApprove />);
    await userEvent.click(screen.getByRole("button", { name: "Reject charge Massage oils" }));
    const form = screen.getByRole("form", { name: "Reject the charge Massage oils" });
    const submit = within(form).getByRole("button", { name: "Reject charge" });
    expect(submit).toBeDisabled(); // a reason first
    await userEvent.type(within(form).getByLabelText("Reason (the vendor sees it)"), "guest did not order it");
    await userEvent.click(submit);
    expect(await screen.findByText(/only a charge pending approval can be rejected/)).toBeInTheDocument();
    const sent = calls.find((c) => new URL(c.url).pathname === "/api/v1/charges/c-1/reject");
    expect(await sent?.json()).toEqual({ reason: "guest did not order it" });
  });
});

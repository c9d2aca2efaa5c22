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

describe("cancelling a charge", () => {
  const posted: ChargeView = {
    ...held,
    state: "posted",
    approval_reason: null,
    mews_order_id: "order-1",
    posted_at: "2026-12-03T10:05:00Z",
  };

  it("asks a manager for the reason, then sends it", async () => {
    signInAs("manager");
    const { calls } = mockFetch(
      route("POST", "/api/v1/charges/c-1/cancel", () => json({ ...posted, state: "cancelling", cancel_reason: "wrong guest" })),
    );
    renderWithProviders(<ChargesTable caption="Charges" charges={[posted]} canCancel />);
    await userEvent.click(screen.getByRole("button", { name: "Cancel charge Massage oils" }));
    const form = screen.getByRole("form", { name: "Cancel the charge Massage oils" });
    const submit = within(form).getByRole("button", { name: "Cancel charge" });
    expect(submit).toBeDisabled();
    await userEvent.type(within(form).getByLabelText("Why (kept with the charge, not on the guest's bill)"), "  wrong guest ");
    await userEvent.click(submit);
    await waitFor(() => expect(screen.queryByRole("form")).not.toBeInTheDocument());
    const sent = calls.filter((c) => new URL(c.url).pathname === "/api/v1/charges/c-1/cancel");
    expect(sent).toHaveLength(1);
    expect(await sent[0]?.json()).toEqual({ reason: "wrong guest" });
  });

  it("shows a refusal and keeps the form", async () => {
    signInAs("manager");
    mockFetch(
      route("POST", "/api/v1/charges/c-1/cancel", () =>
        problem(409, "Conflict", "charge c-1 cannot be cancelled: it was rejected and never reached the guest's bill"),
      ),
    );
    renderWithProviders(<ChargesTable caption="Charges" charges={[posted]} canCancel />);
    await userEvent.click(screen.getByRole("button", { name: "Cancel charge Massage oils" }));
    await userEvent.type(screen.getByLabelText("Why (kept with the charge, not on the guest's bill)"), "duplicate");
    await userEvent.click(screen.getByRole("button", { name: "Cancel charge" }));
    expect(await screen.findByText(/never reached the guest's bill/)).toBeInTheDocument();
    expect(screen.getByRole("form", { name: "Cancel the charge Massage oils" })).toBeInTheDocument();
  });

  it("shows where a cancellation stands, and offers a retry only after Mews refused", () => {
    signInAs("manager");
    mockFetch();
    const charges: ChargeView[] = [
      { ...posted, charge_id: "c-2", description: "Sauna", state: "cancelling", cancel_reason: "closed for repairs" },
      { ...posted, charge_id: "c-3", description: "Towels", state: "cancelled", cancel_method: "rebated", cancel_reason: "not used" },
      {
        ...posted,
        charge_id: "c-4",
        description: "Wine",
        state: "cancel_failed",
        cancel_failure_reason: "Mews could not be reached in time",
      },
    ];
    renderWithProviders(<ChargesTable caption="Charges" charges={charges} canCancel />);
    const table = screen.getByRole("table", { name: "Charges" });
    expect(within(table).getByText("Being taken off the guest's bill in Mews. Reason: closed for repairs")).toBeInTheDocument();
    expect(
      within(table).getByText("Cancelled, offset on the guest's bill in Mews by a rebate. Reason: not used"),
    ).toBeInTheDocument();
    expect(
      within(table).getByText("Mews did not take it back: Mews could not be reached in time. Cancel again to retry."),
    ).toBeInTheDocument();
    expect(within(table).getByText("cancel failed")).toBeInTheDocument();
    expect(within(table).getAllByRole("button").map((b) => b.getAttribute("aria-label"))).toEqual([
      "Cancel charge Wine",
    ]);
  });

  it("offers nothing without the permission", () => {
    signInAs("front_desk");
    mockFetch();
    renderWithProviders(<ChargesTable caption="Charges" charges={[posted]} />);
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
  });
});

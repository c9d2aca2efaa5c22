import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import type { components } from "../../api/schema";
import { StayBill, StayBillSection } from "./StayBill";
import { HOTEL, json, mockFetch, problem, renderWithProviders, route, signInAs } from "../../test/utils";

type StayBillReply = components["schemas"]["StayBillReply"];

const money = (value: number) => new Intl.NumberFormat(undefined, { style: "currency", currency: "USD" }).format(value);

const reply: StayBillReply = {
  enterprise_id: "ent-1",
  stay_id: "s-1",
  stay_mews_id: "m-s-1",
  currency: "USD",
  synced_at: "2026-12-03T10:00:00Z",
  bill: {
    stay_mews_id: "m-s-1",
    mews_updated_utc: "2026-12-03T10:00:00Z",
    currency: "USD",
    items: [
      {
        mews_id: "i-1",
        name: "Massage 60 min",
        quantity: "2",
        unit_amount: "80",
        total_amount: "160",
        currency: "USD",
        state: "Open",
        ours: true,
        charge_id: "c-1",
        bill_mews_id: "b-1",
      },
      {
        mews_id: "i-2",
        name: "Minibar",
        quantity: "1",
        unit_amount: "12",
        total_amount: "12",
        currency: "USD",
        state: "Canceled",
        ours: false,
        bill_mews_id: "b-1",
      },
    ],
    payments: [
      {
        mews_id: "p-1",
        amount: "100",
        currency: "USD",
        state: "Charged",
        type: "CashPayment",
        bill_mews_id: "b-1",
        charged_utc: "2026-12-03T09:00:00Z",
      },
    ],
    bills: [{ mews_id: "b-1", state: "Open" }],
    total_charged: "160",
    total_paid: "100",
    balance: "60",
  },
};

describe("a stay's bill", () => {
  it("lists the charges, ours marked, the payments and what is still owed", () => {
    signInAs("front_desk");
    mockFetch(route("GET", "/api/v1/properties", () => json([HOTEL])));
    renderWithProviders(<StayBill reply={reply} />);
    const charges = screen.getByRole("table", { name: "Charges on the bill" });
    const massage = within(charges).getByText("Massage 60 min").closest("tr")!;
    expect(within(massage).getByText("(booked here)")).toBeInTheDocument();
    expect(within(massage).getByText(`2 × ${money(80)}`)).toBeInTheDocument();
    expect(within(massage).getByText(money(160))).toBeInTheDocument();
    const minibar = within(charges).getByText("Minibar").closest("tr")!;
    expect(within(minibar).queryByText("(booked here)")).toBeNull();
    expect(within(minibar).getByText("Canceled")).toBeInTheDocument();
    const payments = screen.getByRole("table", { name: "Payments" });
    expect(within(payments).getByText("Cash")).toBeInTheDocument();
    expect(within(payments).getByText(money(100))).toBeInTheDocument();
    expect(screen.getByLabelText("Balance")).toHaveTextContent(`Balance due ${money(60)}`);
    expect(screen.getByText("open")).toBeInTheDocument();
  });

  it("says when nothing was charged yet, and shows a settled closed bill", () => {
    signInAs("front_desk");
    mockFetch(route("GET", "/api/v1/properties", () => json([HOTEL])));
    const { unmount } = renderWithProviders(<StayBill reply={{ ...reply, bill: null }} />);
    expect(screen.getByText("Nothing has been charged or paid for this stay yet.")).toBeInTheDocument();
    unmount();
    const settled = {
      ...reply,
      bill: { ...reply.bill!, bills: [{ mews_id: "b-1", state: "Closed" }], total_paid: "160", balance: "0" },
    };
    renderWithProviders(<StayBill reply={settled} />);
    expect(screen.getByText("closed")).toBeInTheDocument();
    expect(screen.getByLabelText("Balance")).toHaveTextContent(`Settled ${money(0)}`);
  });

  it("is fetched for the stay and shows the gateway's problem when refused", async () => {
    signInAs("front_desk");
    mockFetch(
      route("GET", "/api/v1/properties", () => json([HOTEL])),
      route("GET", "/api/v1/stays/s-1/bill", () => json(reply)),
      route("GET", "/api/v1/stays/s-2/bill", () => problem(404, "Not Found", "no stay s-2")),
    );
    renderWithProviders(<StayBillSection enterpriseId="ent-1" stayId="s-1" portfolioWide={false} />);
    expect(await screen.findByText("Massage 60 min")).toBeInTheDocument();
    renderWithProviders(<StayBillSection enterpriseId="ent-1" stayId="s-2" portfolioWide={false} />);
    expect(await screen.findByText(/no stay s-2/)).toBeInTheDocument();
  });
});

/*
 * Money after the post, as the hotel and the vendor see it: the front desk finds the stay's
 * bill on the guest page (the vendor's charge, the payment taken at the desk, the balance),
 * each figure what the simulator's own bill holds; a manager cancels the charge and the
 * guest's bill in the simulator shows it cancelled, as does the app's once sync has read it
 * again; the vendor downloads its settlement as a CSV file with the charge on it.
 */
import { readFileSync } from "node:fs";
import { expect, test, type Locator, type Page } from "@playwright/test";
import {
  Api,
  DEMO_OFFERING,
  SYNC_TIMEOUT,
  book,
  demoVendor,
  expectAccessible,
  guestWithReservation,
  mews,
  pageAs,
  screenshot,
  sim,
  uniqueWord,
  type StayingGuest,
} from "./support";

test.describe.configure({ mode: "serial" });

interface Charge {
  charge_id: string;
  state: string;
  amount: string;
  currency: string;
  mews_order_id: string | null;
}

interface BillItem {
  mews_id: string;
  name: string;
  total_amount: string;
  currency: string;
  state: string;
  ours: boolean;
  charge_id?: string | null;
}

interface StayBill {
  currency?: string | null;
  bill?: {
    items: BillItem[];
    payments: { mews_id: string; amount: string; state: string }[];
    total_charged: string;
    total_paid: string;
    balance: string;
  } | null;
}

interface MewsAmount {
  Currency: string;
  GrossValue: number;
}

interface MewsOrderItem {
  Id: string;
  BillId: string | null;
  ServiceOrderId: string;
  ExternalIdentifier: string | null;
  AccountingState: string;
  Amount: MewsAmount;
}

interface SettlementLine {
  charge_id: string;
  guest_name: string;
  service: string;
  quantity: number;
  unit_amount: string;
  total: string;
  currency: string;
  state: string;
  bill_paid: boolean | null;
  mews_order_id: string | null;
  booking_id: string | null;
}

/** Paid at the desk towards the stay (the hotel's currency). */
const PAID = 30;
const NOT_OWED = new Set(["Canceled", "Inactive"]);

let guest: StayingGuest;
let bookingId: string;
let charge: Charge;
let vendorId: string;

function money(amount: number | string, currency: string): string {
  // The app's formatting in the browser's locale (playwright.config.ts: en-GB).
  return new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(Number(amount));
}

function cents(value: number | string): number {
  return Math.round(Number(value) * 100);
}

/** The stay's bill as the simulator holds it: the items of the reservation and of the orders
 * linked to it, the payments for it, and what is owed (received payments are negative). */
async function simulatorBill(): Promise<{ items: MewsOrderItem[]; charged: number; paid: number; balance: number }> {
  const { OrderItems: items } = await mews<{ OrderItems: MewsOrderItem[] }>("orderItems/getAll", {
    ServiceOrderIds: [guest.reservation.Id, charge.mews_order_id],
    Limitation: { Count: 1000 },
  });
  const { Payments: payments } = await mews<{ Payments: { State: string; Amount: MewsAmount }[] }>("payments/getAll", {
    ReservationIds: [guest.reservation.Id],
    Limitation: { Count: 1000 },
  });
  const charged = items.filter((i) => !NOT_OWED.has(i.AccountingState)).reduce((sum, i) => sum + cents(i.Amount.GrossValue), 0);
  const paid = payments.filter((p) => p.State === "Charged").reduce((sum, p) => sum - cents(p.Amount.GrossValue), 0);
  return { items, charged, paid, balance: charged - paid };
}

/** The stay's bill as the app holds it, once `ready` accepts it (sync reads it from Mews). */
async function appBill(ready: (bill: NonNullable<StayBill["bill"]>) => boolean, what: string): Promise<NonNullable<StayBill["bill"]>> {
  const staff = Api.as("frontDesk");
  let found: StayBill["bill"] = null;
  await expect
    .poll(
      async () => {
        found = (await staff.get<StayBill>(`/stays/${guest.stayId}/bill`)).bill ?? null;
        return found !== null && ready(found);
      },
      { message: what, timeout: SYNC_TIMEOUT },
    )
    .toBe(true);
  return found!;
}

function ourItem(bill: NonNullable<StayBill["bill"]>): BillItem | undefined {
  return bill.items.find((i) => i.charge_id === charge.charge_id);
}

function billCard(page: Page): Locator {
  return page.getByRole("region", { name: `Bill for reservation ${guest.reservation.Number}` });
}

function ourRow(card: Locator): Locator {
  return card.getByRole("table", { name: "Charges on the bill" }).getByRole("row").filter({ hasText: `${DEMO_OFFERING} (booked here)` });
}

/** The bill's figures on the page are the simulator's, and so are the app's. */
async function expectBillAsInSimulator(card: Locator, bill: NonNullable<StayBill["bill"]>): Promise<void> {
  const truth = await simulatorBill();
  const currency = charge.currency;
  expect([cents(bill.total_charged), cents(bill.total_paid), cents(bill.balance)]).toEqual([truth.charged, truth.paid, truth.balance]);
  expect(bill.items.map((i) => i.mews_id).sort()).toEqual(truth.items.map((i) => i.Id).sort());
  const figures = card.locator("dl");
  await expect(figures.locator('dt:text-is("Charged") + dd')).toHaveText(money(truth.charged / 100, currency));
  await expect(figures.locator('dt:text-is("Paid") + dd')).toHaveText(money(truth.paid / 100, currency));
  await expect(figures.locator('dt:text-is("Balance") + dd')).toHaveText(money(truth.balance / 100, currency));
  const owed = truth.balance > 0 ? "Balance due " : truth.balance < 0 ? "In credit " : "Settled ";
  await expect(card.getByLabel("Balance")).toHaveText(owed + money(Math.abs(truth.balance) / 100, currency));
}

test.beforeAll(async () => {
  const staff = Api.as("frontDesk");
  guest = await guestWithReservation(staff, "Nora", uniqueWord("Finch"), {}, { checkedIn: true });
  const demo = await demoVendor();
  vendorId = demo.vendorId;
  const booking = await book(staff, { offering_id: demo.offeringId, guest_id: guest.guestId, stay_id: guest.stayId });
  bookingId = booking.booking_id;
  await staff.post(`/bookings/${bookingId}/confirm`);
  const fulfilled = await staff.post<{ charge: Charge }>(`/bookings/${bookingId}/fulfil`);
  const manager = Api.as("manager");
  await expect
    .poll(async () => (charge = await manager.get<Charge>(`/charges/${fulfilled.charge.charge_id}`)).state, {
      message: "the charge is posted to the guest's bill in Mews",
      timeout: SYNC_TIMEOUT,
    })
    .toBe("posted");
  // Money taken at the desk: Mews announces the payment (PaymentUpdated), and sync reads the
  // stay's bill with it.
  await sim(`/_sim/reservations/${guest.reservation.Id}/payments`, { amount: PAID });
});

test("the front desk sees the stay's bill: the vendor's charge, the payment and the balance, as in Mews", async ({ browser }) => {
  const bill = await appBill(
    (b) => ourItem(b) !== undefined && b.payments.length > 0,
    "the stay's bill with the charge and the payment reaches the app",
  );
  const item = ourItem(bill)!;
  const [mewsItem] = (await simulatorBill()).items.filter((i) => i.Id === item.mews_id);
  expect(mewsItem?.ExternalIdentifier).toContain(charge.charge_id);
  expect([cents(item.total_amount), item.currency, item.state]).toEqual([
    cents(mewsItem!.Amount.GrossValue),
    mewsItem!.Amount.Currency,
    "Open",
  ]);
  expect(cents(item.total_amount)).toBe(cents(charge.amount));

  const page = await pageAs(browser, "frontDesk");
  try {
    await page.goto(`/guests/${guest.guestId}`);
    const card = billCard(page);
    await expect(card.getByText("open", { exact: true })).toBeVisible();
    const row = ourRow(card);
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(money(charge.amount, charge.currency));
    await expect(row).toContainText("Open");
    await expect(card.getByRole("table", { name: "Payments" }).getByRole("row").filter({ hasText: money(PAID, charge.currency) })).toHaveCount(1);
    await expectBillAsInSimulator(card, bill);
    await expectAccessible(page, "the guest page with the stay's bill");
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, "18-front-desk-sees-stay-bill");
  } finally {
    await page.context().close();
  }
});

test("a manager cancels the charge: the guest's bill in the simulator shows it cancelled, and so does the app's", async ({ browser }) => {
  const manager = await pageAs(browser, "manager");
  try {
    await manager.goto(`/bookings/${bookingId}`);
    const card = manager.getByRole("region", { name: "Charge" });
    await card.getByRole("button", { name: `Cancel charge ${DEMO_OFFERING}` }).click();
    const form = card.getByRole("form", { name: `Cancel the charge ${DEMO_OFFERING}` });
    await form.getByLabel("Why (kept with the charge, not on the guest's bill)").fill("Booked for the wrong guest");
    await form.getByRole("button", { name: "Cancel charge" }).click();
    await expect(card.locator('dt:text-is("Posting") + dd')).toContainText("Cancelled, taken off the guest's bill in Mews", {
      timeout: SYNC_TIMEOUT,
    });
  } finally {
    await manager.context().close();
  }

  // The guest's bill in the simulator: the item is on it, cancelled.
  const ours = (await simulatorBill()).items.filter((i) => i.ExternalIdentifier?.includes(charge.charge_id));
  expect(ours.map((i) => i.AccountingState)).toEqual(["Canceled"]);
  const { Bills: bills } = await mews<{ Bills: { OrderItems: MewsOrderItem[] }[] }>("bills/getAll", {
    BillIds: [ours[0]!.BillId],
    Extent: { Items: true },
    Limitation: { Count: 1 },
  });
  expect(bills[0]?.OrderItems.find((i) => i.Id === ours[0]!.Id)?.AccountingState).toBe("Canceled");

  // Mews announces no change of an order item: sync reads a stay's bill again when its
  // reservation or a payment changes, or on its periodic pass (minutes apart). The guest
  // extends the stay by a day at the desk, and the bill is read with the change.
  await sim(`/_sim/reservations/${guest.reservation.Id}/update`, {
    ScheduledEndUtc: new Date(Date.now() + 3 * 86_400_000).toISOString(),
  });
  const bill = await appBill((b) => ourItem(b)?.state === "Canceled", "the cancelled item reaches the app's bill");

  const page = await pageAs(browser, "frontDesk");
  try {
    await page.goto(`/guests/${guest.guestId}`);
    const card = billCard(page);
    const row = ourRow(card);
    await expect(row).toContainText("Canceled");
    await expect(row).toHaveClass(/line-through/);
    await expectBillAsInSimulator(card, bill);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, "19-stay-bill-charge-cancelled");
  } finally {
    await page.context().close();
  }
});

test("the vendor downloads its settlement as CSV, with the charge and its state", async ({ browser }) => {
  const page = await pageAs(browser, "vendor");
  try {
    await page.goto("/vendor");
    const card = page.getByRole("region", { name: "Settlement" });
    const button = card.getByRole("button", { name: "Download CSV" });
    await expect(button).toBeEnabled();
    // The period the page shows (this month at the hotel), as the API answers it in JSON.
    const from = await card.getByLabel("From").inputValue();
    await expectAccessible(page, "the vendor's page with its settlement");
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, "20-vendor-settlement");
    const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^settlement-${vendorId}-\\d{8}-\\d{8}\\.csv$`));
    expect(download.suggestedFilename()).toContain(from.replace(/-/g, "").slice(0, 6));
    const text = readFileSync((await download.path())!, "utf8");
    const [header, ...rows] = text.trim().split(/\r\n/).map(parseCsvLine);
    expect(header).toEqual([
      "posted_at",
      "guest",
      "service",
      "quantity",
      "unit_amount",
      "total",
      "currency",
      "state",
      "bill_paid",
      "mews_order_id",
      "charge_id",
      "booking_id",
    ]);
    const lines = rows.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i] ?? ""])));
    const line = lines.filter((l) => l.charge_id === charge.charge_id);
    expect(line).toHaveLength(1);
    expect(line[0]).toMatchObject({
      service: DEMO_OFFERING,
      quantity: "1",
      currency: charge.currency,
      state: "cancelled",
      mews_order_id: charge.mews_order_id,
      booking_id: bookingId,
    });
    expect(cents(line[0]!.total!)).toBe(cents(charge.amount));
    // The file is the vendor's own settlement: every line is one the API lists for it (asked
    // for a day more each side than the hotel's month).
    const settlement = await Api.as("vendor").get<{ lines: SettlementLine[] }>(
      `/vendors/${vendorId}/settlement?${new URLSearchParams({ from: new Date(Date.parse(`${from}T00:00:00Z`) - 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() })}`,
    );
    const known = new Set(settlement.lines.map((l) => l.charge_id));
    expect(lines.every((l) => known.has(l.charge_id!))).toBe(true);
    const inJson = settlement.lines.find((l) => l.charge_id === charge.charge_id);
    expect(line[0]!.guest).toBe(inJson?.guest_name);
  } finally {
    await page.context().close();
  }
});

/** One CSV record (RFC 4180 quoting; the gateway writes no line breaks inside a cell). */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

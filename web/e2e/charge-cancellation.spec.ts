/*
 * Undo: a booking fulfilled and posted to the guest's bill in Mews is cancelled by a manager,
 * with a reason. The charge is taken off the guest's bill in the simulator (its order item
 * Canceled, by one cancellation) and the booking is refunded. The front desk sees no way to
 * do it.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import {
  Api,
  DEMO_OFFERING,
  SIM_URL,
  SYNC_TIMEOUT,
  book,
  demoVendor,
  expectAccessible,
  guestWithReservation,
  mews,
  pageAs,
  screenshot,
  uniqueWord,
} from "./support";

test.describe.configure({ mode: "serial" });

interface Charge {
  charge_id: string;
  state: string;
  reference: string;
  mews_order_id: string | null;
  cancel_reason: string | null;
  cancel_method: string | null;
}

interface OrderItem {
  Id: string;
  BillId: string;
  ExternalIdentifier: string | null;
  AccountingState: string;
  CanceledUtc: string | null;
}

const REASON = "The guest left before the massage";
let bookingId: string;
let charge: Charge;
let managerPage: Page;

function detail(scope: Locator, label: string): Locator {
  return scope.locator(`dt:text-is("${label}") + dd`);
}

async function simCounters(): Promise<Record<string, unknown>> {
  return (await (await fetch(`${SIM_URL}/_sim/counters`)).json()) as Record<string, unknown>;
}

async function itemsOf(posted: Charge): Promise<OrderItem[]> {
  const { OrderItems: items } = await mews<{ OrderItems: OrderItem[] }>("orderItems/getAll", {
    ServiceOrderIds: [posted.mews_order_id],
    Limitation: { Count: 100 },
  });
  return items.filter((i) => i.ExternalIdentifier === posted.reference);
}

test.beforeAll(async ({ browser }) => {
  const staff = Api.as("frontDesk");
  const guest = await guestWithReservation(staff, "Clara", uniqueWord("Barton"), {}, { checkedIn: true });
  const demo = await demoVendor();
  const booking = await book(staff, { offering_id: demo.offeringId, guest_id: guest.guestId, stay_id: guest.stayId });
  bookingId = booking.booking_id;
  await staff.post(`/bookings/${bookingId}/confirm`);
  // In house, at the agreed price: the charge goes straight to the guest's bill.
  const fulfilled = await staff.post<{ charge: Charge }>(`/bookings/${bookingId}/fulfil`);
  const manager = Api.as("manager");
  await expect
    .poll(async () => (charge = await manager.get<Charge>(`/charges/${fulfilled.charge.charge_id}`)).state, {
      message: "the charge is posted to the guest's bill in Mews",
      timeout: SYNC_TIMEOUT,
    })
    .toBe("posted");
  managerPage = await pageAs(browser, "manager");
});

test.afterAll(async () => {
  await managerPage?.context().close();
});

test("the front desk sees the posted charge, with no way to cancel it", async ({ browser }) => {
  const page = await pageAs(browser, "frontDesk");
  try {
    await page.goto(`/bookings/${bookingId}`);
    const card = page.getByRole("region", { name: "Charge" });
    await expect(detail(card, "Posting")).toHaveText("posted");
    await expect(card.getByRole("button")).toHaveCount(0);
  } finally {
    await page.context().close();
  }
  const [item] = await itemsOf(charge);
  expect(item?.AccountingState).toBe("Open");
});

test("a manager cancels it with a reason, and the guest's bill in the simulator shows it cancelled", async () => {
  const page = managerPage;
  const before = Number((await simCounters()).order_items_canceled ?? 0);
  await page.goto(`/bookings/${bookingId}`);
  const card = page.getByRole("region", { name: "Charge" });
  await expect(detail(card, "Posting")).toHaveText("posted");

  await card.getByRole("button", { name: `Cancel charge ${DEMO_OFFERING}` }).click();
  const form = card.getByRole("form", { name: `Cancel the charge ${DEMO_OFFERING}` });
  const submit = form.getByRole("button", { name: "Cancel charge" });
  await expect(submit).toBeDisabled(); // the reason first
  await form.getByLabel("Why (kept with the charge, not on the guest's bill)").fill(REASON);
  await expectAccessible(page, "the charge cancellation form");
  await card.scrollIntoViewIfNeeded();
  await screenshot(page, "16-manager-cancels-charge");
  await submit.click();

  // No reload: the live event stream brings the outcome from Mews.
  await expect(detail(card, "Posting")).toContainText(
    `Cancelled, taken off the guest's bill in Mews. Reason: ${REASON}`,
    { timeout: SYNC_TIMEOUT },
  );
  await expect(card.getByRole("button", { name: /Cancel charge/ })).toHaveCount(0);
  const booking = page.getByRole("region", { name: "Booking" });
  await expect(detail(booking, "State")).toContainText("refunded");
  await expectAccessible(page, "the booking page with its charge cancelled");
  await screenshot(page, "17-charge-cancelled-booking-refunded");

  const manager = Api.as("manager");
  const cancelled = await manager.get<Charge>(`/charges/${charge.charge_id}`);
  expect([cancelled.state, cancelled.cancel_method, cancelled.cancel_reason]).toEqual([
    "cancelled",
    "order_items_cancelled",
    REASON,
  ]);
  // The guest's bill in Mews: the item is there, cancelled, by one cancellation.
  const [item, ...others] = await itemsOf(charge);
  expect(others).toHaveLength(0);
  expect(item?.AccountingState).toBe("Canceled");
  expect(item?.CanceledUtc).toBeTruthy();
  const { Bills: bills } = await mews<{ Bills: { OrderItems: OrderItem[] }[] }>("bills/getAll", {
    BillIds: [item?.BillId],
    Extent: { Items: true },
    Limitation: { Count: 1 },
  });
  expect(bills[0]?.OrderItems.find((i) => i.Id === item?.Id)?.AccountingState).toBe("Canceled");
  expect(Number((await simCounters()).order_items_canceled)).toBe(before + 1);
});

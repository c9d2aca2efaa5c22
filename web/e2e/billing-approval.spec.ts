/*
 * Billing controls: a vendor's ad-hoc charge at a price of its own waits for a manager. The
 * vendor sees it waiting, the manager sees it on the dashboard and approves it, and only then
 * is it posted, onto the guest's bill in the simulator. Another one the manager rejects, with
 * a reason the vendor reads.
 */
import { expect, test, type Page } from "@playwright/test";
import {
  Api,
  NOT_KNOWN_YET,
  SYNC_TIMEOUT,
  demoVendor,
  expectAccessible,
  guestWithReservation,
  mews,
  pageAs,
  screenshot,
  uniqueWord,
  type StayingGuest,
} from "./support";

test.describe.configure({ mode: "serial" });

interface Charge {
  charge_id: string;
  state: string;
  reference: string;
  approval_reason: string | null;
  approved_by: string | null;
  mews_order_id: string | null;
}

let guest: StayingGuest;
let approvedCharge: Charge;
let rejectedCharge: Charge;
const stones = `Hot stones (${uniqueWord("ref")})`;
const towels = `Extra towels (${uniqueWord("ref")})`;
/** The vendor's own page stays open from posting the charge to seeing it posted. */
let vendorPage: Page;
let managerPage: Page;

/** `POST /charges` as the vendor, tried again while the vendors service does not know the stay yet. */
async function adHocCharge(body: Record<string, unknown>): Promise<Charge> {
  const vendor = Api.as("vendor");
  let charge: Charge | undefined;
  await expect(async () => {
    try {
      charge = await vendor.post<Charge>("/charges", body);
    } catch (error) {
      if (NOT_KNOWN_YET.test(String(error))) throw error;
      throw new Error(`refused for good: ${String(error)}`);
    }
  }).toPass({ timeout: SYNC_TIMEOUT });
  return charge!;
}

test.beforeAll(async ({ browser }) => {
  const staff = Api.as("frontDesk");
  guest = await guestWithReservation(staff, "Florence", uniqueWord("Nightingale"), {}, { checkedIn: true });
  const demo = await demoVendor();
  const common = { offering_id: demo.offeringId, guest_id: guest.guestId, stay_id: guest.stayId };
  // The offering costs GBP 80.00; the vendor asks 95.00, without a booking.
  approvedCharge = await adHocCharge({ ...common, unit_amount: "95.00", description: stones });
  rejectedCharge = await adHocCharge({ ...common, description: towels });
  vendorPage = await pageAs(browser, "vendor");
  managerPage = await pageAs(browser, "manager");
});

test.afterAll(async () => {
  await vendorPage.context().close();
  await managerPage.context().close();
});

test("the vendor's charges wait for approval, and nothing reaches Mews", async () => {
  expect(approvedCharge.state).toBe("pending_approval");
  expect(approvedCharge.approval_reason).toBe(
    "an ad-hoc charge without a booking; a unit price of GBP 95.00 instead of the offering's GBP 80.00",
  );
  expect(rejectedCharge.state).toBe("pending_approval");

  const page = vendorPage;
  await page.goto("/vendor");
  const charges = page.getByRole("region", { name: "Charges" });
  const row = charges.getByRole("row").filter({ hasText: stones });
  await expect(row).toContainText("pending approval");
  await expect(row).toContainText("Waits for a manager's approval before it goes to the guest's bill");
  await expect(row.getByRole("button")).toHaveCount(0);
  await expectAccessible(page, "the vendor's page with a charge pending approval");
  await row.scrollIntoViewIfNeeded();
  await screenshot(page, "11-vendor-charge-pending-approval");

  const held = await Api.as("vendor").get<Charge>(`/charges/${approvedCharge.charge_id}`);
  expect([held.state, held.mews_order_id]).toEqual(["pending_approval", null]);
});

test("the manager sees the charges on the dashboard and approves one", async () => {
  const page = managerPage;
  await page.goto("/dashboard");
  const awaiting = page.getByRole("region", { name: /^Charges awaiting approval/ });
  const row = awaiting.getByRole("row").filter({ hasText: stones });
  await expect(row).toContainText("pending approval");
  await expect(row).toContainText("a unit price of GBP 95.00 instead of the offering's GBP 80.00");
  await expect(row).toContainText("95.00");
  await expectAccessible(page, "the dashboard with charges awaiting approval");
  await awaiting.scrollIntoViewIfNeeded();
  await screenshot(page, "12-manager-approval");

  await row.getByRole("button", { name: `Approve charge ${stones}` }).click();
  await expect(awaiting.getByRole("row").filter({ hasText: stones })).toHaveCount(0);

  // The other one is rejected, with the reason the vendor will read.
  const other = awaiting.getByRole("row").filter({ hasText: towels });
  await other.getByRole("button", { name: `Reject charge ${towels}` }).click();
  const form = awaiting.getByRole("form", { name: `Reject the charge ${towels}` });
  await form.getByLabel("Reason (the vendor sees it)").fill("Towels are free for in-house guests");
  await expectAccessible(page, "the rejection form");
  await form.getByRole("button", { name: "Reject charge" }).click();
  await expect(awaiting.getByRole("row").filter({ hasText: towels })).toHaveCount(0);

  const manager = Api.as("manager");
  const approved = await manager.get<Charge>(`/charges/${approvedCharge.charge_id}`);
  expect(approved.approved_by).toBe(manager.me.user_id);
});

test("once approved it is posted to the guest's bill in Mews; the rejected one never is", async () => {
  const page = vendorPage; // no reload: the live event stream brings the posting
  const charges = page.getByRole("region", { name: "Charges" });
  await expect(charges.getByRole("row").filter({ hasText: stones })).toContainText("posted", { timeout: SYNC_TIMEOUT });
  const rejected = charges.getByRole("row").filter({ hasText: towels });
  await expect(rejected).toContainText("rejected");
  await expect(rejected).toContainText("Rejected: Towels are free for in-house guests.");
  await screenshot(page, "13-vendor-charge-approved-and-rejected");

  const vendor = Api.as("vendor");
  const posted = await vendor.get<Charge>(`/charges/${approvedCharge.charge_id}`);
  expect(posted.state).toBe("posted");
  const { OrderItems: items } = await mews<{
    OrderItems: { AccountId: string; ExternalIdentifier: string; Amount: { GrossValue: number } }[];
  }>("orderItems/getAll", { ServiceOrderIds: [posted.mews_order_id], Limitation: { Count: 100 } });
  expect(new Set(items.map((i) => i.AccountId))).toEqual(new Set([guest.reservation.AccountId]));
  expect(new Set(items.map((i) => i.ExternalIdentifier))).toEqual(new Set([posted.reference]));

  const never = await vendor.get<Charge>(`/charges/${rejectedCharge.charge_id}`);
  expect([never.state, never.mews_order_id]).toEqual(["rejected", null]);
});

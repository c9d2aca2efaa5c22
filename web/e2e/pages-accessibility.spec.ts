/*
 * Every main page, as the role that uses it: axe-core finds no WCAG 2.0/2.1 A or AA
 * violation once the page has its data, and a screenshot goes to docs/screenshots. Plus the
 * keyboard: the skip link is the first tab stop, and the sign-in form works without a mouse.
 */
import { expect, test, type Page } from "@playwright/test";
import {
  Api,
  DEMO_VENDOR,
  book,
  SYNC_TIMEOUT,
  demoVendor,
  expectAccessible,
  guestWithReservation,
  pageAs,
  screenshot,
  tabTo,
  uniqueWord,
  type Account,
  type StayingGuest,
} from "./support";

let guest: StayingGuest;
let vendorId = "";
let fulfilled = "";
let requested = "";

test.beforeAll(async () => {
  const staff = Api.as("frontDesk");
  const vendor = Api.as("vendor");
  guest = await guestWithReservation(staff, "Mary", uniqueWord("Seacole"), {}, { checkedIn: true });
  const demo = await demoVendor();
  vendorId = demo.vendorId;
  const booking = (quantity: number, notes: string) =>
    book(staff, { offering_id: demo.offeringId, guest_id: guest.guestId, stay_id: guest.stayId, quantity, notes });
  fulfilled = (await booking(1, "After the late check-out, 18:00 if possible")).booking_id;
  await vendor.post(`/bookings/${fulfilled}/confirm`);
  const { charge } = await vendor.post<{ charge: { charge_id: string; state: string } }>(`/bookings/${fulfilled}/fulfil`);
  // Had the check-in not reached the vendors service yet, the charge waits for a manager:
  // the page under test is the posted booking either way.
  if (charge.state === "pending_approval") await Api.as("manager").post(`/charges/${charge.charge_id}/approve`);
  requested = (await booking(2, "Two therapists, side by side")).booking_id;
});

/** The page has its data: nothing is still loading. */
async function settled(page: Page): Promise<void> {
  await expect(page.getByRole("status").filter({ hasText: "Live updates:" })).toHaveText(/Live$/);
  await expect(page.getByText(/^(Loading…|Searching…)$/)).toHaveCount(0);
}

interface MainPage {
  title: string;
  shot: string;
  account: Account;
  path: () => string;
  ready(page: Page): Promise<void>;
}

const PAGES: MainPage[] = [
  {
    title: "the dashboard",
    shot: "02-dashboard",
    account: "admin",
    path: () => "/dashboard",
    ready: async (page) => {
      await expect(page.getByRole("heading", { name: /^Arrivals \(\d/ })).toBeVisible();
      await expect(page.getByRole("heading", { name: /^In house \(\d/ })).toBeVisible();
      await expect(page.getByRole("heading", { name: /^Pending bookings \(\d/ })).toBeVisible();
      await expect(page.getByRole("region", { name: "Sync health" }).getByRole("listitem").first()).toBeVisible();
    },
  },
  {
    title: "the guest search",
    shot: "03-guest-search",
    account: "frontDesk",
    path: () => `/guests?q=${guest.lastName}`,
    ready: async (page) => {
      await expect(page.getByRole("table", { name: "Guests found" }).getByRole("link", { name: guest.name })).toBeVisible();
    },
  },
  {
    title: "the guest page",
    shot: "04-guest",
    account: "frontDesk",
    path: () => `/guests/${guest.guestId}`,
    ready: async (page) => {
      await expect(page.getByRole("heading", { level: 1, name: guest.name })).toBeVisible();
      await expect(page.getByRole("table", { name: "The guest's bookings" }).getByRole("row")).toHaveCount(3);
    },
  },
  {
    title: "the vendors",
    shot: "05-vendors",
    account: "admin",
    path: () => "/vendors",
    ready: async (page) => {
      await expect(page.getByRole("table", { name: "Vendors" }).getByRole("link", { name: DEMO_VENDOR })).toBeVisible();
    },
  },
  {
    title: "a vendor's page (staff)",
    shot: "06-vendor",
    account: "admin",
    path: () => `/vendors/${vendorId}`,
    ready: async (page) => {
      await expect(page.getByRole("heading", { level: 1, name: DEMO_VENDOR })).toBeVisible();
      await expect(page.getByRole("table", { name: "Bookings" })).toBeVisible();
    },
  },
  {
    title: "the vendor's own page",
    shot: "07-own-vendor",
    account: "vendor",
    path: () => "/vendor",
    ready: async (page) => {
      await expect(page.getByRole("heading", { level: 1, name: DEMO_VENDOR })).toBeVisible();
      await expect(page.getByRole("region", { name: "Incoming bookings" }).getByRole("table")).toBeVisible();
    },
  },
  {
    title: "a fulfilled booking",
    shot: "08-booking",
    account: "vendor",
    path: () => `/bookings/${fulfilled}`,
    ready: async (page) => {
      await expect(page.getByRole("heading", { level: 1, name: new RegExp(`for ${guest.name}$`) })).toBeVisible();
      const posting = page.getByRole("region", { name: "Charge" }).locator('dt:text-is("Posting") + dd');
      await expect(posting).toHaveText("posted", { timeout: SYNC_TIMEOUT });
    },
  },
  {
    title: "the sync status",
    shot: "09-sync",
    account: "admin",
    path: () => "/sync",
    ready: async (page) => {
      await expect(page.getByRole("columnheader", { name: "Mews connection" })).toBeVisible();
    },
  },
  {
    title: "the users",
    shot: "10-users",
    account: "admin",
    path: () => "/users",
    ready: async (page) => {
      await expect(page.getByRole("columnheader", { name: "Last sign-in" })).toBeVisible();
      await expect(page.getByRole("cell", { name: "frontdesk@attendandt.local" })).toBeVisible();
    },
  },
];

test("the sign-in page: accessible, usable by keyboard, errors announced", async ({ page }) => {
  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to Attendandt" })).toBeVisible();
  await expectAccessible(page, "the sign-in page");
  await screenshot(page, "01-sign-in");

  // Enter in an empty form: the first invalid field gets the focus and says what is wrong.
  const email = page.getByRole("textbox", { name: "Email" });
  await tabTo(page, email);
  await page.keyboard.press("Enter");
  await expect(email).toBeFocused();
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(email).toHaveAccessibleDescription("Enter your email address.");
  await expectAccessible(page, "the sign-in page showing what is missing");

  // A refused sign-in is announced.
  await page.keyboard.type("frontdesk@attendandt.local");
  await page.keyboard.press("Tab");
  await page.keyboard.type("not-the-password");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expectAccessible(page, "the sign-in page after a refused sign-in");
});

for (const main of PAGES) {
  test(`${main.title}: no WCAG 2 A/AA violations (${main.account})`, async ({ browser }) => {
    const page = await pageAs(browser, main.account);
    await page.goto(main.path());
    await main.ready(page);
    await settled(page);
    await expectAccessible(page, main.title);
    await screenshot(page, main.shot);
    await page.context().close();
  });
}

test("a requested booking with its actions, and the reason form", async ({ browser }) => {
  const page = await pageAs(browser, "vendor");
  await page.goto(`/bookings/${requested}`);
  const actions = page.getByRole("region", { name: "Actions" });
  await expect(actions.getByRole("button", { name: /^Confirm booking/ })).toBeVisible();
  await settled(page);
  await expectAccessible(page, "a requested booking");
  await actions.getByRole("button", { name: /^Decline booking/ }).click();
  await expect(page.getByRole("form", { name: "Decline the booking" }).getByLabel("Reason (optional)")).toBeFocused();
  await expectAccessible(page, "a booking's decline form");
  await page.context().close();
});

test("the skip link is the first tab stop and moves the focus to the page's content", async ({ browser }) => {
  const page = await pageAs(browser, "frontDesk");
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: /^Arrivals \(\d/ })).toBeVisible();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
  await page.context().close();
});

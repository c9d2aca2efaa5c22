/*
 * A service booked for a guest's stay, from the front desk to the guest's bill in Mews: the
 * front desk books (keyboard only), the vendor confirms and fulfils, the charge is posted to
 * the simulator, and another vendor cannot open the booking by its URL.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import {
  Api,
  DEMO_OFFERING,
  DEMO_VENDOR,
  NOT_KNOWN_YET,
  SYNC_TIMEOUT,
  book,
  demoVendor,
  expectAccessible,
  guestWithReservation,
  mews,
  signIn,
  tabTo,
  uniqueWord,
  type StayingGuest,
  type Vendor,
} from "./support";

test.describe.configure({ mode: "serial" });

let guest: StayingGuest;
let demo: { vendorId: string; offeringId: string };
let bookingPath = "";
const notes = `Allergic to almond oil (${uniqueWord("ref")})`;
/** The vendor's page stays open from confirming the booking to seeing its charge posted. */
let vendorPage: Page;

/** The value next to a label in a details list (`<dt>` / `<dd>`). */
function detail(scope: Locator, label: string): Locator {
  return scope.locator(`dt:text-is("${label}") + dd`);
}

test.beforeAll(async ({ browser }) => {
  const staff = Api.as("frontDesk");
  // In house: the vendor's charge for the booking goes straight to the guest's bill.
  guest = await guestWithReservation(staff, "Ada", uniqueWord("Lovelace"), {}, { checkedIn: true });
  demo = await demoVendor();
  vendorPage = await (await browser.newContext()).newPage();
});

test.afterAll(async () => {
  await vendorPage.context().close();
});

test("front desk finds a guest and books a massage for their stay, with the keyboard only", async ({ page }) => {
  await signIn(page, "frontDesk");

  await tabTo(page, page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Guests" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/guests$/);
  await tabTo(page, page.getByRole("searchbox", { name: /Search by name/ }));
  await page.keyboard.type(guest.lastName);
  await page.keyboard.press("Enter");
  const result = page.getByRole("table", { name: "Guests found" }).getByRole("link", { name: guest.name });
  await expect(result).toHaveCount(1);
  await tabTo(page, result);
  await page.keyboard.press("Enter");

  await expect(page.getByRole("heading", { level: 1, name: guest.name })).toBeVisible();
  const stay = page.getByRole("table", { name: "The guest's stays" }).getByRole("row").filter({ hasText: guest.reservation.Number });
  await expect(stay).toBeVisible();
  await tabTo(page, stay.getByRole("button", { name: "Book a service" }));
  await page.keyboard.press("Enter");

  const form = page.getByRole("form", { name: "Book a service" });
  const vendor = form.getByRole("combobox", { name: "Vendor", exact: true });
  await expect(vendor.getByRole("option", { name: `${DEMO_VENDOR} (spa)` })).toBeAttached();
  await tabTo(page, vendor);
  // A closed select picks the option whose label starts with what is typed.
  await page.keyboard.type(DEMO_VENDOR.split(" ")[0]!);
  await expect(vendor).toHaveValue(demo.vendorId);

  const service = form.getByRole("combobox", { name: "Service", exact: true });
  await expect(service.getByRole("option", { name: new RegExp(`^${DEMO_OFFERING}`) })).toBeAttached();
  await tabTo(page, service);
  await page.keyboard.type(DEMO_OFFERING.split(" ")[0]!);
  await expect(service).toHaveValue(demo.offeringId);

  const quantity = form.getByRole("spinbutton", { name: "Quantity" });
  await tabTo(page, quantity);
  await page.keyboard.press("ArrowUp");
  await expect(quantity).toHaveValue("2");

  await tabTo(page, form.getByRole("textbox", { name: "Notes for the vendor" }));
  await page.keyboard.type(notes);
  const submit = form.getByRole("button", { name: "Book", exact: true });
  await tabTo(page, submit);
  await page.keyboard.press("Enter");
  // Right after a reservation arrives the vendors service may not know the stay yet, and says
  // so; the front desk tries again a moment later.
  const notYet = form.getByRole("alert").filter({ hasText: NOT_KNOWN_YET });
  await expect(async () => {
    if (await notYet.isVisible()) await submit.press("Enter");
    await expect(form.getByRole("status")).toHaveText("Booked: the vendor has been asked to confirm.", { timeout: 2000 });
  }).toPass({ timeout: SYNC_TIMEOUT });
  const booked = page.getByRole("table", { name: "The guest's bookings" }).getByRole("row").filter({ hasText: notes });
  await expect(booked).toContainText("requested");
  await expectAccessible(page, "the guest page with the booking form");

  bookingPath = (await booked.getByRole("link", { name: DEMO_OFFERING }).getAttribute("href")) ?? "";
  expect(bookingPath).toMatch(/^\/bookings\/[\w-]+$/);
});

test("the vendor confirms and fulfils the booking", async () => {
  const page = vendorPage;
  await signIn(page, "vendor");
  const incoming = page.getByRole("region", { name: "Incoming bookings" });
  const row = incoming.getByRole("row").filter({ hasText: notes });
  await expect(row).toContainText("requested");
  await row.getByRole("link", { name: DEMO_OFFERING }).click();
  await expect(page).toHaveURL(bookingPath);

  await expect(page.getByRole("heading", { level: 1, name: `${DEMO_OFFERING} for ${guest.name}` })).toBeVisible();
  const booking = page.getByRole("region", { name: "Booking" });
  await expect(detail(booking, "Guest")).toHaveText(guest.name);
  await expect(detail(booking, "Reservation")).toContainText(guest.reservation.Number);
  await expect(detail(booking, "Vendor")).toHaveText(DEMO_VENDOR);
  await expect(detail(booking, "Quantity")).toHaveText("2");
  await expect(detail(booking, "Notes")).toHaveText(notes);
  await expect(detail(booking, "State")).toHaveText("requested");

  await page.getByRole("button", { name: `Confirm booking ${DEMO_OFFERING}` }).click();
  await expect(detail(booking, "State")).toHaveText("confirmed");
  await page.getByRole("button", { name: `Fulfil booking ${DEMO_OFFERING}` }).click();
  await expect(detail(booking, "State")).toHaveText("fulfilled");
  await expect(page.getByRole("region", { name: "Actions" })).toHaveCount(0);
  const charge = page.getByRole("region", { name: "Charge" });
  await expect(detail(charge, "Amount")).toContainText("160.00");
  await expect(detail(charge, "Posting")).toHaveText(/^(pending|posted)/);
});

test("the charge is posted to the guest's bill in Mews", async () => {
  const page = vendorPage; // no reload: the live event stream brings the posting
  const charge = page.getByRole("region", { name: "Charge" });
  await expect(detail(charge, "Posting")).toHaveText("posted", { timeout: SYNC_TIMEOUT });
  const orderId = (await detail(charge, "Mews order").textContent())?.trim() ?? "";
  const reference = (await detail(charge, "Reference").textContent())?.trim() ?? "";
  expect(orderId).toMatch(/^[\w-]{8,}$/);

  // And in Mews: one order item, on the guest's account, carrying the charge's reference.
  const { OrderItems: items } = await mews<{ OrderItems: { AccountId: string; ExternalIdentifier: string }[] }>(
    "orderItems/getAll",
    { ServiceOrderIds: [orderId], Limitation: { Count: 100 } },
  );
  expect(items.length).toBeGreaterThan(0);
  expect(new Set(items.map((i) => i.AccountId))).toEqual(new Set([guest.reservation.AccountId]));
  expect(new Set(items.map((i) => i.ExternalIdentifier))).toEqual(new Set([reference]));
});

test("a vendor cannot open another vendor's booking by its URL", async () => {
  // Another vendor at the same hotel, with a booking for the same stay.
  const admin = Api.as("admin");
  const staff = Api.as("frontDesk");
  const other = await admin.post<Vendor>("/vendors", {
    enterprise_id: staff.me.enterprise_id,
    name: uniqueWord("Harbour Bistro "),
    category: "restaurant",
  });
  // An offering posts to one of the hotel's Mews services: its Restaurant, in its currency.
  const catalogue = await admin.get<{ services: { mews_id: string; name: string }[] }>(
    `/properties/${staff.me.enterprise_id}/catalogue`,
  );
  const restaurant = catalogue.services.find((s) => s.name === "Restaurant");
  expect(restaurant).toBeDefined();
  const dinner = await admin.post<{ offering_id: string }>(`/vendors/${other.vendor_id}/offerings`, {
    name: "Dinner for two",
    unit_price: "95.00",
    mews_service_id: restaurant?.mews_id,
  });
  const secret = `Anniversary surprise (${uniqueWord("ref")})`;
  const theirs = await book(staff, {
    offering_id: dinner.offering_id,
    guest_id: guest.guestId,
    stay_id: guest.stayId,
    quantity: 1,
    notes: secret,
  });

  const page = vendorPage; // signed in as Lagoon Spa's user
  const refused = page.waitForResponse((r) => r.url().endsWith(`/api/v1/bookings/${theirs.booking_id}`));
  await page.goto(`/bookings/${theirs.booking_id}`);
  expect((await refused).status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Booking not found" })).toBeVisible();
  await expect(page.getByText(secret)).toHaveCount(0);
  await expect(page.getByText("Dinner for two")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /booking/ })).toHaveCount(0);
  await expectAccessible(page, "the booking-not-found page");

  // Their vendor page is out of reach too (staff only), and their own booking still opens.
  await page.goto(`/vendors/${other.vendor_id}`);
  await expect(page.getByRole("heading", { level: 1, name: "Not allowed" })).toBeVisible();
  await page.goto(bookingPath);
  await expect(detail(page.getByRole("region", { name: "Booking" }), "Notes")).toHaveText(notes);
});

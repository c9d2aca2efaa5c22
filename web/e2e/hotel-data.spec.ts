/*
 * What the app knows of each hotel from Mews, as staff read it: the hotel's name where an id
 * used to be, its day and clock wherever the browser is, its Mews services and products for a
 * vendor's offerings, and a stay's companions, notes and the state of its room. The expected
 * names and stays come from the API (the simulator's data may change), never from here.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import {
  Api,
  DEMO_VENDOR,
  dayIn,
  demoVendor,
  expectAccessible,
  findStay,
  guestName,
  hotelOf,
  humanize,
  pageAs,
  screenshot,
  type Property,
  type Stay,
} from "./support";

/** Far from any simulated hotel's zone: a date shown in the browser's zone would give itself away. */
const FAR_AWAY = "Pacific/Kiritimati";

async function settled(page: Page): Promise<void> {
  await expect(page.getByRole("status").filter({ hasText: "Live updates:" })).toHaveText(/Live$/);
  await expect(page.getByText(/^(Loading…|Searching…)$/)).toHaveCount(0);
}

/** The room of a stay as the app writes it: "204 (Deluxe King) · Dirty". */
function roomLabel(stay: Stay): string {
  const named = stay.room_category ? `${stay.resource_name} (${stay.room_category})` : `${stay.resource_name}`;
  return stay.room_state ? `${named} · ${humanize(stay.room_state)}` : named;
}

/** A stay's row shows its companions (linked when the app knows them) and its notes. */
async function expectStayDetails(row: Locator, stay: Stay): Promise<void> {
  for (const companion of stay.guests.filter((g) => g.role === "companion")) {
    if (companion.guest_id) {
      await expect(row.getByRole("link", { name: guestName(companion), exact: true })).toHaveAttribute(
        "href",
        `/guests/${companion.guest_id}`,
      );
    } else {
      await expect(row).toContainText(`${guestName(companion)} (companion)`);
    }
  }
  for (const note of stay.notes) {
    await expect(row).toContainText(note.type === "General" ? note.text : `${humanize(note.type)}: ${note.text}`);
  }
  if (stay.resource_name) await expect(row).toContainText(roomLabel(stay));
}

test("the front desk reads its hotel's name and the hotel's day, wherever the browser is", async ({ browser }) => {
  const hotel = await hotelOf("frontDesk");
  const staff = Api.as("frontDesk");
  const page = await pageAs(browser, "frontDesk", { timezoneId: FAR_AWAY });
  await page.goto("/dashboard");
  await expect(page.getByRole("banner")).toContainText(hotel.name);

  const date = page.getByLabel("Date", { exact: true });
  await expect(date).toHaveValue(dayIn(hotel.time_zone));
  await expect(date).toHaveAccessibleDescription(`The hotel's day (${hotel.time_zone})`);

  // Today's in-house guests with the rooms' housekeeping state, as Mews has it.
  const inHouse = await staff.get<{ items: Stay[] }>(
    `/in-house?date=${dayIn(hotel.time_zone)}&timezone=${encodeURIComponent(hotel.time_zone)}&limit=200`,
  );
  const roomed = inHouse.items.find((s) => s.resource_name && s.room_state && s.number);
  expect(roomed, "a guest in house today with a room whose state Mews reports").toBeDefined();
  const region = page.getByRole("region", { name: /^In house \(\d/ });
  const row = region.getByRole("row").filter({ has: page.getByRole("cell", { name: roomed!.number!, exact: true }) });
  await expect(row).toContainText(roomLabel(roomed!));
  await settled(page);
  await expect(page.locator("main")).not.toContainText(hotel.enterprise_id);
  await page.context().close();
});

test("a portfolio-wide admin picks a property by its hotel's name; the sync status names them", async ({ browser }) => {
  const admin = Api.as("admin");
  expect(admin.me.enterprise_id, "the demo admin works across properties").toBeNull();
  const hotels = await admin.get<Property[]>("/properties");
  expect(hotels.length).toBeGreaterThan(0);
  const chosen = await hotelOf("frontDesk");
  const page = await pageAs(browser, "admin");

  await page.goto("/dashboard");
  const picker = page.getByRole("combobox", { name: "Property" });
  for (const hotel of hotels) {
    await expect(picker.getByRole("option", { name: hotel.name, exact: true })).toHaveAttribute("value", hotel.enterprise_id);
  }
  await expect(picker.locator("option:checked")).toHaveText(chosen.name);
  await expect(page.getByRole("region", { name: "Sync health" })).toContainText(chosen.name);
  await settled(page);
  await expect(page.locator("main")).not.toContainText(chosen.enterprise_id);

  await page.goto("/sync");
  const table = page.getByRole("table", { name: "Sync status per property" });
  await expect(table.getByRole("cell", { name: chosen.name, exact: true })).toBeVisible();
  await expect(table.getByRole("button", { name: `Resync ${chosen.name}` })).toBeVisible();
  await settled(page);
  await expect(table).not.toContainText(chosen.enterprise_id);
  await page.context().close();
});

test("a manager links a vendor's service to the hotel's Spa and one of its products", async ({ browser }) => {
  const hotel = await hotelOf("manager");
  const manager = Api.as("manager");
  const catalogue = await manager.get<{
    services: {
      mews_id: string;
      name: string;
      kind: string;
      is_active: boolean;
      products: { mews_id: string; name: string; unit_amount: string | null; is_active: boolean }[];
    }[];
  }>(`/properties/${hotel.enterprise_id}/catalogue`);
  const spa = catalogue.services.find((s) => s.name === "Spa" && s.kind === "additional" && s.is_active);
  expect(spa, `${hotel.name} has an active additional "Spa" service in Mews`).toBeDefined();
  const products = spa!.products.filter((p) => p.is_active);
  const priced = products.find((p) => p.unit_amount !== null);
  expect(priced, "one of the Spa's products has a price").toBeDefined();
  const { vendorId } = await demoVendor();

  const page = await pageAs(browser, "manager");
  await page.goto(`/vendors/${vendorId}`);
  await expect(page.getByRole("heading", { level: 1, name: DEMO_VENDOR })).toBeVisible();
  await page.getByRole("button", { name: "Add service", exact: true }).click();
  const form = page.getByRole("form", { name: "New service" });
  const service = form.getByRole("combobox", { name: "Mews service" });
  // Only the hotel's active additional services: bookable ones (rooms) are not for vendors.
  for (const s of catalogue.services) {
    const option = service.getByRole("option", { name: s.name, exact: true });
    await expect(option).toHaveCount(s.kind === "additional" && s.is_active ? 1 : 0);
  }
  await service.selectOption({ label: "Spa" });

  const product = form.getByRole("combobox", { name: "Mews product" });
  for (const p of products) {
    await expect(product.getByRole("option", { name: new RegExp(`^${p.name}`) })).toHaveCount(1);
  }
  await product.selectOption({ value: priced!.mews_id });
  // The product's price, as the form writes a price ("80.0000" → "80.00").
  const price = form.getByRole("textbox", { name: "Unit price" });
  await expect(price).toHaveValue(/^\d+(\.\d{1,4})?$/);
  expect(Number(await price.inputValue())).toBe(Number(priced!.unit_amount));
  const currency = form.getByRole("textbox", { name: "Currency" });
  await expect(currency).toHaveValue(hotel.default_currency);
  await expect(currency).not.toBeEditable();
  await settled(page);
  await expectAccessible(page, "the offering form with the hotel's services");
  await screenshot(page, "14-offering-form");
  // Not saved: the demo vendor's services stay as the other specs expect them.
  await form.getByRole("button", { name: "Cancel" }).click();
  await expect(form).toHaveCount(0);
  await page.context().close();
});

test("a stay's companions, notes and room state show on the guest's page", async ({ browser }) => {
  const hotel = await hotelOf("frontDesk");
  const staff = Api.as("frontDesk");
  // Its owner's page lists it by its number.
  const linked = (s: Stay) => !!s.number && s.guests.some((g) => g.guest_id && g.role === "owner");
  const withCompanions = await findStay(
    staff,
    hotel.time_zone,
    (s) => linked(s) && s.guests.some((g) => g.role === "companion"),
    "shared with companions",
  );
  const withNotes = await findStay(staff, hotel.time_zone, (s) => linked(s) && s.notes.length > 0, "noted");

  const page = await pageAs(browser, "frontDesk");
  for (const [stay, shot] of [
    [withCompanions, "15-stay-companions-and-notes"],
    [withNotes, null],
  ] as const) {
    const owner = stay.guests.find((g) => g.role === "owner" && g.guest_id)!;
    await page.goto(`/guests/${owner.guest_id}`);
    const stays = page.getByRole("table", { name: "The guest's stays" });
    const row = stays.getByRole("row").filter({ has: page.getByRole("cell", { name: stay.number!, exact: true }) });
    await expect(row).toHaveCount(1);
    await expectStayDetails(row, stay);
    await settled(page);
    await expectAccessible(page, "a guest's stay with its companions and notes");
    if (shot) await screenshot(page, shot);
  }
  await page.context().close();
});

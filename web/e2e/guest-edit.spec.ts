/*
 * Staff change a guest here and Mews gets it: the front desk edits a guest's phone on the
 * guest page, sees it saving then in step, and the simulator holds the new number. A change
 * made in Mews meanwhile to the same field is not overwritten: the page shows both values and
 * the user's choice is what Mews ends up with.
 */
import { expect, test, type Page } from "@playwright/test";
import { Api, SYNC_TIMEOUT, expectAccessible, mews, pageAs, screenshot, sim, uniqueWord } from "./support";

interface Customer {
  Id: string;
  Phone: string | null;
}

/** A guest made by the hotel's staff in Mews, once the app has it. */
async function mewsGuest(staff: Api, lastName: string, phone: string): Promise<{ customerId: string; guestId: string }> {
  const customer = await sim<Customer>("/_sim/customers", {
    enterprise_id: staff.me.enterprise_id,
    FirstName: "Ada",
    LastName: lastName,
    Phone: phone,
  });
  let guestId = "";
  await expect
    .poll(
      async () => {
        try {
          const found = await staff.get<{ items: { guest_id: string }[] }>(`/guests?q=${encodeURIComponent(lastName)}`);
          guestId = found.items[0]?.guest_id ?? "";
        } catch {
          guestId = ""; // a busy moment (the first import still running): ask again
        }
        return guestId !== "";
      },
      { message: `${lastName} reaches the app`, timeout: SYNC_TIMEOUT },
    )
    .toBe(true);
  return { customerId: customer.Id, guestId };
}

async function phoneInMews(customerId: string): Promise<string | null> {
  const found = await mews<{ Customers: Customer[] }>("customers/getAll", {
    CustomerIds: [customerId],
    Extent: { Customers: true },
    Limitation: { Count: 10 },
  });
  return found.Customers[0]?.Phone ?? null;
}

async function openEditForm(page: Page, guestId: string) {
  await page.goto(`/guests/${guestId}`);
  const contact = page.getByRole("region", { name: "Contact" });
  await expect(contact.getByRole("status", { name: "Sync: in step with Mews" })).toBeVisible();
  await contact.getByRole("button", { name: "Edit" }).click();
  return { contact, form: contact.getByRole("form", { name: "Edit guest" }) };
}

test("the front desk edits a guest's phone and Mews has it", async ({ browser }) => {
  const staff = Api.as("frontDesk");
  const { customerId, guestId } = await mewsGuest(staff, uniqueWord("Lovelace"), "+420 111 222 333");
  const page = await pageAs(browser, "frontDesk");
  const { contact, form } = await openEditForm(page, guestId);
  await expect(form.getByLabel("Phone")).toHaveValue("+420 111 222 333");
  await expectAccessible(page, "the guest page's edit form");

  await form.getByLabel("Phone").fill("+44 7700 900123");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(contact.getByRole("status", { name: "Sync: in step with Mews" })).toBeVisible({ timeout: SYNC_TIMEOUT });
  await expect(contact).toContainText("+44 7700 900123");
  await expect.poll(() => phoneInMews(customerId), { timeout: SYNC_TIMEOUT }).toBe("+44 7700 900123");
  await page.context().close();
});

test("a change made in Mews meanwhile is shown beside ours and the user's choice wins", async ({ browser }) => {
  const staff = Api.as("frontDesk");
  const { customerId, guestId } = await mewsGuest(staff, uniqueWord("Babbage"), "+420 111 222 333");
  const page = await pageAs(browser, "frontDesk");
  const { form } = await openEditForm(page, guestId);

  // While the form is open, the hotel's staff change the phone in Mews.
  await sim(`/_sim/customers/${customerId}/update`, { Phone: "+420 999 888 777" });
  await form.getByLabel("Phone").fill("+44 7700 900456");
  await form.getByRole("button", { name: "Save" }).click();

  const waiting = page.getByRole("region", { name: "Waiting for your choice" });
  await expect(waiting).toBeVisible({ timeout: SYNC_TIMEOUT });
  const phone = waiting.getByRole("listitem").filter({ hasText: "Phone" });
  await expect(phone).toContainText("Yours+44 7700 900456");
  await expect(phone).toContainText("In Mews+420 999 888 777");
  await expect(page.getByRole("status", { name: "Sync: conflict" })).toBeVisible();
  expect(await phoneInMews(customerId), "nothing overwritten in Mews").toBe("+420 999 888 777");
  await expectAccessible(page, "the guest page with a conflict");
  await screenshot(page, "guest-conflict");

  await phone.getByRole("button", { name: "Keep yours for Phone" }).click();
  await expect(waiting).toBeHidden({ timeout: SYNC_TIMEOUT });
  const contact = page.getByRole("region", { name: "Contact" });
  await expect(contact.getByRole("status", { name: "Sync: in step with Mews" })).toBeVisible({ timeout: SYNC_TIMEOUT });
  await expect(contact).toContainText("+44 7700 900456");
  await expect.poll(() => phoneInMews(customerId), { timeout: SYNC_TIMEOUT }).toBe("+44 7700 900456");
  await page.context().close();
});

/*
 * A guest's personal data under control: an admin exports everything held about a guest, sees
 * the export in the guest's access log, then erases the guest and follows the request until
 * every part (the guests service, the event streams, the vendors service) has sent its
 * receipt. The guest's name then finds nothing.
 */
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { Api, SYNC_TIMEOUT, expectAccessible, pageAs, sim, uniqueWord } from "./support";

interface Found {
  items: { guest_id: string }[];
}

test("an admin exports and erases a guest and sees the receipts", async ({ browser }) => {
  const staff = Api.as("frontDesk");
  const lastName = uniqueWord("Erasable");
  await sim("/_sim/customers", {
    enterprise_id: staff.me.enterprise_id,
    FirstName: "Greta",
    LastName: lastName,
    Email: `${lastName.toLowerCase()}@guest.test`,
  });
  let guestId = "";
  await expect
    .poll(
      async () => {
        try {
          guestId = (await staff.get<Found>(`/guests?q=${lastName}`)).items[0]?.guest_id ?? "";
        } catch {
          guestId = ""; // a busy moment: ask again
        }
        return guestId !== "";
      },
      { message: `${lastName} reaches the app`, timeout: SYNC_TIMEOUT },
    )
    .toBe(true);

  const page = await pageAs(browser, "admin");
  await page.goto(`/guests/${guestId}`);
  await expect(page.getByRole("heading", { name: `Greta ${lastName}` })).toBeVisible();

  // The export: one JSON document the browser saves, naming the guest.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export guest data" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`guest-${guestId}.json`);
  const exported = await readFile((await download.path())!, "utf8");
  expect(exported).toContain(lastName);

  // The access log says the admin exported it.
  await page.reload();
  const log = page.getByRole("table", { name: "Access log" });
  await expect(log.getByRole("row").filter({ hasText: "Exported the data" })).toHaveCount(1);

  // The erasure: a reason, then the request's page with its receipts.
  await page.getByRole("button", { name: "Erase guest" }).click();
  const dialog = page.getByRole("dialog", { name: `Erase Greta ${lastName}?` });
  await expectAccessible(page, "the erase dialog");
  await dialog.getByLabel("Reason").fill("the guest asked by email");
  await dialog.getByRole("button", { name: "Erase" }).click();

  await expect(page.getByRole("heading", { name: /^Erasure of / })).toBeVisible();
  await expect(page.getByText("Every part has answered.")).toBeVisible({ timeout: SYNC_TIMEOUT });
  await expect(page.getByRole("status", { name: "Erasure done" })).toBeVisible();
  const receipts = page.getByRole("table", { name: "Receipts" });
  for (const part of ["guests", "event-streams", "vendors"]) {
    const row = receipts.getByRole("row").filter({ has: page.getByRole("cell", { name: part, exact: true }) });
    await expect(row.getByText("done", { exact: true })).toBeVisible();
  }
  await expect(page.getByRole("main")).not.toContainText(lastName);

  // The list of erasures has it, done.
  await page.getByRole("link", { name: "Erasures" }).first().click();
  await expect(page.getByRole("table", { name: "Erasure requests" })).toBeVisible();

  // Searching the name finds nothing any more.
  expect((await staff.get<Found>(`/guests?q=${lastName}`)).items).toEqual([]);
  await page.context().close();
});

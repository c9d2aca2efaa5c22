/*
 * The dashboard follows Mews live: a reservation moved in the simulator to arrive today
 * shows up among today's arrivals while the page stays open, also in the middle of a burst
 * of other changes (a backfill, a busy morning), without a refetch per event.
 */
import { expect, test, type Browser, type Page } from "@playwright/test";
import { Api, SYNC_TIMEOUT, guestWithReservation, pageAs, sim, uniqueWord, type StayingGuest } from "./support";

/** An instant as Mews writes it (no fractional seconds). */
function mewsTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A guest due in five days, and the front desk's dashboard open on today without them. */
async function dashboardBeforeTheChange(browser: Browser, lastName: string) {
  const staff = Api.as("frontDesk");
  const inFiveDays = new Date(Date.now() + 5 * 24 * 3600_000);
  const guest = await guestWithReservation(staff, "Grace", lastName, { start_utc: mewsTime(inFiveDays) });
  const page = await pageAs(browser, "frontDesk");
  await page.goto("/dashboard");
  await expect(page.getByRole("status").filter({ hasText: "Live updates:" })).toHaveText(/Live$/);
  const arrivals = page.getByRole("region", { name: /^Arrivals/ });
  await expect(arrivals.getByRole("heading")).toHaveText(/^Arrivals \(\d+\+?\)$/);
  await expect(arrivals.getByRole("link", { name: guest.name })).toHaveCount(0);
  return { guest, page, arrivals, loaded: await page.evaluate(() => performance.timeOrigin) };
}

/** At the front desk in Mews: the guest arrives today after all (the room is chosen later). */
async function arrivesToday(guest: StayingGuest): Promise<void> {
  // Often within the second the reservation was made: Mews then stamps this change with the
  // same (whole-second) UpdatedUtc, and it must still arrive.
  await sim(`/_sim/reservations/${guest.reservation.Id}/update`, {
    ScheduledStartUtc: mewsTime(new Date()),
    AssignedResourceId: null,
  });
}

async function expectNotReloaded(page: Page, loaded: number): Promise<void> {
  expect(await page.evaluate(() => performance.timeOrigin), "the page was not reloaded").toBe(loaded);
}

test("a reservation changed in Mews appears on the dashboard without a reload", async ({ browser }) => {
  const { guest, page, arrivals, loaded } = await dashboardBeforeTheChange(browser, uniqueWord("Hopper"));
  await arrivesToday(guest);

  const row = arrivals.getByRole("row").filter({ has: page.getByRole("link", { name: guest.name }) });
  await expect(row).toBeVisible({ timeout: SYNC_TIMEOUT });
  await expect(row).toContainText(guest.reservation.Number);
  await expectNotReloaded(page, loaded);
  await page.context().close();
});

test("the dashboard keeps up while a burst of changes streams in", async ({ browser }) => {
  const { guest, page, arrivals, loaded } = await dashboardBeforeTheChange(browser, uniqueWord("Hopper"));
  const refetches: number[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/v1/arrivals") refetches.push(Date.now());
  });

  // Hundreds of reservations change at once (each one an event on the live stream), and ours
  // among them.
  const started = Date.now();
  const enterpriseId = Api.as("frontDesk").me.enterprise_id;
  await sim("/_sim/bulk/touch", { entity: "reservations", count: 200, enterprise_id: enterpriseId });
  await arrivesToday(guest);

  const row = arrivals.getByRole("row").filter({ has: page.getByRole("link", { name: guest.name }) });
  await expect(row).toBeVisible({ timeout: SYNC_TIMEOUT });
  await expectNotReloaded(page, loaded);
  // The events are coalesced: a few refetches a second at most, not one per event.
  const seconds = (Date.now() - started) / 1000;
  expect(refetches.length, `arrivals fetched ${refetches.length} times in ${seconds.toFixed(1)} s`).toBeLessThanOrEqual(
    Math.ceil(seconds * 4) + 2,
  );
  await page.context().close();
});

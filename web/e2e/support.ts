/*
 * Shared by the end-to-end specs: the demo accounts, signing in through the form, the
 * gateway's API and the Mews simulator's control API for setting scenes, axe-core checks
 * and page screenshots.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type BrowserContextOptions, type Locator, type Page } from "@playwright/test";

export const BASE_URL = process.env.BASE_URL ?? "http://127.0.0.1:8000";
export const SIM_URL = process.env.SIM_URL ?? "http://127.0.0.1:8765";

/** The accounts `attendandt dev` seeds, each with its own password. */
export const ACCOUNTS = {
  admin: "admin@attendandt.local",
  frontDesk: "frontdesk@attendandt.local",
  manager: "manager@attendandt.local",
  vendor: "spa@attendandt.local",
} as const;
export type Account = keyof typeof ACCOUNTS;

/** Where `make run` keeps each account's random password (its .devdata). */
const DEVDATA = process.env.E2E_DEVDATA ?? fileURLToPath(new URL("../../.devdata/", import.meta.url));
const PASSWORD_FILES: Record<Account, string> = {
  admin: "admin-password",
  frontDesk: "frontdesk-password",
  manager: "manager-password",
  vendor: "vendor-password",
};

function passwordOf(account: Account): string {
  // The admin's may come from ATTENDANDT_DEV_ADMIN_PASSWORD rather than a file.
  if (account === "admin" && process.env.E2E_PASSWORD) return process.env.E2E_PASSWORD;
  const file = join(DEVDATA, PASSWORD_FILES[account]);
  if (!existsSync(file)) {
    throw new Error(`No password for ${ACCOUNTS[account]}: set E2E_DEVDATA to the .devdata of \`make run\` (${file} is missing).`);
  }
  return readFileSync(file, "utf8").trim();
}

export const PASSWORDS: Record<Account, string> = {
  admin: passwordOf("admin"),
  frontDesk: passwordOf("frontDesk"),
  manager: passwordOf("manager"),
  vendor: passwordOf("vendor"),
};

export const DEMO_VENDOR = "Lagoon Spa";
export const DEMO_OFFERING = "Massage 60 min";

/** Waits for what the Mews simulator does to reach the app (about a second or two). */
export const SYNC_TIMEOUT = 45_000;

const SHOTS = process.env.SCREENSHOT_DIR ?? fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));

/** A short suffix that keeps this run's names apart from earlier runs' (letters only, so a
 * guest search finds it as one word). */
export function uniqueWord(prefix: string): string {
  const letters = Date.now()
    .toString(26)
    .split("")
    .map((c) => String.fromCharCode(97 + parseInt(c, 26)))
    .join("");
  return `${prefix}${letters.slice(-7)}`;
}

// --- the browser ---------------------------------------------------------------------------

/** The gateway's window for sign-ins per client (LOGIN_RATE_LIMIT_PER_MINUTE), plus slack. */
export const LIMIT_WINDOW_MS = 65_000;

/** Sign in through the form, submitting it with Enter. */
export async function signIn(page: Page, account: Account): Promise<void> {
  await page.goto("/sign-in");
  const password = page.getByLabel("Password");
  await page.getByLabel("Email").fill(ACCOUNTS[account]);
  await password.fill(PASSWORDS[account]);
  await password.press("Enter");
  const home = account === "vendor" ? /\/vendor$/ : /\/dashboard$/;
  // A quick second run may meet the gateway's sign-in limit: try again in its next window.
  const limited = page.getByRole("alert").filter({ hasText: "Too Many Requests" });
  await expect(async () => {
    if (await limited.isVisible()) await password.press("Enter");
    await expect(page).toHaveURL(home, { timeout: 5000 });
  }).toPass({ timeout: LIMIT_WINDOW_MS, intervals: [5000] });
  await expect(page.getByRole("status").filter({ hasText: "Live updates:" })).toHaveText(/Live$/);
}

/**
 * A new browser context already signed in as `account` (its session in sessionStorage, as
 * the sign-in form leaves it) with the hotel's property chosen for portfolio-wide users.
 * `options` set up the context (another time zone for the browser, say).
 */
export async function pageAs(browser: Browser, account: Account, options: BrowserContextOptions = {}): Promise<Page> {
  const pair = session(account);
  const enterpriseId = session("frontDesk").user.enterprise_id;
  const context = await browser.newContext(options);
  await context.addInitScript(
    ({ pair, enterpriseId }) => {
      if (!sessionStorage.getItem("attendandt.session")) {
        const state = {
          kind: "legacy",
          accessToken: pair.access_token,
          refreshToken: pair.refresh_token,
          expiresAt: Date.now() + pair.expires_in * 1000,
          user: pair.user,
        };
        sessionStorage.setItem("attendandt.session", JSON.stringify({ state, version: 0 }));
      }
      if (!localStorage.getItem("attendandt.preferences")) {
        localStorage.setItem("attendandt.preferences", JSON.stringify({ state: { enterpriseId }, version: 1 }));
      }
    },
    { pair, enterpriseId },
  );
  return context.newPage();
}

/** Press Tab until `target` has the focus (at most `limit` times): it is reachable by keyboard. */
export async function tabTo(page: Page, target: Locator, limit = 40): Promise<void> {
  const handle = await target.elementHandle();
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((el) => el === document.activeElement, handle)) return;
  }
  throw new Error(`${String(target)} was not reached with ${limit} presses of Tab`);
}

/** The axe-core rules of WCAG 2.0, 2.1 and 2.2, levels A and AA. */
const WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

/** axe-core over the whole page: no WCAG 2 level A or AA violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_A_AA).analyze();
  const found = results.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? "?"}): ${v.help}\n` +
      v.nodes.map((n) => `    ${n.target.join(" ")}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`).join("\n"),
  );
  expect(found, `accessibility violations on ${what}`).toEqual([]);
}

/** A screenshot of what the window shows, under docs/screenshots (the README shows them). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // Nothing focused or hovered, and no caret, so the pictures are of the page itself.
  await page.mouse.move(0, 0);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(SHOTS, `${name}.png`), caret: "hide", animations: "disabled" });
}

// --- the gateway's API ---------------------------------------------------------------------

export interface Me {
  user_id: string;
  role: string;
  vendor_id: string | null;
  enterprise_id: string | null;
}

interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  user: Me;
}

/** The session `global-setup.ts` signed `account` in with. */
function session(account: Account): TokenPair {
  const sessions = JSON.parse(process.env.E2E_SESSIONS ?? "{}") as Partial<Record<Account, TokenPair>>;
  const pair = sessions[account];
  if (!pair) throw new Error(`no session for ${account}: global-setup.ts did not run`);
  return pair;
}

export class Api {
  private constructor(
    private readonly token: string,
    readonly me: Me,
  ) {}

  static as(account: Account): Api {
    const pair = session(account);
    return new Api(pair.access_token, pair.user);
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${BASE_URL}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>("POST", path, body);
  }
}

interface ListPage<T> {
  items: T[];
}

/** A hotel as `GET /properties` describes it. */
export interface Property {
  enterprise_id: string;
  name: string;
  short_name: string | null;
  time_zone: string;
  default_currency: string;
  pricing: "gross" | "net";
}

/** The hotel `account` works at (the front desk's, for portfolio-wide accounts). */
export async function hotelOf(account: Account): Promise<Property> {
  const api = Api.as(account);
  const enterpriseId = api.me.enterprise_id ?? session("frontDesk").user.enterprise_id;
  const hotel = (await api.get<Property[]>("/properties")).find((p) => p.enterprise_id === enterpriseId);
  if (!hotel) throw new Error(`GET /properties as ${ACCOUNTS[account]} does not list ${enterpriseId}`);
  return hotel;
}

/** Today's date (YYYY-MM-DD) in an IANA time zone, `days` later. */
export function dayIn(timeZone: string, days = 0): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone }).format(new Date(Date.now() + days * 86_400_000));
}

/** A Mews name as the app writes it ("OutOfService" → "Out of service"). */
export function humanize(value: string): string {
  const words = value.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface StayGuest {
  role: "owner" | "companion";
  guest_id: string | null;
  first_name: string | null;
  last_name: string | null;
}

/** A stay in the staff view of the day lists. */
export interface Stay {
  stay_id: string;
  number: string | null;
  state: string;
  resource_name: string | null;
  room_state: string | null;
  room_category?: string | null;
  guests: StayGuest[];
  notes: { text: string; type: string }[];
}

export function guestName(g: StayGuest): string {
  return [g.first_name, g.last_name].filter(Boolean).join(" ") || "—";
}

/**
 * The first stay `wanted` accepts among the hotel's arrivals from a week ago to a fortnight
 * ahead (the hotel's days), read through the API as `staff` sees them.
 */
export async function findStay(staff: Api, timeZone: string, wanted: (stay: Stay) => boolean, what: string): Promise<Stay> {
  for (let days = -7; days <= 14; days++) {
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ date: dayIn(timeZone, days), timezone: timeZone, limit: "200" });
      if (cursor) query.set("cursor", cursor);
      const page: { items: Stay[]; next_cursor?: string | null } = await staff.get(`/arrivals?${query}`);
      const found = page.items.find(wanted);
      if (found) return found;
      cursor = page.next_cursor ?? null;
    } while (cursor);
  }
  throw new Error(`no arrival from a week ago to a fortnight ahead is ${what}: the simulator's data should have one`);
}

export interface Booking {
  booking_id: string;
  state: string;
  charge_id: string | null;
}

export interface Vendor {
  vendor_id: string;
  name: string;
}

// --- the Mews simulator --------------------------------------------------------------------

export async function sim<T>(path: string, body: unknown = {}): Promise<T> {
  const response = await fetch(`${SIM_URL}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A Connector API call with the first property's demo tokens (what the app reads from). */
export async function mews<T>(operation: string, body: Record<string, unknown>): Promise<T> {
  const info = (await (await fetch(`${SIM_URL}/_sim/info`)).json()) as {
    enterprises: { tokens: { client_token: string; access_token: string }[] }[];
  };
  const token = info.enterprises[0]?.tokens[0];
  if (!token) throw new Error("the simulator lists no tokens");
  return sim<T>(`/api/connector/v1/${operation}`, {
    ClientToken: token.client_token,
    AccessToken: token.access_token,
    Client: "Attendandt e2e 1.0.0",
    ...body,
  });
}

export interface Reservation {
  Id: string;
  AccountId: string;
  Number: string;
  UpdatedUtc: string;
}

export interface StayingGuest {
  firstName: string;
  lastName: string;
  name: string;
  guestId: string;
  stayId: string;
  reservation: Reservation;
}

/**
 * A new guest with a reservation made at the hotel (in the simulator), once the app has it:
 * found by name, with the stay linked to the guest.
 */
export async function guestWithReservation(
  staff: Api,
  firstName: string,
  lastName: string,
  reservation: { start_utc?: string; state?: string } = {},
  { checkedIn = false }: { checkedIn?: boolean } = {},
): Promise<StayingGuest> {
  const enterpriseId = staff.me.enterprise_id;
  const customer = await sim<{ Id: string }>("/_sim/customers", {
    enterprise_id: enterpriseId,
    FirstName: firstName,
    LastName: lastName,
  });
  const made = await sim<Reservation>("/_sim/reservations", {
    enterprise_id: enterpriseId,
    customer_id: customer.Id,
    state: "Confirmed",
    ...reservation,
  });
  let found: { guestId: string; stayId: string } | null = null;
  await expect
    .poll(
      async () => {
        const guests = await staff.get<ListPage<{ guest_id: string }>>(`/guests?q=${encodeURIComponent(lastName)}`);
        const guest = guests.items[0];
        if (!guest) return false;
        const detail = await staff.get<{ stays: { stay_id: string; mews_id: string; state: string }[] }>(
          `/guests/${guest.guest_id}`,
        );
        const stay = detail.stays.find((s) => s.mews_id === made.Id);
        found = stay ? { guestId: guest.guest_id, stayId: stay.stay_id } : null;
        return found !== null;
      },
      { message: `the simulator's reservation for ${lastName} reaches the app`, timeout: SYNC_TIMEOUT },
    )
    .toBe(true);
  if (checkedIn) {
    // Checked in once the app knows the guest and the stay (Mews state Started): a vendor's
    // charge for a stay in house goes straight to the guest's bill; for one not yet arrived
    // it waits for a manager's approval.
    await sim(`/_sim/reservations/${made.Id}/start`);
    await expect
      .poll(
        async () => {
          const detail = await staff.get<{ stays: { stay_id: string; state: string }[] }>(`/guests/${found!.guestId}`);
          return detail.stays.find((s) => s.stay_id === found!.stayId)?.state;
        },
        { message: `${lastName}'s check-in reaches the app`, timeout: SYNC_TIMEOUT },
      )
      .toBe("started");
  }
  const { guestId, stayId } = found!;
  return { firstName, lastName, name: `${firstName} ${lastName}`, guestId, stayId, reservation: made };
}

/**
 * The vendors service learns of a stay (and who is on it) from the guests service's events, a
 * moment after the guests service has it; until then a booking for it is refused with one of
 * these, and may be tried again.
 */
export const NOT_KNOWN_YET = /is not known \(yet\)|is not a guest of stay/;

/** `POST /bookings`, tried again while the vendors service does not know the stay yet. */
export async function book(staff: Api, body: Record<string, unknown>): Promise<Booking> {
  let booking: Booking | undefined;
  let refused: unknown;
  await expect(async () => {
    try {
      booking = await staff.post<Booking>("/bookings", body);
    } catch (error) {
      if (!NOT_KNOWN_YET.test(String(error))) refused = error;
      else throw error;
    }
  }).toPass({ timeout: SYNC_TIMEOUT });
  if (refused !== undefined || booking === undefined) throw refused;
  return booking;
}

/** The demo vendor (Lagoon Spa) and its offering, as its own user sees them. */
export async function demoVendor(): Promise<{ vendorId: string; offeringId: string }> {
  const vendor = Api.as("vendor");
  const vendorId = vendor.me.vendor_id;
  if (!vendorId) throw new Error(`${ACCOUNTS.vendor} is not linked to a vendor`);
  const offerings = await vendor.get<ListPage<{ offering_id: string; name: string }>>(`/vendors/${vendorId}/offerings`);
  const offering = offerings.items.find((o) => o.name === DEMO_OFFERING);
  if (!offering) throw new Error(`${DEMO_VENDOR} has no "${DEMO_OFFERING}"`);
  return { vendorId, offeringId: offering.offering_id };
}

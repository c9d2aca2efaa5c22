import { describe, expect, it } from "vitest";
import { browserZone, formatDate, formatDateTime, hotelInputToIso, humanize, monthStartIn, nextDay, todayIn } from "./format";

describe("the hotel's clock", () => {
  it("reads a wall time typed for the hotel as the instant it names there", () => {
    expect(hotelInputToIso("2026-07-01T14:30", "Europe/London")).toBe("2026-07-01T13:30:00.000Z");
    expect(hotelInputToIso("2026-12-03T14:30", "Europe/London")).toBe("2026-12-03T14:30:00.000Z");
    expect(hotelInputToIso("2026-12-03", "America/New_York")).toBe("2026-12-03T05:00:00.000Z");
    expect(hotelInputToIso("2026-12-03T09:00", "Asia/Kolkata")).toBe("2026-12-03T03:30:00.000Z");
    expect(hotelInputToIso("", "Europe/London")).toBeNull();
    expect(hotelInputToIso("soon", "Europe/London")).toBeNull();
  });

  it("takes the first of a wall time a clock change repeats, and moves one it skips forward", () => {
    // London: clocks go back at 02:00 BST on 25 Oct 2026 (01:30 happens twice)…
    expect(hotelInputToIso("2026-10-25T01:30", "Europe/London")).toBe("2026-10-25T00:30:00.000Z");
    // …and forward at 01:00 GMT on 29 Mar 2026 (01:30 never happens; 02:30 BST does).
    expect(hotelInputToIso("2026-03-29T01:30", "Europe/London")).toBe("2026-03-29T01:30:00.000Z");
    expect(hotelInputToIso("2026-03-29T03:00", "Europe/London")).toBe("2026-03-29T02:00:00.000Z");
  });

  it("knows the hotel's today, which is not the browser's", () => {
    const now = new Date("2026-12-03T02:00:00Z");
    expect(browserZone()).toBe("Asia/Tokyo"); // see vite.config.ts
    expect(todayIn("America/New_York", now)).toBe("2026-12-02");
    expect(todayIn("Asia/Tokyo", now)).toBe("2026-12-03");
    expect(monthStartIn("America/New_York", new Date("2026-12-01T03:00:00Z"))).toBe("2026-11-01");
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
    expect(nextDay("2028-02-28")).toBe("2028-02-29");
  });

  it("shows an instant in the hotel's zone, and a calendar date as it is", () => {
    const at = "2026-12-03T02:00:00Z";
    const newYork = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: "America/New_York" });
    expect(formatDateTime(at, "America/New_York")).toBe(newYork.format(new Date(at)));
    expect(formatDateTime(at, "America/New_York")).not.toBe(formatDateTime(at));
    // A birth date is the same day everywhere.
    const utc = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });
    expect(formatDate("1990-05-01", "America/Los_Angeles")).toBe(utc.format(new Date("1990-05-01T00:00:00Z")));
    expect(formatDate(null)).toBe("—");
    // A zone the browser does not know falls back to the browser's rather than failing.
    expect(formatDateTime(at, "Not/AZone")).toBe(formatDateTime(at));
  });

  it("writes Mews names for people", () => {
    expect(humanize("OutOfService")).toBe("Out of service");
    expect(humanize("SpecialRequest")).toBe("Special request");
    expect(humanize("Dirty")).toBe("Dirty");
  });
});

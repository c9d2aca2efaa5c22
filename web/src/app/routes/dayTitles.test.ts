import { describe, expect, it } from "vitest";
import { dayListTitle } from "./dayTitles";

describe("dayListTitle", () => {
  it("names today's lists as the front desk does", () => {
    expect(dayListTitle("arrivals", "2026-12-03", "2026-12-03")).toBe("Arrivals");
    expect(dayListTitle("in-house", "2026-12-03", "2026-12-03")).toBe("In house");
    expect(dayListTitle("departures", "2026-12-03", "2026-12-03")).toBe("Departures");
  });

  it("says a past in-house list is that night's and a future one is expected", () => {
    expect(dayListTitle("in-house", "2026-12-02", "2026-12-03")).toBe("In house that night");
    expect(dayListTitle("in-house", "2026-12-04", "2026-12-03")).toBe("Expected in house");
    expect(dayListTitle("arrivals", "2026-12-04", "2026-12-03")).toBe("Arrivals due");
    expect(dayListTitle("departures", "2026-11-30", "2026-12-03")).toBe("Departures");
    expect(dayListTitle("departures", "2027-01-01", "2026-12-03")).toBe("Departures due");
  });
});

import { describe, expect, it } from "vitest";
import {
  billKeys,
  bookingKeys,
  chargeKeys,
  dayListKeys,
  erasureKeys,
  guestKeys,
  offeringKeys,
  propertyKeys,
  settlementKeys,
  stayKeys,
  userKeys,
  vendorKeys,
} from "./queryKeys";

function startsWith(key: readonly unknown[], prefix: readonly unknown[]): boolean {
  return prefix.every((part, i) => key[i] === part);
}

describe("query keys", () => {
  it("start with their family's prefix, so invalidating the prefix reaches every one", () => {
    const families: [readonly unknown[], (readonly unknown[])[]][] = [
      [guestKeys.all, [guestKeys.search("e", "ann")]],
      [guestKeys.details, [guestKeys.detail("e", "g-1")]],
      [dayListKeys.all, [dayListKeys.list("arrivals", "e", "2026-12-03", "Europe/Prague")]],
      [stayKeys.all, [stayKeys.detail("e", "s-1")]],
      [billKeys.all, [billKeys.detail("e", "s-1")]],
      [bookingKeys.all, [bookingKeys.list({ guest_id: "g-1" }), bookingKeys.detail("b-1")]],
      [chargeKeys.all, [chargeKeys.list({}), chargeKeys.detail("c-1")]],
      [vendorKeys.all, [vendorKeys.list("e", true)]],
      [vendorKeys.details, [vendorKeys.detail("v-1")]],
      [offeringKeys.all, [offeringKeys.list("v-1", false), offeringKeys.detail("o-1")]],
      [settlementKeys.all, [settlementKeys.period("v-1", "a", "b")]],
      [userKeys.all, [userKeys.list({ limit: 200 })]],
      [propertyKeys.all, [propertyKeys.catalogue("e")]],
      [erasureKeys.all, [erasureKeys.list(null, null, 0)]],
      [erasureKeys.details, [erasureKeys.detail("r-1")]],
    ];
    for (const [prefix, keys] of families) {
      for (const key of keys) expect(startsWith(key, prefix), JSON.stringify(key)).toBe(true);
    }
  });

  it("keep one guest apart from the search pages and one vendor apart from the lists", () => {
    expect(startsWith(guestKeys.detail("e", "g-1"), guestKeys.all)).toBe(false);
    expect(startsWith(vendorKeys.detail("v-1"), vendorKeys.all)).toBe(false);
  });
});

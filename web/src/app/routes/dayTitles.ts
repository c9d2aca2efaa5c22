import type { DayKind } from "../../features/guests/api";

/**
 * A day list's title for `date` seen from the hotel's `today` (both local ISO dates). The lists
 * mean different things for other days (the guests service's day_lists module): in house is
 * who is checked in tonight, who was that night in the past, and who is expected in future.
 */
export function dayListTitle(kind: DayKind, date: string, today: string): string {
  const when = date < today ? "past" : date > today ? "future" : "today";
  if (kind === "arrivals") return when === "future" ? "Arrivals due" : "Arrivals";
  if (kind === "departures") return when === "future" ? "Departures due" : "Departures";
  if (when === "past") return "In house that night";
  if (when === "future") return "Expected in house";
  return "In house";
}

/*
 * Dates and times are the hotel's: every function that shows or reads one takes the hotel's
 * IANA time zone (from its property, see lib/hotel.ts). Without one (the property is
 * not known yet) they fall back to the browser's zone.
 */

/** The browser's IANA time zone (a fallback only: people read the hotel's). */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Whether `zone` is an IANA time zone this browser knows. */
export function isTimeZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(key: string, options: Intl.DateTimeFormatOptions, locale?: string): Intl.DateTimeFormat {
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, found);
  }
  return found;
}

function zoneOrUndefined(timeZone: string | null | undefined): string | undefined {
  return isTimeZone(timeZone) ? timeZone : undefined;
}

/** An instant as the hotel's wall time ("3 Dec 2026, 14:00"). */
export function formatDateTime(value: string | null | undefined, timeZone?: string | null): string {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const zone = zoneOrUndefined(timeZone);
  return formatter(`dt:${zone ?? ""}`, { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(d);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date: a calendar date (YYYY-MM-DD, such as a birth date) as it is, whatever the zone; an
 * instant as the hotel's date.
 */
export function formatDate(value: string | null | undefined, timeZone?: string | null): string {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const zone = DATE_ONLY.test(value) ? "UTC" : zoneOrUndefined(timeZone);
  return formatter(`d:${zone ?? ""}`, { dateStyle: "medium", timeZone: zone }).format(d);
}

export function formatMoney(amount: string, currency: string): string {
  const n = Number(amount);
  if (Number.isNaN(n)) return `${amount} ${currency}`;
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(n);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** A line's total (quantity × unit amount, decimal strings) for `formatMoney`. */
export function lineTotal(unitAmount: string, quantity: number): string {
  const n = Number(unitAmount) * quantity;
  return Number.isNaN(n) ? unitAmount : n.toFixed(4);
}

/** "£160.00 (2 × £80.00)": what a line costs in all, and how it is made up. */
export function formatLine(unitAmount: string, quantity: number, currency: string): string {
  const total = formatMoney(lineTotal(unitAmount, quantity), currency);
  return quantity === 1 ? total : `${total} (${quantity} × ${formatMoney(unitAmount, currency)})`;
}

export function fullName(p: { first_name?: string | null; last_name?: string | null }): string {
  return [p.first_name, p.last_name].filter(Boolean).join(" ") || "—";
}

/** Today's date (YYYY-MM-DD) in an IANA time zone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

/** The first day of the current month (YYYY-MM-DD) in an IANA time zone. */
export function monthStartIn(timeZone: string, now: Date = new Date()): string {
  return `${todayIn(timeZone, now).slice(0, 8)}01`;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTimeAt(instant: number, timeZone: string): WallTime {
  const parts = formatter(`parts:${timeZone}`, {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }, "en-US").formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute"), second: get("second") };
}

/** How far `timeZone` is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const w = wallTimeAt(whole, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole;
}

/**
 * The instant a wall time in `timeZone` names. A wall time a clock change repeats is its
 * first occurrence; one a change skips moves forward by the change (02:30 on a spring-forward
 * night is 03:30), as people read it.
 */
function zonedToInstant(w: WallTime, timeZone: string): number {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  // At most one change a day: the offsets a day before and a day after are the candidates.
  const before = offsetAt(asUtc - 86_400_000, timeZone);
  const after = offsetAt(asUtc + 86_400_000, timeZone);
  const valid = [before, after].map((o) => asUtc - o).filter((t) => asUtc - t === offsetAt(t, timeZone));
  return valid.length ? Math.min(...valid) : asUtc - before;
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * A wall time typed for the hotel (a `datetime-local` value, or a date for its midnight) as
 * an ISO 8601 instant; null when empty or not a time.
 */
export function hotelInputToIso(value: string, timeZone: string | null | undefined): string | null {
  const m = LOCAL_INPUT.exec(value.trim());
  if (!m) return null;
  const w: WallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
  const zone = isTimeZone(timeZone) ? timeZone : browserZone();
  const instant = zonedToInstant(w, zone);
  return Number.isNaN(instant) ? null : new Date(instant).toISOString();
}

/** The day after a date (YYYY-MM-DD), as a date. */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** A Mews name written in CamelCase for people ("OutOfService" → "Out of service"). */
export function humanize(value: string): string {
  const words = value.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Every React Query key in the app, one factory per resource. A key starts with the resource
 * it reads, so a prefix (`.all`, `.details`) invalidates the whole family: mutations and the
 * live events (`api/events.ts`) refresh through these, and features that read another's
 * resource share its cache. The keys live here, not in a feature, because they are the
 * contract between the features that read a resource and those that change it.
 */
export const guestKeys = {
  /** Search pages. */
  all: ["guests"] as const,
  search: (enterpriseId: string | null, q: string) => [...guestKeys.all, enterpriseId, q] as const,
  /** One guest (its profile, stays and bookings as the gateway shows them). */
  details: ["guest"] as const,
  detail: (enterpriseId: string | null, guestId: string) => [...guestKeys.details, enterpriseId, guestId] as const,
};

export const dayListKeys = {
  all: ["stays"] as const,
  list: (kind: string, enterpriseId: string | null, date: string, timeZone: string | null) =>
    [...dayListKeys.all, kind, enterpriseId, date, timeZone] as const,
};

export const stayKeys = {
  all: ["stay"] as const,
  detail: (enterpriseId: string | null, stayId: string) => [...stayKeys.all, enterpriseId, stayId] as const,
};

export const billKeys = {
  all: ["stay-bill"] as const,
  detail: (enterpriseId: string | null, stayId: string) => [...billKeys.all, enterpriseId, stayId] as const,
};

export const editRuleKeys = {
  all: ["edit-rules"] as const,
  detail: (enterpriseId: string | null) => [...editRuleKeys.all, enterpriseId] as const,
};

export const bookingKeys = {
  all: ["bookings"] as const,
  list: (filter: object) => [...bookingKeys.all, filter] as const,
  detail: (bookingId: string) => [...bookingKeys.all, "detail", bookingId] as const,
};

export const chargeKeys = {
  all: ["charges"] as const,
  list: (filter: object) => [...chargeKeys.all, filter] as const,
  detail: (chargeId: string | null | undefined) => [...chargeKeys.all, "detail", chargeId] as const,
};

export const vendorKeys = {
  all: ["vendors"] as const,
  list: (enterpriseId: string | null, includeInactive: boolean) =>
    [...vendorKeys.all, enterpriseId, includeInactive] as const,
  details: ["vendor"] as const,
  detail: (vendorId: string) => [...vendorKeys.details, vendorId] as const,
};

export const offeringKeys = {
  all: ["offerings"] as const,
  list: (vendorId: string | null, includeInactive: boolean) => [...offeringKeys.all, vendorId, includeInactive] as const,
  detail: (offeringId: string) => [...offeringKeys.all, "detail", offeringId] as const,
};

export const settlementKeys = {
  all: ["settlement"] as const,
  period: (vendorId: string, fromIso: string, toIso: string) =>
    [...settlementKeys.all, vendorId, fromIso, toIso] as const,
};

export const userKeys = {
  all: ["users"] as const,
  list: (filter: object) => [...userKeys.all, filter] as const,
};

export const sessionKeys = {
  me: ["me"] as const,
};

export const propertyKeys = {
  all: ["properties"] as const,
  catalogue: (enterpriseId: string | null | undefined) => [...propertyKeys.all, enterpriseId, "catalogue"] as const,
};

export const syncKeys = {
  all: ["sync"] as const,
};

export const erasureKeys = {
  all: ["erasures"] as const,
  list: (enterpriseId: string | null, state: string | null, offset: number) =>
    [...erasureKeys.all, enterpriseId, state, offset] as const,
  details: ["erasure"] as const,
  detail: (requestId: string) => [...erasureKeys.details, requestId] as const,
};

export const auditKeys = {
  guestAccess: (guestId: string) => ["guest-access", guestId] as const,
  retentionRuns: (enterpriseId: string | null) => ["retention-runs", enterpriseId] as const,
};

import { useCallback, useMemo } from "react";
import type { PropertyView } from "../api/types";
import { browserZone, formatDate, formatDateTime, isTimeZone, todayIn } from "../components/format";
import { useEnterprise } from "./enterprise";
import { useProperties } from "../api/properties";

/** A property's name for people: the hotel's name, its id only while it is not known. */
export function propertyLabel(property: PropertyView | undefined, enterpriseId: string): string {
  return property?.name ?? enterpriseId;
}

/** Names of the caller's properties by enterprise id, as a lookup that falls back to the id. */
export function usePropertyNames(): (enterpriseId: string | null | undefined) => string {
  const properties = useProperties();
  const byId = useMemo(
    () => new Map((properties.data ?? []).map((p) => [p.enterprise_id, p])),
    [properties.data],
  );
  return useCallback((id) => (id ? propertyLabel(byId.get(id), id) : "—"), [byId]);
}

/** A property's time zone by enterprise id (the browser's while it is not known). */
export function usePropertyZones(): (enterpriseId: string | null | undefined) => string {
  const properties = useProperties();
  return useCallback(
    (id) => {
      const zone = properties.data?.find((p) => p.enterprise_id === id)?.time_zone;
      return isTimeZone(zone) ? zone : browserZone();
    },
    [properties.data],
  );
}

export interface Hotel {
  enterpriseId: string | null;
  property: PropertyView | undefined;
  /** The hotel's own time zone; null while it is not known (or not a zone). */
  timeZone: string | null;
  /** The zone to show times in: the hotel's, the browser's until that is known. */
  zone: string;
  /** The hotel's currency, once known. */
  currency: string | null;
  /** Still asking which hotels there are. */
  loading: boolean;
  /** An instant as the hotel's wall time. */
  dateTime(value: string | null | undefined): string;
  /** An instant as the hotel's date (a calendar date as it is). */
  date(value: string | null | undefined): string;
  /** Today's date at the hotel (YYYY-MM-DD). */
  today(): string;
}

/**
 * The hotel a page is about (the chosen property unless `enterpriseId` names another) and its
 * clock: every date people read or type is the hotel's, not the browser's.
 */
export function useHotel(enterpriseId?: string | null): Hotel {
  const selected = useEnterprise().enterpriseId;
  const id = enterpriseId === undefined ? selected : enterpriseId;
  const properties = useProperties();
  const property = id ? properties.data?.find((p) => p.enterprise_id === id) : undefined;
  const timeZone = isTimeZone(property?.time_zone) ? property.time_zone : null;
  const zone = timeZone ?? browserZone();
  return useMemo(
    () => ({
      enterpriseId: id,
      property,
      timeZone,
      zone,
      currency: property?.default_currency ?? null,
      loading: properties.isLoading,
      dateTime: (value) => formatDateTime(value, zone),
      date: (value) => formatDate(value, zone),
      today: () => todayIn(zone),
    }),
    [id, property, timeZone, zone, properties.isLoading],
  );
}

import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import { propertyKeys } from "./queryKeys";
import { useSession } from "../lib/session";

/** The hotels change rarely (a new property, a renamed one): fetched once, kept a while. */
export const PROPERTIES_STALE_MS = 5 * 60_000;

export const propertiesQuery = queryOptions({
  queryKey: propertyKeys.all,
  queryFn: () => unwrap(api.GET("/api/v1/properties")),
  staleTime: PROPERTIES_STALE_MS,
});

/** The caller's properties: each hotel's name, time zone, currency and pricing. */
export function useProperties() {
  const signedIn = useSession((s) => s.user !== null);
  return useQuery({ ...propertiesQuery, enabled: signedIn });
}

/** A hotel's Mews services and their products (managers and admins). */
export function useCatalogue(enterpriseId: string | null | undefined, enabled = true) {
  return useQuery({
    queryKey: propertyKeys.catalogue(enterpriseId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/properties/{enterprise_id}/catalogue", {
          params: { path: { enterprise_id: enterpriseId ?? "" } },
        }),
      ),
    staleTime: PROPERTIES_STALE_MS,
    enabled: enabled && !!enterpriseId,
  });
}

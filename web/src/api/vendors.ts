import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import { offeringKeys, vendorKeys } from "./queryKeys";

/*
 * Reading vendors and their offerings: the vendors' pages, a booking's form and tables and
 * the dashboard all do, so the reads are shared; changing a vendor is the vendors feature's.
 */

export function useVendors(enterpriseId: string | null, includeInactive = false, enabled = true) {
  return useQuery({
    queryKey: vendorKeys.list(enterpriseId, includeInactive),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/vendors", {
          params: {
            query: {
              limit: 200,
              include_inactive: includeInactive,
              ...(enterpriseId ? { enterprise_id: enterpriseId } : {}),
            },
          },
        }),
      ),
    enabled,
  });
}

/** One vendor by id: the vendor's page and a booking's page share it (and its cache). */
export function vendorQuery(vendorId: string) {
  return queryOptions({
    queryKey: vendorKeys.detail(vendorId),
    queryFn: () => unwrap(api.GET("/api/v1/vendors/{vendor_id}", { params: { path: { vendor_id: vendorId } } })),
  });
}

export function useOfferings(vendorId: string | null, includeInactive = false) {
  return useQuery({
    queryKey: offeringKeys.list(vendorId, includeInactive),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/vendors/{vendor_id}/offerings", {
          params: { path: { vendor_id: vendorId ?? "" }, query: { include_inactive: includeInactive, limit: 200 } },
        }),
      ),
    enabled: vendorId !== null,
  });
}

/** One offering by id (also another vendor's, for staff). Its key starts with "offerings",
 * so vendor events refresh it like the lists. */
export function offeringQuery(offeringId: string) {
  return queryOptions({
    queryKey: offeringKeys.detail(offeringId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/offerings/{offering_id}", { params: { path: { offering_id: offeringId } } })),
    staleTime: 5 * 60_000,
  });
}


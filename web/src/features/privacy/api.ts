import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { auditKeys, erasureKeys } from "../../api/queryKeys";
import type { components } from "../../api/schema";

export type ErasureView = components["schemas"]["ErasureView"];
export type ErasureReceipt = components["schemas"]["ErasureReceiptView"];
export type GuestAccess = components["schemas"]["GuestAccess"];
export type ErasureState = ErasureView["state"];

function scope(enterpriseId: string | null, portfolioWide: boolean) {
  return portfolioWide && enterpriseId ? { enterprise_id: enterpriseId } : {};
}

/** Erase a guest, saying why; asking again answers the request already made. */
export function useRequestErasure(enterpriseId: string | null, guestId: string, portfolioWide: boolean) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) =>
      unwrap(
        api.POST("/api/v1/guests/{guest_id}/erase", {
          params: { path: { guest_id: guestId }, query: scope(enterpriseId, portfolioWide) },
          body: { reason },
        }),
      ),
    onSuccess: (erasure) => {
      client.setQueryData(erasureKeys.detail(erasure.request_id), erasure);
      void client.invalidateQueries({ queryKey: erasureKeys.all });
    },
  });
}

export function useErasure(requestId: string) {
  return useQuery({
    queryKey: erasureKeys.detail(requestId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/guests/erasures/{request_id}", { params: { path: { request_id: requestId } } })),
    // Receipts arrive from each service with no event the app hears: look again while any
    // part is still awaited.
    refetchInterval: (q) => (q.state.data?.state === "pending" ? 2000 : false),
  });
}

export function useErasures(enterpriseId: string | null, state: ErasureState | null, offset = 0) {
  return useQuery({
    queryKey: erasureKeys.list(enterpriseId, state, offset),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/guests/erasures", {
          params: {
            query: {
              limit: 50,
              offset,
              ...(enterpriseId ? { enterprise_id: enterpriseId } : {}),
              ...(state ? { state } : {}),
            },
          },
        }),
      ),
  });
}

/** Who read a guest's personal data, newest first (admins). */
export function useGuestAccessLog(guestId: string, enabled: boolean) {
  return useQuery({
    queryKey: auditKeys.guestAccess(guestId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/audit/guest-access", { params: { query: { guest_id: guestId, limit: 100 } } })),
    enabled,
  });
}

export type RetentionRun = components["schemas"]["RetentionRun"];

/** The retention sweeps' reports, newest first (admins). */
export function useRetentionRuns(enterpriseId: string | null) {
  return useQuery({
    queryKey: auditKeys.retentionRuns(enterpriseId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/audit/retention-runs", {
          params: { query: { limit: 20, ...(enterpriseId ? { enterprise_id: enterpriseId } : {}) } },
        }),
      ),
  });
}

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { syncKeys } from "../../api/queryKeys";
import type { SyncOverview, SyncStatus } from "../../api/types";

/** A resync that still reads Mews (a cancel waits for the window being read). */
export function jobRunning(state: string | null | undefined): boolean {
  return state === "running" || state === "cancelling";
}

export function resyncRunning(s: SyncStatus): boolean {
  return jobRunning(s.ingest?.resync?.state);
}

/** Every property's sync status; polled every 2 s while a resync runs, else every 15 s. */
export function useSyncOverview(enabled = true) {
  return useQuery({
    queryKey: syncKeys.all,
    queryFn: () => unwrap(api.GET("/api/v1/sync")),
    refetchInterval: (query) => {
      const data = query.state.data as SyncOverview | undefined;
      return data?.enterprises.some(resyncRunning) ? 2_000 : 15_000;
    },
    enabled,
  });
}

/** Start a resync of a property, from `since` (an ISO instant) or from its checkpoints. */
export function useStartResync() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ enterpriseId, since }: { enterpriseId: string; since: string | null }) =>
      unwrap(
        api.POST("/api/v1/sync/{enterprise_id}/resync", {
          params: { path: { enterprise_id: enterpriseId } },
          body: since ? { since } : {},
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: syncKeys.all }),
  });
}

/** Cancel a property's running resync: it stops after the window being read. */
export function useCancelResync() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (enterpriseId: string) =>
      unwrap(
        api.DELETE("/api/v1/sync/{enterprise_id}/resync", {
          params: { path: { enterprise_id: enterpriseId } },
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: syncKeys.all }),
  });
}

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { dayListKeys, editRuleKeys, guestKeys } from "../../api/queryKeys";
import type { FieldRule, GuestEdit } from "../../api/types";

export function useGuestSearch(enterpriseId: string | null, q: string, portfolioWide: boolean) {
  return useInfiniteQuery({
    queryKey: guestKeys.search(enterpriseId, q),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/guests", {
          params: {
            query: {
              q,
              limit: 25,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(portfolioWide && enterpriseId ? { enterprise_id: enterpriseId } : {}),
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
    enabled: !portfolioWide || enterpriseId !== null,
  });
}

export function useGuest(enterpriseId: string | null, guestId: string, portfolioWide: boolean, enabled = true) {
  return useQuery({
    queryKey: guestKeys.detail(enterpriseId, guestId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/guests/{guest_id}", {
          params: {
            path: { guest_id: guestId },
            query: portfolioWide && enterpriseId ? { enterprise_id: enterpriseId } : {},
          },
        }),
      ),
    enabled: enabled && (!portfolioWide || enterpriseId !== null),
    // While an edit is on its way to Mews, look again every second: its outcome may be a
    // conflict, which no event announces.
    refetchInterval: (query) => {
      const data = query.state.data;
      return data?.view === "staff" && data.guest.sync_state === "saving" ? 1000 : false;
    },
  });
}

export type DayKind = "arrivals" | "in-house" | "departures";

/**
 * A day list for the hotel's local `date`. The hotel's time zone goes with it when known (the
 * gateway would use the property's own without it, to the same effect).
 */
export function useDayStays(
  kind: DayKind,
  enterpriseId: string | null,
  date: string,
  timeZone: string | null,
  portfolioWide: boolean,
  enabled = true,
) {
  return useQuery({
    queryKey: dayListKeys.list(kind, enterpriseId, date, timeZone),
    queryFn: () =>
      unwrap(
        api.GET(`/api/v1/${kind}`, {
          params: {
            query: {
              date,
              ...(timeZone ? { timezone: timeZone } : {}),
              limit: 200,
              ...(portfolioWide && enterpriseId ? { enterprise_id: enterpriseId } : {}),
            },
          },
        }),
      ),
    enabled: enabled && (!portfolioWide || enterpriseId !== null),
  });
}

/**
 * Everything held about a guest, as one JSON file the browser saves (a guest's access
 * request; managers and admins).
 */
export function useExportGuest(enterpriseId: string | null, guestId: string, portfolioWide: boolean) {
  return useMutation({
    mutationFn: async () => {
      const document = await unwrap(
        api.GET("/api/v1/guests/{guest_id}/export", {
          params: {
            path: { guest_id: guestId },
            query: portfolioWide && enterpriseId ? { enterprise_id: enterpriseId } : {},
          },
        }),
      );
      const url = URL.createObjectURL(new Blob([JSON.stringify(document, null, 2)], { type: "application/json" }));
      const link = Object.assign(window.document.createElement("a"), { href: url, download: `guest-${guestId}.json` });
      link.click();
      URL.revokeObjectURL(url);
      return document;
    },
  });
}

function query(enterpriseId: string | null, portfolioWide: boolean) {
  return portfolioWide && enterpriseId ? { enterprise_id: enterpriseId } : {};
}

export function useEditGuest(enterpriseId: string | null, guestId: string, portfolioWide: boolean) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: GuestEdit) =>
      unwrap(
        api.PATCH("/api/v1/guests/{guest_id}", {
          params: { path: { guest_id: guestId }, query: query(enterpriseId, portfolioWide) },
          body,
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: guestKeys.details }),
  });
}

export function useResolveConflict(enterpriseId: string | null, guestId: string, portfolioWide: boolean) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (choice: { editId: string; field: string; keep: "ours" | "mews" }) =>
      unwrap(
        api.POST("/api/v1/guests/{guest_id}/conflicts/resolve", {
          params: { path: { guest_id: guestId }, query: query(enterpriseId, portfolioWide) },
          body: { edit_id: choice.editId, choices: [{ field: choice.field, keep: choice.keep }] },
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: guestKeys.details }),
  });
}

export function useEditRules(enterpriseId: string | null) {
  return useQuery({
    queryKey: editRuleKeys.detail(enterpriseId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/properties/{enterprise_id}/edit-rules", {
          params: { path: { enterprise_id: enterpriseId ?? "" } },
        }),
      ),
    enabled: enterpriseId !== null,
  });
}

export function useSetEditRules(enterpriseId: string | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (rules: FieldRule[]) =>
      unwrap(
        api.PUT("/api/v1/properties/{enterprise_id}/edit-rules", {
          params: { path: { enterprise_id: enterpriseId ?? "" } },
          body: { rules },
        }),
      ),
    onSuccess: (saved) => client.setQueryData(editRuleKeys.detail(enterpriseId), saved),
  });
}

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { stayKeys } from "../../api/queryKeys";
import type { StayNoteWrite, StayNoteWriteView } from "../../api/types";

function query(enterpriseId: string | null, portfolioWide: boolean) {
  return portfolioWide && enterpriseId ? { enterprise_id: enterpriseId } : {};
}

/** Whether a note write is still on its way to Mews. */
export function onItsWay(writes: StayNoteWriteView[] | undefined): boolean {
  return (writes ?? []).some((w) => w.state === "saving");
}

export function useStay(enterpriseId: string | null, stayId: string, portfolioWide: boolean) {
  return useQuery({
    queryKey: stayKeys.detail(enterpriseId, stayId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/stays/{stay_id}", {
          params: { path: { stay_id: stayId }, query: query(enterpriseId, portfolioWide) },
        }),
      ),
    enabled: !portfolioWide || enterpriseId !== null,
    // While a note is on its way to Mews, look again every second: its outcome (in step, or
    // a conflict) comes with no event the app hears.
    refetchInterval: (q) => {
      const data = q.state.data;
      return data?.view === "staff" && onItsWay(data.note_writes) ? 1000 : false;
    },
  });
}

/** Add a note (`noteId` null) or change one, as the user saw it (`base_text`). */
export function useWriteStayNote(enterpriseId: string | null, stayId: string, portfolioWide: boolean) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ noteId, body }: { noteId: string | null; body: StayNoteWrite }) =>
      unwrap(
        noteId === null
          ? api.POST("/api/v1/stays/{stay_id}/notes", {
              params: { path: { stay_id: stayId }, query: query(enterpriseId, portfolioWide) },
              body,
            })
          : api.PUT("/api/v1/stays/{stay_id}/notes/{note_id}", {
              params: { path: { stay_id: stayId, note_id: noteId }, query: query(enterpriseId, portfolioWide) },
              body,
            }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: stayKeys.all }),
  });
}

import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { billKeys } from "../../api/queryKeys";

/** What was charged and paid for one stay, as sync last read it from Mews. */
export function useStayBill(enterpriseId: string | null, stayId: string, portfolioWide: boolean, enabled = true) {
  return useQuery({
    queryKey: billKeys.detail(enterpriseId, stayId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/stays/{stay_id}/bill", {
          params: {
            path: { stay_id: stayId },
            query: portfolioWide && enterpriseId ? { enterprise_id: enterpriseId } : {},
          },
        }),
      ),
    enabled: enabled && (!portfolioWide || enterpriseId !== null),
  });
}

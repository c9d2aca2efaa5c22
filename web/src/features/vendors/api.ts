import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { API_ORIGIN, api, authFetch, unwrap } from "../../api/client";
import { isProblem, toApiError } from "../../api/problem";
import { offeringKeys, settlementKeys, vendorKeys } from "../../api/queryKeys";
import type { OfferingCreate, VendorCreate, VendorUpdate } from "../../api/types";
import { vendorQuery } from "../../api/vendors";

export { useOfferings, useVendors } from "../../api/vendors";

export function useVendor(vendorId: string) {
  return useQuery(vendorQuery(vendorId));
}

/** A new vendor at a property (the property must be chosen first). */
export function useCreateVendor(enterpriseId: string | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (fields: Omit<VendorCreate, "enterprise_id">) => {
      if (!enterpriseId) throw new Error("Choose a property first.");
      return unwrap(api.POST("/api/v1/vendors", { body: { ...fields, enterprise_id: enterpriseId } }));
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: vendorKeys.all }),
  });
}

function useRefreshVendor(vendorId: string) {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: vendorKeys.detail(vendorId) });
    void client.invalidateQueries({ queryKey: vendorKeys.all });
  };
}

export function useUpdateVendor(vendorId: string) {
  const refresh = useRefreshVendor(vendorId);
  return useMutation({
    mutationFn: (fields: VendorUpdate) =>
      unwrap(api.PATCH("/api/v1/vendors/{vendor_id}", { params: { path: { vendor_id: vendorId } }, body: fields })),
    onSuccess: refresh,
  });
}

export function useDeactivateVendor(vendorId: string) {
  const refresh = useRefreshVendor(vendorId);
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/vendors/{vendor_id}/deactivate", { params: { path: { vendor_id: vendorId } } })),
    onSuccess: refresh,
  });
}

/** Add a service to a vendor (`offeringId` null) or change one; the currency stays the hotel's. */
export function useSaveOffering(vendorId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ offeringId, body }: { offeringId: string | null; body: OfferingCreate }) =>
      offeringId !== null
        ? unwrap(
            api.PATCH("/api/v1/offerings/{offering_id}", {
              params: { path: { offering_id: offeringId } },
              // The currency is the hotel's: an update leaves it as it is.
              body: { ...body, currency: undefined },
            }),
          )
        : unwrap(api.POST("/api/v1/vendors/{vendor_id}/offerings", { params: { path: { vendor_id: vendorId } }, body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: offeringKeys.all }),
  });
}

export function useDeactivateOffering() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (offeringId: string) =>
      unwrap(
        api.POST("/api/v1/offerings/{offering_id}/deactivate", { params: { path: { offering_id: offeringId } } }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: offeringKeys.all }),
  });
}

/** The vendor's posted charges per currency between two instants. */
export function useSettlement(vendorId: string, fromIso: string, toIso: string, enabled: boolean) {
  return useQuery({
    queryKey: settlementKeys.period(vendorId, fromIso, toIso),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/vendors/{vendor_id}/settlement", {
          params: { path: { vendor_id: vendorId }, query: { from: fromIso, to: toIso } },
        }),
      ),
    enabled,
  });
}

/** Save the settlement's lines as the CSV file the gateway makes (`Accept: text/csv`). */
export async function downloadSettlementCsv(vendorId: string, fromIso: string, toIso: string): Promise<void> {
  const query = new URLSearchParams({ from: fromIso, to: toIso });
  const response = await authFetch(
    new Request(`${API_ORIGIN}/api/v1/vendors/${encodeURIComponent(vendorId)}/settlement?${query}`, {
      headers: { Accept: "text/csv" },
    }),
  );
  if (!response.ok) {
    // The gateway's problem (or the status): a refusal is not a lost connection.
    const body: unknown = await response.json().catch(() => null);
    throw toApiError(isProblem(body) ? body : `The settlement could not be downloaded (${response.status}).`, response);
  }
  const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "");
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(window.document.createElement("a"), {
    href: url,
    download: named?.[1] ?? "settlement.csv",
  });
  link.click();
  URL.revokeObjectURL(url);
}

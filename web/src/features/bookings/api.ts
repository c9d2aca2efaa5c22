import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { BookingState, ChargeState } from "../../api/types";

export interface BookingFilter {
  enterprise_id?: string;
  vendor_id?: string;
  guest_id?: string;
  stay_id?: string;
  state?: BookingState;
}

export interface ChargeFilter extends Omit<BookingFilter, "state"> {
  booking_id?: string;
  state?: ChargeState;
}

function defined<T extends object>(filter: T): T {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== "")) as T;
}

export function useBookings(filter: BookingFilter, enabled = true) {
  const query = defined(filter);
  return useQuery({
    queryKey: ["bookings", query],
    queryFn: () => unwrap(api.GET("/api/v1/bookings", { params: { query: { ...query, limit: 100 } } })),
    enabled,
  });
}

export function useCharges(filter: ChargeFilter, enabled = true) {
  const query = defined(filter);
  return useQuery({
    queryKey: ["charges", query],
    queryFn: () => unwrap(api.GET("/api/v1/charges", { params: { query: { ...query, limit: 100 } } })),
    enabled,
  });
}

export type BookingAction = "confirm" | "decline" | "fulfil" | "cancel";

export function useBookingAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, action, reason }: { id: string; action: BookingAction; reason?: string }) => {
      const path = { params: { path: { booking_id: id } } };
      switch (action) {
        case "confirm":
          return unwrap(api.POST("/api/v1/bookings/{booking_id}/confirm", path));
        case "fulfil":
          return unwrap(api.POST("/api/v1/bookings/{booking_id}/fulfil", path));
        case "decline":
          return unwrap(
            api.POST("/api/v1/bookings/{booking_id}/decline", { ...path, body: { reason: reason || null } }),
          );
        case "cancel":
          return unwrap(
            api.POST("/api/v1/bookings/{booking_id}/cancel", { ...path, body: { reason: reason || null } }),
          );
      }
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ["bookings"] });
      void client.invalidateQueries({ queryKey: ["charges"] });
      void client.invalidateQueries({ queryKey: ["guest"] });
    },
  });
}

export function useRetryCharge() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (chargeId: string) =>
      unwrap(api.POST("/api/v1/charges/{charge_id}/retry", { params: { path: { charge_id: chargeId } } })),
    onSettled: () => void client.invalidateQueries({ queryKey: ["charges"] }),
  });
}

export function useVendors(enterpriseId: string | null, includeInactive = false, enabled = true) {
  return useQuery({
    queryKey: ["vendors", enterpriseId, includeInactive],
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

export function useOfferings(vendorId: string | null, includeInactive = false) {
  return useQuery({
    queryKey: ["offerings", vendorId, includeInactive],
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
    queryKey: ["offerings", "detail", offeringId],
    queryFn: () =>
      unwrap(api.GET("/api/v1/offerings/{offering_id}", { params: { path: { offering_id: offeringId } } })),
    staleTime: 5 * 60_000,
  });
}

/** One vendor by id: the vendor's page and a booking's page share it (and its cache). */
export function vendorQuery(vendorId: string) {
  return queryOptions({
    queryKey: ["vendor", vendorId],
    queryFn: () => unwrap(api.GET("/api/v1/vendors/{vendor_id}", { params: { path: { vendor_id: vendorId } } })),
  });
}

/** A manager cancels a charge, with the reason: it is taken off the guest's bill in Mews once
 * (or cancelled at once when it never got there); a fulfilled booking's charge refunds it. */
export function useCancelCharge() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) =>
      unwrap(
        api.POST("/api/v1/charges/{charge_id}/cancel", { params: { path: { charge_id: id } }, body: { reason } }),
      ),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ["charges"] });
      void client.invalidateQueries({ queryKey: ["bookings"] });
    },
  });
}

/** A manager approves a charge held for approval (it goes to Mews) or rejects it, with a reason. */
export function useChargeDecision() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, decision, reason }: { id: string; decision: "approve" | "reject"; reason?: string }) => {
      const path = { params: { path: { charge_id: id } } };
      return decision === "approve"
        ? unwrap(api.POST("/api/v1/charges/{charge_id}/approve", path))
        : unwrap(api.POST("/api/v1/charges/{charge_id}/reject", { ...path, body: { reason: reason ?? "" } }));
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ["charges"] });
      void client.invalidateQueries({ queryKey: ["bookings"] });
    },
  });
}

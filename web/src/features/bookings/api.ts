import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { bookingKeys, chargeKeys, guestKeys } from "../../api/queryKeys";
import type { BookingCreate, BookingState, ChargeState } from "../../api/types";

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
    queryKey: bookingKeys.list(query),
    queryFn: () => unwrap(api.GET("/api/v1/bookings", { params: { query: { ...query, limit: 100 } } })),
    enabled,
  });
}

export function useCharges(filter: ChargeFilter, enabled = true) {
  const query = defined(filter);
  return useQuery({
    queryKey: chargeKeys.list(query),
    queryFn: () => unwrap(api.GET("/api/v1/charges", { params: { query: { ...query, limit: 100 } } })),
    enabled,
  });
}

/*
 * Query keys start with the resource they read, so the live events that touch bookings,
 * charges, offerings and vendors refresh a booking's page too (see `api/events.ts`).
 */
export function useBooking(bookingId: string) {
  return useQuery({
    queryKey: bookingKeys.detail(bookingId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/bookings/{booking_id}", { params: { path: { booking_id: bookingId } } })),
  });
}

export function useCharge(chargeId: string | null | undefined) {
  return useQuery({
    queryKey: chargeKeys.detail(chargeId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/charges/{charge_id}", { params: { path: { charge_id: chargeId ?? "" } } })),
    enabled: !!chargeId,
  });
}

/**
 * Book a vendor's offering. `idempotencyKey` names the booking the user means: the same
 * while the same form is sent again, so a retry after a lost answer books once.
 */
export function useCreateBooking() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: BookingCreate; idempotencyKey: string }) =>
      unwrap(api.POST("/api/v1/bookings", { body, headers: { "Idempotency-Key": idempotencyKey } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: bookingKeys.all });
      void client.invalidateQueries({ queryKey: guestKeys.details });
    },
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
      void client.invalidateQueries({ queryKey: bookingKeys.all });
      void client.invalidateQueries({ queryKey: chargeKeys.all });
      void client.invalidateQueries({ queryKey: guestKeys.details });
    },
  });
}

export function useRetryCharge() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (chargeId: string) =>
      unwrap(api.POST("/api/v1/charges/{charge_id}/retry", { params: { path: { charge_id: chargeId } } })),
    onSettled: () => void client.invalidateQueries({ queryKey: chargeKeys.all }),
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
      void client.invalidateQueries({ queryKey: chargeKeys.all });
      void client.invalidateQueries({ queryKey: bookingKeys.all });
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
      void client.invalidateQueries({ queryKey: chargeKeys.all });
      void client.invalidateQueries({ queryKey: bookingKeys.all });
    },
  });
}

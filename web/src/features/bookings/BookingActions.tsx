import type { BookingState } from "../../api/types";
import type { BookingAction } from "./api";
import { ReasonPrompt } from "./ReasonPrompt";

/** What may be done to a booking in each state (the vendors service checks it again). */
export const ACTIONS: Partial<Record<BookingState, BookingAction[]>> = {
  requested: ["confirm", "decline", "cancel"],
  confirmed: ["fulfil", "cancel"],
};

export const ACTION_LABELS: Record<BookingAction, string> = {
  confirm: "Confirm",
  decline: "Decline",
  fulfil: "Fulfil",
  cancel: "Cancel",
};

/** Declining and cancelling ask for an (optional) reason first. */
export function needsReason(action: BookingAction): action is "decline" | "cancel" {
  return action === "decline" || action === "cancel";
}

export function ReasonForm({
  action,
  onSubmit,
  onClose,
  busy,
}: {
  action: "decline" | "cancel";
  onSubmit(reason: string): void;
  onClose(): void;
  busy: boolean;
}) {
  return (
    <ReasonPrompt
      formLabel={action === "decline" ? "Decline the booking" : "Cancel the booking"}
      fieldLabel="Reason (optional)"
      submitLabel={action === "decline" ? "Decline booking" : "Cancel booking"}
      maxLength={2000}
      busy={busy}
      className="mt-2"
      onSubmit={onSubmit}
      onClose={onClose}
    />
  );
}

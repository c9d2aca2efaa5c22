import { useState, type FormEvent } from "react";
import type { BookingState } from "../../api/types";
import { Button } from "../../components/ui";
import type { BookingAction } from "./api";

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
  const [reason, setReason] = useState("");
  return (
    <form
      aria-label={action === "decline" ? "Decline the booking" : "Cancel the booking"}
      className="mt-2 flex flex-wrap items-end gap-2"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit(reason);
      }}
    >
      <label className="text-xs font-medium text-slate-700">
        Reason (optional)
        <input
          autoFocus
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={2000}
          className="mt-1 block rounded-md border border-slate-300 px-2 py-1 text-sm"
        />
      </label>
      <Button type="submit" variant="danger" disabled={busy}>
        {action === "decline" ? "Decline booking" : "Cancel booking"}
      </Button>
      <Button variant="ghost" onClick={onClose}>
        Back
      </Button>
    </form>
  );
}

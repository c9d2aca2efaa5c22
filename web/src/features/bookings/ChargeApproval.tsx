import { useState, type FormEvent } from "react";
import type { ChargeView } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Button } from "../../components/ui";
import { useChargeDecision } from "./api";

/** Why a charge waits, or why it was rejected: what the vendor and the manager both read. */
export function ApprovalNote({ charge }: { charge: ChargeView }) {
  if (charge.state === "pending_approval") {
    return (
      <p className="text-xs text-amber-800">
        Waits for a manager's approval before it goes to the guest's bill
        {charge.approval_reason ? `: ${charge.approval_reason}` : ""}.
      </p>
    );
  }
  if (charge.state === "rejected") {
    return <p className="text-xs text-red-700">Rejected{charge.rejection_reason ? `: ${charge.rejection_reason}` : ""}.</p>;
  }
  return null;
}

/**
 * Approve or reject a charge held for approval. Rejecting asks for the reason first (the
 * vendor sees it). A second click while the first is under way does nothing; the service
 * answers a repeated approval with the charge as it is.
 */
export function ApprovalActions({ charge }: { charge: ChargeView }) {
  const decide = useChargeDecision();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  if (charge.state !== "pending_approval") return null;
  const busy = decide.isPending;
  return (
    <div>
      <ProblemAlert error={decide.error} className="mb-2" />
      {rejecting ? (
        <form
          aria-label={`Reject the charge ${charge.description}`}
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            if (reason.trim()) decide.mutate({ id: charge.charge_id, decision: "reject", reason: reason.trim() });
          }}
        >
          <label className="text-xs font-medium text-slate-700">
            Reason (the vendor sees it)
            <input
              autoFocus
              required
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              maxLength={200}
              className="mt-1 block rounded-md border border-slate-300 px-2 py-1 text-sm"
            />
          </label>
          <Button type="submit" variant="danger" disabled={busy || !reason.trim()}>
            Reject charge
          </Button>
          <Button variant="ghost" onClick={() => setRejecting(false)}>
            Back
          </Button>
        </form>
      ) : (
        <div className="flex flex-wrap gap-2">
          <Button
            disabled={busy}
            aria-label={`Approve charge ${charge.description}`}
            onClick={() => decide.mutate({ id: charge.charge_id, decision: "approve" })}
          >
            Approve
          </Button>
          <Button
            variant="secondary"
            disabled={busy}
            aria-label={`Reject charge ${charge.description}`}
            onClick={() => setRejecting(true)}
          >
            Reject
          </Button>
        </div>
      )}
    </div>
  );
}

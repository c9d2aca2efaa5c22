import { useState } from "react";
import type { ChargeView } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Button } from "../../components/ui";
import { useChargeDecision } from "./api";
import { ReasonPrompt } from "./ReasonPrompt";

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
  if (charge.state !== "pending_approval") return null;
  const busy = decide.isPending;
  return (
    <div>
      <ProblemAlert error={decide.error} className="mb-2" />
      {rejecting ? (
        <ReasonPrompt
          formLabel={`Reject the charge ${charge.description}`}
          fieldLabel="Reason (the vendor sees it)"
          submitLabel="Reject charge"
          required
          maxLength={200}
          busy={busy}
          onSubmit={(reason) => decide.mutate({ id: charge.charge_id, decision: "reject", reason })}
          onClose={() => setRejecting(false)}
        />
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

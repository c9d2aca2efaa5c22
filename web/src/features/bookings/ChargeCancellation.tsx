import { useState } from "react";
import type { ChargeState, ChargeView } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Button } from "../../components/ui";
import { useCancelCharge } from "./api";
import { ReasonPrompt } from "./ReasonPrompt";

/** States a manager cancels from here. A cancelled one is done, a rejected one never billed;
 * one held for approval is rejected instead (with the reason the vendor sees). */
const CANCELLABLE: readonly ChargeState[] = ["pending", "posted", "failed", "cancel_failed"];

const HOW: Record<string, string> = {
  order_items_cancelled: "taken off the guest's bill in Mews",
  rebated: "offset on the guest's bill in Mews by a rebate",
  not_in_mews: "before it reached the guest's bill",
};

/** Where a manager's cancellation stands, and why it was asked for. */
export function CancellationNote({ charge }: { charge: ChargeView }) {
  const why = charge.cancel_reason ? ` Reason: ${charge.cancel_reason}` : "";
  if (charge.state === "cancelling") {
    return <p className="text-xs text-amber-800">Being taken off the guest's bill in Mews.{why}</p>;
  }
  if (charge.state === "cancelled") {
    const how = charge.cancel_method ? HOW[charge.cancel_method] ?? charge.cancel_method : null;
    return (
      <p className="text-xs text-slate-700">
        Cancelled{how ? `, ${how}` : ""}.{why}
      </p>
    );
  }
  if (charge.state === "cancel_failed") {
    return (
      <p className="text-xs text-red-700">
        Mews did not take it back{charge.cancel_failure_reason ? `: ${charge.cancel_failure_reason}` : ""}. Cancel
        again to retry.
      </p>
    );
  }
  return null;
}

/**
 * A manager cancels a charge: the reason is asked first (it is recorded and audited, never put
 * on the guest's bill). A second click while the first is under way does nothing; the service
 * answers a repeated cancellation with the charge as it is.
 */
export function CancelChargeAction({ charge }: { charge: ChargeView }) {
  const cancel = useCancelCharge();
  const [asking, setAsking] = useState(false);
  if (!CANCELLABLE.includes(charge.state)) return null;
  const busy = cancel.isPending;
  return (
    <div>
      <ProblemAlert error={cancel.error} className="mb-2" />
      {asking ? (
        <ReasonPrompt
          formLabel={`Cancel the charge ${charge.description}`}
          fieldLabel="Why (kept with the charge, not on the guest's bill)"
          submitLabel="Cancel charge"
          required
          maxLength={200}
          busy={busy}
          onSubmit={(reason) =>
            cancel.mutate({ id: charge.charge_id, reason }, { onSuccess: () => setAsking(false) })
          }
          onClose={() => setAsking(false)}
        />
      ) : (
        <Button
          variant="secondary"
          disabled={busy}
          aria-label={`Cancel charge ${charge.description}`}
          onClick={() => setAsking(true)}
        >
          {charge.state === "cancel_failed" ? "Cancel again" : "Cancel charge"}
        </Button>
      )}
    </div>
  );
}

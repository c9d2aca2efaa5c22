import type { ChargeView } from "../../api/types";
import { formatMoney } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Badge, Button, Empty, Table, Td, Th } from "../../components/ui";
import { useHotel } from "../../lib/hotel";
import { useRetryCharge } from "./api";
import { ApprovalActions, ApprovalNote } from "./ChargeApproval";
import { CancelChargeAction, CancellationNote } from "./ChargeCancellation";

export function ChargesTable({
  charges,
  caption,
  canRetry,
  canApprove,
  canCancel,
  vendorNames,
}: {
  charges: ChargeView[];
  caption: string;
  canRetry?: boolean;
  /** Approve / Reject buttons on charges pending approval (managers). */
  canApprove?: boolean;
  /** Cancel charge (with a reason) on charges not yet cancelled (managers). */
  canCancel?: boolean;
  vendorNames?: Record<string, string>;
}) {
  const actions = canRetry || canApprove || canCancel;
  const retry = useRetryCharge();
  const hotel = useHotel(charges[0]?.enterprise_id);
  if (charges.length === 0) return <Empty>No charges.</Empty>;
  return (
    <>
      <ProblemAlert error={retry.error} className="mb-2" />
      <Table caption={caption}>
        <thead>
          <tr>
            <Th>Description</Th>
            {vendorNames ? <Th>Vendor</Th> : null}
            <Th>Amount</Th>
            <Th>State</Th>
            <Th>Created</Th>
            <Th>Posted</Th>
            {actions ? <Th>Actions</Th> : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {charges.map((c) => (
            <tr key={c.charge_id}>
              <Td>
                {c.description}
                {c.quantity > 1 ? <span className="text-slate-500"> × {c.quantity}</span> : null}
              </Td>
              {vendorNames ? <Td>{vendorNames[c.vendor_id] ?? c.vendor_id}</Td> : null}
              <Td>{formatMoney(c.amount, c.currency)}</Td>
              <Td>
                <Badge>{c.state}</Badge>
                <ApprovalNote charge={c} />
                <CancellationNote charge={c} />
                {c.failure_reason ? (
                  <p className="text-xs text-red-700">
                    {c.failure_reason} ({c.attempts} {c.attempts === 1 ? "attempt" : "attempts"})
                  </p>
                ) : null}
              </Td>
              <Td>{hotel.dateTime(c.created_at)}</Td>
              <Td>{hotel.dateTime(c.posted_at)}</Td>
              {actions ? (
                <Td>
                  {canApprove ? <ApprovalActions charge={c} /> : null}
                  {canRetry && c.state === "failed" ? (
                    <Button
                      variant="secondary"
                      disabled={retry.isPending && retry.variables === c.charge_id}
                      aria-label={`Retry posting ${c.description}`}
                      onClick={() => retry.mutate(c.charge_id)}
                    >
                      Retry
                    </Button>
                  ) : null}
                  {canCancel ? (
                    <div className="mt-2">
                      <CancelChargeAction charge={c} />
                    </div>
                  ) : null}
                </Td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </Table>
    </>
  );
}

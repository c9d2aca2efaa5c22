import type { SyncStatus } from "../../api/types";
import { formatDateTime } from "../../components/format";
import { Card, Empty, Table, Td, Th } from "../../components/ui";

const KIND_LABELS: Record<string, string> = {
  missing_in_mews: "Missing in Mews",
  amount_differs: "Amount differs",
  quantity_differs: "Quantity differs",
  currency_differs: "Currency differs",
  cancelled_in_mews: "Cancelled in Mews",
  rebated_in_mews: "Rebated in Mews",
  not_cancelled_in_mews: "Cancelled here, still in Mews",
  unknown_in_ledger: "In Mews, not in our ledger",
};

/** The last charges reconciliation report of one property: every mismatch between our
 * ledger and Mews for its period (nightly, or `attendandt charges reconcile`). */
export function ChargesReport({ status, name, zone }: { status: SyncStatus; name: string; zone: string }) {
  const report = status.charges_report;
  return (
    <Card title={`Charges reconciliation — ${name}`}>
      {!report ? (
        <Empty>No charges report yet.</Empty>
      ) : (
        <>
          <p className="text-sm">
            Charges posted {formatDateTime(report.since, zone)} to {formatDateTime(report.until, zone)}:{" "}
            {report.charges_checked} checked, <span className="font-semibold">{report.mismatches_total} mismatches</span>
            , {report.charges_updated} updated from Mews ({report.mews_calls} Mews calls; finished{" "}
            {formatDateTime(report.finished_at, zone)}, {report.trigger === "nightly" ? "nightly" : "on demand"}).
          </p>
          {report.mismatches.length ? (
            <Table caption={`Charge mismatches of ${name}`}>
              <thead>
                <tr>
                  <Th>Mismatch</Th>
                  <Th>Charge</Th>
                  <Th>Ours</Th>
                  <Th>Mews</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {report.mismatches.map((m, i) => (
                  <tr key={`${m.kind}:${m.charge_id ?? m.mews_order_item_ids?.join(",")}:${i}`}>
                    <Td>{KIND_LABELS[m.kind] ?? m.kind}</Td>
                    <Td className="font-mono text-xs">{m.charge_id ?? m.mews_order_id ?? "—"}</Td>
                    <Td>{m.ours ?? "—"}</Td>
                    <Td>{m.mews ?? "—"}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : null}
          {report.truncated ? (
            <p className="mt-2 text-xs text-slate-600">Only the first {report.mismatches.length} are listed.</p>
          ) : null}
        </>
      )}
    </Card>
  );
}

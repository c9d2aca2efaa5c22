import { Link, useParams } from "react-router-dom";
import { ProblemAlert } from "../../components/ProblemAlert";
import { humanize } from "../../components/format";
import { Badge, Card, Loading, PageHeader, Table, Td, Th } from "../../components/ui";
import { useHotel } from "../../lib/hotel";
import { useErasure, type ErasureReceipt, type ErasureView } from "./api";

function counts(values: Record<string, number> | undefined): string {
  const entries = Object.entries(values ?? {}).filter(([, n]) => n > 0);
  return entries.length === 0 ? "—" : entries.map(([what, n]) => `${humanize(what)}: ${n}`).join(", ");
}

export function ReceiptsTable({ erasure }: { erasure: ErasureView }) {
  const hotel = useHotel(erasure.enterprise_id);
  const row = (r: ErasureReceipt) => (
    <tr key={r.part}>
      <Td className="font-medium">{r.part}</Td>
      <Td>{r.done_at ? <Badge tone="green">done</Badge> : <Badge tone="amber">waiting</Badge>}</Td>
      <Td>{r.done_at ? hotel.dateTime(r.done_at) : "—"}</Td>
      <Td>{counts(r.removed)}</Td>
      <Td>{counts(r.pseudonymised)}</Td>
    </tr>
  );
  return (
    <Table caption="Receipts">
      <thead>
        <tr>
          <Th>Part</Th>
          <Th>Receipt</Th>
          <Th>Answered</Th>
          <Th>Removed</Th>
          <Th>Pseudonymised</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">{erasure.receipts.map(row)}</tbody>
    </Table>
  );
}

const SOURCES: Record<ErasureView["source"], string> = {
  staff: "Staff",
  mews: "Deleted in Mews",
  retention: "Retention limit",
};

export function sourceLabel(source: ErasureView["source"]): string {
  return SOURCES[source];
}

/** One erasure request: who asked and why, each part's receipt, the parts still awaited. */
export function ErasurePage() {
  const { requestId = "" } = useParams();
  const erasure = useErasure(requestId);
  const hotel = useHotel(erasure.data?.enterprise_id ?? null);
  if (erasure.isLoading) return <Loading />;
  if (erasure.error || !erasure.data) return <ProblemAlert error={erasure.error} />;
  const e = erasure.data;
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link className="text-indigo-700 underline" to="/erasures">
          Erasures
        </Link>
      </nav>
      <PageHeader title={`Erasure of ${e.pseudonym}`}>
        <span role="status" aria-label={`Erasure ${e.state}`}>
          <Badge>{e.state}</Badge>
        </span>
      </PageHeader>
      <div className="space-y-4">
        <Card title="Request">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="font-medium text-slate-600">Requested</dt>
            <dd>{hotel.dateTime(e.requested_at)}</dd>
            <dt className="font-medium text-slate-600">By</dt>
            <dd>
              {sourceLabel(e.source)}
              {e.source === "staff" ? ` (${e.requested_by})` : ""}
            </dd>
            <dt className="font-medium text-slate-600">Reason</dt>
            <dd>{e.reason}</dd>
            <dt className="font-medium text-slate-600">Completed</dt>
            <dd>{e.completed_at ? hotel.dateTime(e.completed_at) : "—"}</dd>
          </dl>
        </Card>
        <Card title="Receipts">
          {e.waiting_for.length > 0 ? (
            <p className="mb-2 text-sm text-amber-900">Still waiting for: {e.waiting_for.join(", ")}</p>
          ) : (
            <p className="mb-2 text-sm text-green-800">Every part has answered.</p>
          )}
          <ReceiptsTable erasure={e} />
        </Card>
      </div>
    </>
  );
}

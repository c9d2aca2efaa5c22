import { useState } from "react";
import { Link } from "react-router-dom";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Badge, Button, Card, Empty, Loading, PageHeader, SelectField, Table, Td, Th } from "../../components/ui";
import { useEnterprise } from "../../lib/enterprise";
import { useHotel } from "../../lib/hotel";
import { useErasures, type ErasureState, type ErasureView } from "./api";
import { sourceLabel } from "./ErasurePage";
import { RetentionRuns } from "./RetentionRuns";

function Row({ e }: { e: ErasureView }) {
  const hotel = useHotel(e.enterprise_id);
  return (
    <tr>
      <Td>
        <Link className="text-indigo-700 underline" to={`/erasures/${e.request_id}`}>
          {e.pseudonym}
        </Link>
      </Td>
      <Td>{hotel.dateTime(e.requested_at)}</Td>
      <Td>{sourceLabel(e.source)}</Td>
      <Td>
        <Badge>{e.state}</Badge>
      </Td>
      <Td>{e.waiting_for.length > 0 ? e.waiting_for.join(", ") : "—"}</Td>
    </tr>
  );
}

/** Every erasure request of the user's properties, newest first (admins). */
export function ErasuresPage() {
  const { enterpriseId } = useEnterprise();
  const [state, setState] = useState<ErasureState | null>(null);
  const [offset, setOffset] = useState(0);
  const page = useErasures(enterpriseId, state, offset);
  return (
    <>
      <PageHeader title="Erasures" />
      <Card>
        <div className="mb-3 max-w-xs">
          <SelectField
            label="State"
            value={state ?? ""}
            onChange={(e) => {
              setState((e.target.value || null) as ErasureState | null);
              setOffset(0);
            }}
          >
            <option value="">All</option>
            <option value="pending">Pending</option>
            <option value="done">Done</option>
          </SelectField>
        </div>
        {page.isLoading ? <Loading /> : null}
        <ProblemAlert error={page.error} />
        {page.data && page.data.items.length === 0 ? <Empty>No erasure requests.</Empty> : null}
        {page.data && page.data.items.length > 0 ? (
          <Table caption="Erasure requests">
            <thead>
              <tr>
                <Th>Guest</Th>
                <Th>Requested</Th>
                <Th>By</Th>
                <Th>State</Th>
                <Th>Waiting for</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.data.items.map((e) => (
                <Row key={e.request_id} e={e} />
              ))}
            </tbody>
          </Table>
        ) : null}
        {page.data?.next_offset ? (
          <Button variant="secondary" className="mt-3" onClick={() => setOffset(page.data?.next_offset ?? 0)}>
            Older requests
          </Button>
        ) : null}
      </Card>
      <RetentionRuns enterpriseId={enterpriseId} />
    </>
  );
}

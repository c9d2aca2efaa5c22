import { ProblemAlert } from "../../components/ProblemAlert";
import { Card, Empty, Loading, Table, Td, Th } from "../../components/ui";
import { useHotel } from "../../lib/hotel";
import { useRetentionRuns, type RetentionRun } from "./api";

function Row({ run }: { run: RetentionRun }) {
  const hotel = useHotel(run.enterprise_id);
  return (
    <tr>
      <Td>{hotel.dateTime(run.ran_at)}</Td>
      <Td>{hotel.property?.name ?? run.enterprise_id}</Td>
      <Td>{run.months} months</Td>
      <Td>{hotel.dateTime(run.cutoff)}</Td>
      <Td>{run.erased}</Td>
    </tr>
  );
}

/** What the retention schedule did: each sweep, its limit, and how many guests past it it
 * erased (their requests are in the list above, marked "Retention limit"). */
export function RetentionRuns({ enterpriseId }: { enterpriseId: string | null }) {
  const runs = useRetentionRuns(enterpriseId);
  return (
    <Card title="Retention sweeps">
      {runs.isLoading ? <Loading /> : null}
      <ProblemAlert error={runs.error} />
      {runs.data && runs.data.items.length === 0 ? <Empty>No retention sweep has run yet.</Empty> : null}
      {runs.data && runs.data.items.length > 0 ? (
        <Table caption="Retention sweeps">
          <thead>
            <tr>
              <Th>Ran</Th>
              <Th>Hotel</Th>
              <Th>Limit</Th>
              <Th>Stays ended before</Th>
              <Th>Guests erased</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {runs.data.items.map((run) => (
              <Row key={run.run_id} run={run} />
            ))}
          </tbody>
        </Table>
      ) : null}
    </Card>
  );
}

import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { formatMoney } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Card, Empty, Loading, Table, Td, TextField, Th } from "../../components/ui";

function monthStart(): string {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), 1).toLocaleDateString("en-CA");
}

function today(): string {
  return new Date().toLocaleDateString("en-CA");
}

/** The vendor's posted charges per currency between two dates (local days, inclusive). */
export function Settlement({ vendorId }: { vendorId: string }) {
  const [from, setFrom] = useState(monthStart);
  const [to, setTo] = useState(today);
  const fromIso = from ? new Date(`${from}T00:00:00`).toISOString() : "";
  const toIso = to ? new Date(new Date(`${to}T00:00:00`).getTime() + 86_400_000).toISOString() : "";
  const settlement = useQuery({
    queryKey: ["settlement", vendorId, fromIso, toIso],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/vendors/{vendor_id}/settlement", {
          params: { path: { vendor_id: vendorId }, query: { from: fromIso, to: toIso } },
        }),
      ),
    enabled: Boolean(fromIso && toIso),
  });
  return (
    <Card title="Settlement">
      <div className="mb-3 flex flex-wrap gap-3">
        <TextField label="From" type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
        <TextField label="To" type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
      </div>
      <ProblemAlert error={settlement.error} />
      {settlement.isLoading ? (
        <Loading />
      ) : settlement.data?.totals.length ? (
        <Table caption="Settlement totals per currency">
          <thead>
            <tr>
              <Th>Currency</Th>
              <Th>Charges</Th>
              <Th>Total</Th>
            </tr>
          </thead>
          <tbody>
            {settlement.data.totals.map((t) => (
              <tr key={t.currency}>
                <Td>{t.currency}</Td>
                <Td>{t.charges}</Td>
                <Td className="font-semibold">{formatMoney(t.amount, t.currency)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : settlement.data ? (
        <Empty>No posted charges in this period.</Empty>
      ) : null}
    </Card>
  );
}

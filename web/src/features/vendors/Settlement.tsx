import { useState } from "react";
import { formatMoney, hotelInputToIso, monthStartIn, nextDay } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Button, Card, Empty, Loading, Table, Td, TextField, Th } from "../../components/ui";
import { useHotel } from "../../lib/hotel";
import { downloadSettlementCsv, useSettlement } from "./api";

/** The vendor's posted charges per currency between two dates (the hotel's days, inclusive). */
export function Settlement({ vendorId, enterpriseId }: { vendorId: string; enterpriseId: string }) {
  const hotel = useHotel(enterpriseId);
  // This month at the hotel until other days are picked.
  const [picked, setPicked] = useState<{ from?: string; to?: string }>({});
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const [downloading, setDownloading] = useState(false);
  const from = picked.from ?? monthStartIn(hotel.zone);
  const to = picked.to ?? hotel.today();
  const fromIso = (from && hotelInputToIso(from, hotel.zone)) || "";
  const toIso = (to && hotelInputToIso(nextDay(to), hotel.zone)) || "";
  const settlement = useSettlement(vendorId, fromIso, toIso, Boolean(fromIso && toIso) && !hotel.loading);
  return (
    <Card title="Settlement">
      <div className="mb-3 flex flex-wrap gap-3">
        <TextField
          label="From"
          type="date"
          value={from}
          max={to}
          onChange={(e) => setPicked((p) => ({ ...p, from: e.target.value }))}
        />
        <TextField
          label="To"
          type="date"
          value={to}
          min={from}
          onChange={(e) => setPicked((p) => ({ ...p, to: e.target.value }))}
        />
        <Button
          variant="secondary"
          className="self-end"
          disabled={!fromIso || !toIso || downloading}
          onClick={() => {
            setDownloading(true);
            setDownloadError(null);
            downloadSettlementCsv(vendorId, fromIso, toIso)
              .catch(setDownloadError)
              .finally(() => setDownloading(false));
          }}
        >
          {downloading ? "Downloading…" : "Download CSV"}
        </Button>
      </div>
      <ProblemAlert error={settlement.error ?? downloadError} />
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

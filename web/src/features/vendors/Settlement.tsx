import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { API_ORIGIN, api, authFetch, unwrap } from "../../api/client";
import { isProblem, toApiError } from "../../api/problem";
import { formatMoney, hotelInputToIso, monthStartIn, nextDay } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Button, Card, Empty, Loading, Table, Td, TextField, Th } from "../../components/ui";
import { useHotel } from "../properties/hotel";

/** Save the settlement's lines as the CSV file the gateway makes (`Accept: text/csv`). */
async function downloadCsv(vendorId: string, fromIso: string, toIso: string): Promise<void> {
  const query = new URLSearchParams({ from: fromIso, to: toIso });
  const response = await authFetch(
    new Request(`${API_ORIGIN}/api/v1/vendors/${encodeURIComponent(vendorId)}/settlement?${query}`, {
      headers: { Accept: "text/csv" },
    }),
  );
  if (!response.ok) {
    // The gateway's problem (or the status): a refusal is not a lost connection.
    const body: unknown = await response.json().catch(() => null);
    throw toApiError(isProblem(body) ? body : `The settlement could not be downloaded (${response.status}).`, response);
  }
  const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "");
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(window.document.createElement("a"), {
    href: url,
    download: named?.[1] ?? "settlement.csv",
  });
  link.click();
  URL.revokeObjectURL(url);
}

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
  const settlement = useQuery({
    queryKey: ["settlement", vendorId, fromIso, toIso],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/vendors/{vendor_id}/settlement", {
          params: { path: { vendor_id: vendorId }, query: { from: fromIso, to: toIso } },
        }),
      ),
    enabled: Boolean(fromIso && toIso) && !hotel.loading,
  });
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
            downloadCsv(vendorId, fromIso, toIso)
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

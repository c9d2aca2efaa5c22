import type { components } from "../../api/schema";
import { ProblemAlert } from "../../components/ProblemAlert";
import { formatMoney, humanize } from "../../components/format";
import { Badge, Empty, Loading, Table, Td, Th } from "../../components/ui";
import { useHotel } from "../../lib/hotel";
import { useStayBill } from "./api";

type StayBillReply = components["schemas"]["StayBillReply"];

/** Items that do not count towards what the guest owes (Mews accounting states). */
const NOT_OWED = new Set(["Canceled", "Inactive"]);

/** The bill's state as the front desk says it: open while the guest stays, closed (settled) after. */
function billState(reply: StayBillReply): string {
  const bills = reply.bill?.bills ?? [];
  if (bills.length === 0) return "no bill yet";
  return bills.some((b) => b.state === "Open") ? "open" : "closed";
}

/** A stay's bill: its items (ours marked), the payments taken, and the balance, in the hotel's currency. */
export function StayBill({ reply }: { reply: StayBillReply }) {
  const hotel = useHotel(reply.enterprise_id);
  const bill = reply.bill;
  const currency = bill?.currency ?? reply.currency ?? "";
  if (!bill) return <Empty>Nothing has been charged or paid for this stay yet.</Empty>;
  const state = billState(reply);
  const owed = Number(bill.balance);
  return (
    <div className="space-y-3">
      <p className="flex flex-wrap items-center gap-2 text-sm">
        <span>Bill</span>
        <Badge tone={state === "open" ? "blue" : "green"}>{state}</Badge>
        <span className="ml-auto font-semibold" aria-label="Balance">
          {owed > 0 ? "Balance due " : owed < 0 ? "In credit " : "Settled "}
          {formatMoney(String(Math.abs(owed)), currency)}
        </span>
      </p>
      <Table caption="Charges on the bill">
        <thead>
          <tr>
            <Th>Item</Th>
            <Th>Quantity</Th>
            <Th>Total</Th>
            <Th>State</Th>
          </tr>
        </thead>
        <tbody>
          {bill.items.map((item) => (
            <tr key={item.mews_id} className={NOT_OWED.has(item.state) ? "text-slate-500 line-through" : ""}>
              <Td>
                {item.name}
                {item.ours ? <span className="text-xs text-slate-600"> (booked here)</span> : null}
              </Td>
              <Td>
                {Number(item.quantity)}
                {item.unit_amount ? ` × ${formatMoney(item.unit_amount, item.currency)}` : ""}
              </Td>
              <Td>{formatMoney(item.total_amount, item.currency)}</Td>
              <Td>{humanize(item.state)}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {bill.payments.length > 0 ? (
        <Table caption="Payments">
          <thead>
            <tr>
              <Th>Paid</Th>
              <Th>How</Th>
              <Th>Amount</Th>
              <Th>State</Th>
            </tr>
          </thead>
          <tbody>
            {bill.payments.map((p) => (
              <tr key={p.mews_id}>
                <Td>{p.charged_utc ? hotel.dateTime(p.charged_utc) : "—"}</Td>
                <Td>{p.type ? humanize(p.type.replace(/Payment$/, "")) : "—"}</Td>
                <Td>{formatMoney(p.amount, p.currency)}</Td>
                <Td>{humanize(p.state)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : (
        <p className="text-sm text-slate-600">No payments yet.</p>
      )}
      <dl className="grid grid-cols-2 gap-1 text-sm">
        <dt>Charged</dt>
        <dd className="text-right">{formatMoney(bill.total_charged, currency)}</dd>
        <dt>Paid</dt>
        <dd className="text-right">{formatMoney(bill.total_paid, currency)}</dd>
        <dt className="font-semibold">Balance</dt>
        <dd className="text-right font-semibold">{formatMoney(bill.balance, currency)}</dd>
      </dl>
    </div>
  );
}

/** The bill of one stay, fetched for the caller (hotel staff only). */
export function StayBillSection({
  enterpriseId,
  stayId,
  portfolioWide,
}: {
  enterpriseId: string | null;
  stayId: string;
  portfolioWide: boolean;
}) {
  const bill = useStayBill(enterpriseId, stayId, portfolioWide);
  if (bill.isLoading) return <Loading />;
  if (bill.error || !bill.data) return <ProblemAlert error={bill.error} />;
  return <StayBill reply={bill.data} />;
}

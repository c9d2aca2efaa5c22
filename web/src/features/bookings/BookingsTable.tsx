import { useState } from "react";
import { Link } from "react-router-dom";
import { useQueries } from "@tanstack/react-query";
import type { BookingView } from "../../api/types";
import { formatLine } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Badge, Button, Empty, Table, Td, Th } from "../../components/ui";
import { useHotel } from "../../lib/hotel";
import { offeringQuery } from "../../api/vendors";
import { useBookingAction } from "./api";
import { ACTIONS, ACTION_LABELS, needsReason, ReasonForm } from "./BookingActions";

interface Props {
  bookings: BookingView[];
  caption: string;
  /** May confirm, decline, fulfil, cancel. */
  canManage?: boolean;
  /** Link guests to their page (staff). */
  linkGuests?: boolean;
  /** Leave out the guest column (the page is the guest's). */
  hideGuest?: boolean;
  /** Names of the offerings, when the page has them; the others are looked up. */
  offeringNames?: Record<string, string>;
  vendorNames?: Record<string, string>;
}

/** The offering names `known` lacks, looked up one by one (a page shows few offerings). */
function useOfferingNames(bookings: BookingView[], known: Record<string, string> | undefined): Record<string, string> {
  const missing = [...new Set(bookings.map((b) => b.offering_id))].filter((id) => !known?.[id]);
  const found = useQueries({ queries: missing.map((id) => offeringQuery(id)) });
  const names = { ...known };
  for (const query of found) if (query.data) names[query.data.offering_id] = query.data.name;
  return names;
}

export function BookingsTable({
  bookings,
  caption,
  canManage,
  linkGuests,
  hideGuest,
  offeringNames,
  vendorNames,
}: Props) {
  const action = useBookingAction();
  const [asking, setAsking] = useState<{ id: string; action: "decline" | "cancel" } | null>(null);
  const names = useOfferingNames(bookings, offeringNames);
  const hotel = useHotel(bookings[0]?.enterprise_id);
  if (bookings.length === 0) return <Empty>No bookings.</Empty>;
  return (
    <>
      <ProblemAlert error={action.error} className="mb-2" />
      <Table caption={caption}>
        <thead>
          <tr>
            <Th>Service</Th>
            {vendorNames ? <Th>Vendor</Th> : null}
            {hideGuest ? null : <Th>Guest</Th>}
            <Th>Qty</Th>
            <Th>Total</Th>
            <Th>When</Th>
            <Th>State</Th>
            {canManage ? <Th>Actions</Th> : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {bookings.map((b) => {
            const busy = action.isPending && action.variables?.id === b.booking_id;
            return (
              <tr key={b.booking_id}>
                <Td>
                  <Link className="text-indigo-700 underline" to={`/bookings/${b.booking_id}`}>
                    {names[b.offering_id] ?? "Open booking"}
                  </Link>
                  {b.notes ? <p className="text-xs text-slate-500">{b.notes}</p> : null}
                </Td>
                {vendorNames ? <Td>{vendorNames[b.vendor_id] ?? b.vendor_id}</Td> : null}
                {hideGuest ? null : (
                  <Td>
                    {linkGuests ? (
                      <Link className="text-indigo-700 underline" to={`/guests/${b.guest_id}`}>
                        View guest
                      </Link>
                    ) : (
                      <span className="font-mono text-xs">{b.guest_id}</span>
                    )}
                  </Td>
                )}
                <Td>{b.quantity}</Td>
                <Td>{formatLine(b.unit_price, b.quantity, b.currency)}</Td>
                <Td>{hotel.dateTime(b.scheduled_for)}</Td>
                <Td>
                  <Badge>{b.state}</Badge>
                  {b.state_reason ? <p className="text-xs text-slate-500">{b.state_reason}</p> : null}
                </Td>
                {canManage ? (
                  <Td>
                    <div className="flex flex-wrap gap-1">
                      {(ACTIONS[b.state] ?? []).map((a) => (
                        <Button
                          key={a}
                          variant={needsReason(a) ? "secondary" : "primary"}
                          disabled={busy}
                          aria-label={`${ACTION_LABELS[a]} booking ${names[b.offering_id] ?? b.booking_id}`}
                          onClick={() =>
                            needsReason(a)
                              ? setAsking({ id: b.booking_id, action: a })
                              : action.mutate({ id: b.booking_id, action: a })
                          }
                        >
                          {ACTION_LABELS[a]}
                        </Button>
                      ))}
                    </div>
                    {asking?.id === b.booking_id ? (
                      <ReasonForm
                        action={asking.action}
                        busy={busy}
                        onClose={() => setAsking(null)}
                        onSubmit={(reason) =>
                          action.mutate(
                            { id: b.booking_id, action: asking.action, reason },
                            { onSuccess: () => setAsking(null) },
                          )
                        }
                      />
                    ) : null}
                  </Td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </Table>
    </>
  );
}

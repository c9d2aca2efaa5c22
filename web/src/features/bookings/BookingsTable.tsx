import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import type { BookingView } from "../../api/types";
import { formatDateTime, formatMoney } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Badge, Button, Empty, Table, Td, Th } from "../../components/ui";
import { useBookingAction, type BookingAction } from "./api";

interface Props {
  bookings: BookingView[];
  caption: string;
  /** May confirm, decline, fulfil, cancel. */
  canManage?: boolean;
  /** Link guests to their page (staff). */
  linkGuests?: boolean;
  offeringNames?: Record<string, string>;
  vendorNames?: Record<string, string>;
}

const ACTIONS: Record<string, BookingAction[]> = {
  requested: ["confirm", "decline", "cancel"],
  confirmed: ["fulfil", "cancel"],
};

const LABELS: Record<BookingAction, string> = {
  confirm: "Confirm",
  decline: "Decline",
  fulfil: "Fulfil",
  cancel: "Cancel",
};

function ReasonForm({
  action,
  onSubmit,
  onClose,
  busy,
}: {
  action: "decline" | "cancel";
  onSubmit(reason: string): void;
  onClose(): void;
  busy: boolean;
}) {
  const [reason, setReason] = useState("");
  return (
    <form
      className="mt-2 flex flex-wrap items-end gap-2"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit(reason);
      }}
    >
      <label className="text-xs font-medium text-slate-700">
        Reason (optional)
        <input
          autoFocus
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={2000}
          className="mt-1 block rounded-md border border-slate-300 px-2 py-1 text-sm"
        />
      </label>
      <Button type="submit" variant="danger" disabled={busy}>
        {action === "decline" ? "Decline booking" : "Cancel booking"}
      </Button>
      <Button variant="ghost" onClick={onClose}>
        Back
      </Button>
    </form>
  );
}

export function BookingsTable({ bookings, caption, canManage, linkGuests, offeringNames, vendorNames }: Props) {
  const action = useBookingAction();
  const [asking, setAsking] = useState<{ id: string; action: "decline" | "cancel" } | null>(null);
  if (bookings.length === 0) return <Empty>No bookings.</Empty>;
  return (
    <>
      <ProblemAlert error={action.error} className="mb-2" />
      <Table caption={caption}>
        <thead>
          <tr>
            <Th>Service</Th>
            {vendorNames ? <Th>Vendor</Th> : null}
            <Th>Guest</Th>
            <Th>Qty</Th>
            <Th>Price</Th>
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
                  {offeringNames?.[b.offering_id] ?? <span className="font-mono text-xs">{b.offering_id}</span>}
                  {b.notes ? <p className="text-xs text-slate-500">{b.notes}</p> : null}
                </Td>
                {vendorNames ? <Td>{vendorNames[b.vendor_id] ?? b.vendor_id}</Td> : null}
                <Td>
                  {linkGuests ? (
                    <Link className="text-indigo-700 underline" to={`/guests/${b.guest_id}`}>
                      View guest
                    </Link>
                  ) : (
                    <span className="font-mono text-xs">{b.guest_id}</span>
                  )}
                </Td>
                <Td>{b.quantity}</Td>
                <Td>{formatMoney(b.unit_price, b.currency)}</Td>
                <Td>{formatDateTime(b.scheduled_for)}</Td>
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
                          variant={a === "decline" || a === "cancel" ? "secondary" : "primary"}
                          disabled={busy}
                          aria-label={`${LABELS[a]} booking ${offeringNames?.[b.offering_id] ?? b.booking_id}`}
                          onClick={() =>
                            a === "decline" || a === "cancel"
                              ? setAsking({ id: b.booking_id, action: a })
                              : action.mutate({ id: b.booking_id, action: a })
                          }
                        >
                          {LABELS[a]}
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

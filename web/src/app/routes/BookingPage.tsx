import { useState, type ReactNode } from "react";
import { Link, useParams } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";
import { ApiError } from "../../api/problem";
import type { BookingView, ChargeView } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { formatMoney, fullName, lineTotal } from "../../components/format";
import { Badge, Button, Card, Loading, PageHeader } from "../../components/ui";
import { useEnterprise } from "../../lib/enterprise";
import { hasPermission, useSession } from "../../lib/session";
import { useGuest } from "../../features/guests/api";
import { Companions, roomLabel, StayNotes, stayNotes } from "../../components/stay";
import { useHotel } from "../../lib/hotel";
import { offeringQuery, vendorQuery } from "../../api/vendors";
import { useBooking, useBookingAction, useCharge, useRetryCharge } from "../../features/bookings/api";
import { ACTIONS, ACTION_LABELS, needsReason, ReasonForm } from "../../features/bookings/BookingActions";
import { ApprovalActions, ApprovalNote } from "../../features/bookings/ChargeApproval";
import { CancelChargeAction, CancellationNote } from "../../features/bookings/ChargeCancellation";

function useOffering(offeringId: string | undefined) {
  return useQuery({ ...offeringQuery(offeringId ?? ""), enabled: !!offeringId });
}

function useVendor(vendorId: string | undefined) {
  return useQuery({ ...vendorQuery(vendorId ?? ""), enabled: !!vendorId });
}

/** A 404 (or 403) for the booking: it does not exist, or it is another vendor's. */
function isNoAccess(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 403);
}

function Details({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="font-medium text-slate-600">{label}</dt>
          <dd className="whitespace-pre-line">{value ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

function Actions({ booking, label }: { booking: BookingView; label: string }) {
  const action = useBookingAction();
  const [asking, setAsking] = useState<"decline" | "cancel" | null>(null);
  const allowed = ACTIONS[booking.state] ?? [];
  if (allowed.length === 0) return null;
  return (
    <Card title="Actions">
      <ProblemAlert error={action.error} className="mb-2" />
      <div className="flex flex-wrap gap-2">
        {allowed.map((a) => (
          <Button
            key={a}
            variant={needsReason(a) ? "secondary" : "primary"}
            disabled={action.isPending}
            aria-label={`${ACTION_LABELS[a]} booking ${label}`}
            onClick={() => (needsReason(a) ? setAsking(a) : action.mutate({ id: booking.booking_id, action: a }))}
          >
            {ACTION_LABELS[a]}
          </Button>
        ))}
      </div>
      {asking ? (
        <ReasonForm
          action={asking}
          busy={action.isPending}
          onClose={() => setAsking(null)}
          onSubmit={(reason) =>
            action.mutate(
              { id: booking.booking_id, action: asking, reason },
              { onSuccess: () => setAsking(null) },
            )
          }
        />
      ) : null}
    </Card>
  );
}

function Charge({
  chargeId,
  canRetry,
  canApprove,
  canCancel,
}: {
  chargeId: string | null | undefined;
  canRetry: boolean;
  canApprove: boolean;
  canCancel: boolean;
}) {
  const charge = useCharge(chargeId);
  const retry = useRetryCharge();
  const hotel = useHotel(charge.data?.enterprise_id);
  if (!chargeId) {
    return (
      <Card title="Charge">
        <p className="text-sm text-slate-600">
          No charge yet: fulfilling the booking charges it to the guest's bill in Mews.
        </p>
      </Card>
    );
  }
  const c: ChargeView | undefined = charge.data;
  return (
    <Card title="Charge">
      <ProblemAlert error={charge.error ?? retry.error} className="mb-2" />
      {charge.isLoading ? (
        <Loading />
      ) : c ? (
        <>
          <Details
            rows={[
              ["Description", c.description],
              ["Amount", `${formatMoney(c.amount, c.currency)} (${c.quantity} × ${formatMoney(c.unit_amount, c.currency)})`],
              [
                "Posting",
                <>
                  <Badge>{c.state}</Badge>
                  {c.state === "pending" ? (
                    <span className="ml-2 text-xs text-slate-600">on its way to the guest's bill in Mews</span>
                  ) : null}
                  <ApprovalNote charge={c} />
                  <CancellationNote charge={c} />
                </>,
              ],
              ["Posted", hotel.dateTime(c.posted_at)],
              ["Mews order", c.mews_order_id ? <span className="font-mono text-xs">{c.mews_order_id}</span> : "—"],
              ["Reference", <span className="font-mono text-xs">{c.reference}</span>],
              ...(c.failure_reason
                ? ([["Failure", `${c.failure_reason} (${c.attempts} ${c.attempts === 1 ? "attempt" : "attempts"})`]] as [
                    string,
                    ReactNode,
                  ][])
                : []),
            ]}
          />
          {canApprove ? (
            <div className="mt-3">
              <ApprovalActions charge={c} />
            </div>
          ) : null}
          {c.approved_by ? (
            <p className="mt-2 text-xs text-slate-600">Approved {hotel.dateTime(c.approved_at)}.</p>
          ) : null}
          {canCancel ? (
            <div className="mt-3">
              <CancelChargeAction charge={c} />
            </div>
          ) : null}
          {canRetry && c.state === "failed" ? (
            <Button
              className="mt-3"
              variant="secondary"
              disabled={retry.isPending}
              onClick={() => retry.mutate(c.charge_id)}
            >
              Retry posting
            </Button>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}

/** `/bookings/:bookingId`: one booking, its charge and what may be done with it. */
export function BookingPage() {
  const { bookingId = "" } = useParams();
  const user = useSession((s) => s.user);
  const { portfolioWide } = useEnterprise();
  const booking = useBooking(bookingId);
  const b = booking.data;
  const offering = useOffering(b?.offering_id);
  const vendor = useVendor(b?.vendor_id);
  const guest = useGuest(b?.enterprise_id ?? null, b?.guest_id ?? "", portfolioWide, !!b);
  const hotel = useHotel(b?.enterprise_id);
  const isVendor = user?.role === "vendor";

  if (booking.isLoading) return <Loading />;
  if (isNoAccess(booking.error)) {
    return (
      <div className="rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <h1 className="text-xl font-semibold">Booking not found</h1>
        <p className="mt-2 text-sm text-slate-600">
          There is no booking with this id, or your account has no access to it.
        </p>
        <Link className="mt-3 inline-block text-indigo-700 underline" to="/">
          Go to your start page
        </Link>
      </div>
    );
  }
  if (!b) return <ProblemAlert error={booking.error} />;

  const offeringName = offering.data?.name ?? "Service";
  const guestName = guest.data ? fullName(guest.data.guest) : null;
  const stay = guest.data?.stays.find((s) => s.stay_id === b.stay_id);
  const room = stay ? roomLabel(stay) : null;
  const aboutTheStay: [string, ReactNode][] = [];
  if (stay?.guests?.some((g) => g.role === "companion")) aboutTheStay.push(["Companions", <Companions stay={stay} />]);
  if (stay && stayNotes(stay).length) aboutTheStay.push(["Stay notes", <StayNotes stay={stay} />]);
  const total = lineTotal(b.unit_price, b.quantity);
  const canManage = hasPermission(user, "bookings:manage", "bookings:manage:own");

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        {isVendor ? (
          <Link className="text-indigo-700 underline" to="/vendor">
            My vendor
          </Link>
        ) : (
          <Link className="text-indigo-700 underline" to={`/vendors/${b.vendor_id}`}>
            {vendor.data?.name ?? "Vendor"}
          </Link>
        )}
      </nav>
      <PageHeader title={guestName ? `${offeringName} for ${guestName}` : offeringName} />
      <ProblemAlert error={offering.error ?? vendor.error ?? guest.error} className="mb-3" />
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <Card title="Booking">
            <Details
              rows={[
                [
                  "Guest",
                  guestName ? (
                    <Link className="text-indigo-700 underline" to={`/guests/${b.guest_id}`}>
                      {guestName}
                    </Link>
                  ) : (
                    "—"
                  ),
                ],
                ["Reservation", stay ? `${stay.number ?? "—"}${room ? `, room ${room}` : ""}` : "—"],
                ...aboutTheStay,
                ["Vendor", vendor.data?.name ?? "—"],
                ["Service", offering.data?.name ?? "—"],
                ["Quantity", String(b.quantity)],
                ["Price", `${formatMoney(b.unit_price, b.currency)} each, ${formatMoney(total, b.currency)} in all`],
                ["When", b.scheduled_for ? hotel.dateTime(b.scheduled_for) : "Any time"],
                ["Notes", b.notes || "—"],
                [
                  "State",
                  <>
                    <Badge>{b.state}</Badge>
                    {b.state_reason ? <span className="ml-2 text-slate-600">{b.state_reason}</span> : null}
                  </>,
                ],
                ["Booked", hotel.dateTime(b.created_at)],
                ["Last change", hotel.dateTime(b.updated_at)],
              ]}
            />
          </Card>
          <Charge
            chargeId={b.charge_id}
            canRetry={hasPermission(user, "charges:retry")}
            canApprove={hasPermission(user, "charges:approve")}
            canCancel={hasPermission(user, "charges:cancel")}
          />
        </div>
        <div className="space-y-4">{canManage ? <Actions booking={b} label={offeringName} /> : null}</div>
      </div>
    </>
  );
}

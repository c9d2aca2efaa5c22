import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import type { AnyStay, StaffGuestDetail, TimelineEntry } from "../../api/types";
import { EnterprisePicker, NeedsEnterprise } from "../../components/EnterprisePicker";
import { ProblemAlert } from "../../components/ProblemAlert";
import { formatDate, formatLine, fullName } from "../../components/format";
import { Badge, Button, Card, Empty, Loading, PageHeader } from "../../components/ui";
import { useEnterprise } from "../../lib/enterprise";
import { hasPermission, useSession } from "../../lib/session";
import { BookingForm } from "../../features/bookings/BookingForm";
import { BookingsTable } from "../../features/bookings/BookingsTable";
import { useBookings } from "../../features/bookings/api";
import { useHotel } from "../../lib/hotel";
import { useExportGuest, useGuest } from "../../features/guests/api";
import { conflicts } from "../../features/guests/edits";
import { ConflictResolver, FailedEdits, GuestEditForm, SyncStateBadge } from "../../features/guests/GuestEditing";
import { StaysTable } from "../../features/guests/StaysTable";
import { StayBillSection } from "../../features/bills/StayBill";
import { EraseGuest } from "../../features/privacy/EraseGuest";
import { GuestAccessLog } from "../../features/privacy/GuestAccessLog";

/** Stays that have a bill worth showing: the guest is in, or has been. */
const BILLED = new Set(["started", "processed"]);

/** Stays a service can still be booked for. */
const BOOKABLE = new Set(["confirmed", "started", "optional", "requested"]);

function Contact({ detail }: { detail: StaffGuestDetail }) {
  const g = detail.guest;
  const rows: [string, string | null | undefined][] = [
    ["Email", g.email],
    ["Phone", g.phone],
    ["Language", g.language_code],
    ["Nationality", g.nationality_code],
    ["Birth date", g.birth_date ? formatDate(g.birth_date) : null],
    ["Classifications", g.classifications?.join(", ")],
    ["Notes", g.notes],
  ];
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="font-medium text-slate-600">{label}</dt>
          <dd className="whitespace-pre-line">{value || "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

function describe(entry: TimelineEntry): string {
  if (entry.booking) return `Booking ${entry.event} (${entry.booking.state}, × ${entry.booking.quantity})`;
  if (entry.charge) {
    const c = entry.charge;
    return `Charge ${entry.event}: ${c.description} ${formatLine(c.unit_amount, c.quantity, c.currency)} (${c.state})`;
  }
  return `${entry.kind} ${entry.event}`.replace(/_/g, " ");
}

function Timeline({ entries, enterpriseId }: { entries: TimelineEntry[]; enterpriseId: string }) {
  const hotel = useHotel(enterpriseId);
  if (entries.length === 0) return <Empty>Nothing yet.</Empty>;
  return (
    <ol className="space-y-2 border-l-2 border-slate-200 pl-4">
      {entries.map((entry, i) => (
        <li key={`${entry.ref_id}-${entry.at}-${i}`} className="text-sm">
          <time dateTime={entry.at} className="block text-xs text-slate-500">
            {hotel.dateTime(entry.at)}
          </time>
          {describe(entry)}
        </li>
      ))}
    </ol>
  );
}

export function GuestPage() {
  const { guestId = "" } = useParams();
  const { enterpriseId, portfolioWide } = useEnterprise();
  const user = useSession((s) => s.user);
  const guest = useGuest(enterpriseId, guestId, portfolioWide);
  const canBook = hasPermission(user, "bookings:create");
  const bookings = useBookings({ guest_id: guestId }, hasPermission(user, "bookings:read"));
  const [bookingFor, setBookingFor] = useState<AnyStay | null>(null);
  const exporter = useExportGuest(enterpriseId, guestId, portfolioWide);
  const [editing, setEditing] = useState(false);
  const canEdit = hasPermission(user, "guests:edit");
  const canReadBills = hasPermission(user, "stays:bill:read");

  if (portfolioWide && !enterpriseId) {
    return (
      <>
        <PageHeader title="Guest">
          <EnterprisePicker />
        </PageHeader>
        <NeedsEnterprise />
      </>
    );
  }
  if (guest.isLoading) return <Loading />;
  if (guest.error || !guest.data) return <ProblemAlert error={guest.error} />;

  const detail = guest.data;
  const staff = detail.view === "staff" ? detail : null;
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link className="text-indigo-700 underline" to="/guests">
          Guests
        </Link>
      </nav>
      <PageHeader title={fullName(detail.guest)}>
        {staff && !staff.guest.is_active ? <Badge tone="slate">inactive</Badge> : null}
        {hasPermission(user, "guests:export") ? (
          <Button variant="secondary" disabled={exporter.isPending} onClick={() => exporter.mutate()}>
            {exporter.isPending ? "Exporting…" : "Export guest data"}
          </Button>
        ) : null}
        {staff && hasPermission(user, "guests:erase") ? (
          <EraseGuest
            guestName={fullName(detail.guest)}
            guestId={detail.guest.guest_id}
            enterpriseId={enterpriseId}
            portfolioWide={portfolioWide}
          />
        ) : null}
      </PageHeader>
      <ProblemAlert error={exporter.error} className="mb-2" />
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <Card title="Stays">
            <StaysTable
              caption="The guest's stays"
              stays={detail.stays}
              actions={
                canBook
                  ? (stay) =>
                      BOOKABLE.has(stay.state) ? (
                        <Button variant="secondary" onClick={() => setBookingFor(stay)}>
                          Book a service
                        </Button>
                      ) : null
                  : undefined
              }
            />
          </Card>
          {bookingFor ? (
            <Card title={`Book a service for reservation ${bookingFor.number ?? ""}`.trim()}>
              <BookingForm
                key={bookingFor.stay_id}
                enterpriseId={detail.guest.enterprise_id}
                guestId={detail.guest.guest_id}
                stayId={bookingFor.stay_id}
                onCancel={() => setBookingFor(null)}
              />
            </Card>
          ) : null}
          {canReadBills
            ? detail.stays
                .filter((stay) => BILLED.has(stay.state))
                .map((stay) => (
                  <Card key={stay.stay_id} title={`Bill for reservation ${stay.number ?? ""}`.trim()}>
                    <StayBillSection enterpriseId={enterpriseId} stayId={stay.stay_id} portfolioWide={portfolioWide} />
                  </Card>
                ))
            : null}
          {bookings.data ? (
            <Card title="Bookings">
              <BookingsTable
                caption="The guest's bookings"
                bookings={bookings.data.items}
                hideGuest
                canManage={hasPermission(user, "bookings:manage")}
              />
            </Card>
          ) : null}
        </div>
        <div className="space-y-4">
          {staff && conflicts(staff.edits ?? []).length > 0 ? (
            <Card title="Waiting for your choice">
              <ConflictResolver
                edits={staff.edits ?? []}
                guestId={staff.guest.guest_id}
                enterpriseId={enterpriseId}
                portfolioWide={portfolioWide}
              />
            </Card>
          ) : null}
          {staff ? (
            <>
              <Card
                title="Contact"
                actions={
                  <div className="flex items-center gap-2">
                    <SyncStateBadge state={staff.guest.sync_state ?? "in_step"} />
                    {canEdit && !editing && staff.guest.is_active ? (
                      <Button variant="secondary" onClick={() => setEditing(true)}>
                        Edit
                      </Button>
                    ) : null}
                  </div>
                }
              >
                <FailedEdits edits={staff.edits ?? []} />
                {editing ? (
                  <GuestEditForm
                    guest={staff.guest}
                    enterpriseId={enterpriseId}
                    portfolioWide={portfolioWide}
                    onDone={() => setEditing(false)}
                  />
                ) : (
                  <Contact detail={staff} />
                )}
              </Card>
              <Card title="Timeline">
                <Timeline entries={staff.timeline} enterpriseId={staff.guest.enterprise_id} />
              </Card>
              {hasPermission(user, "audit:read") ? (
                <Card title="Access log">
                  <GuestAccessLog guestId={staff.guest.guest_id} enterpriseId={staff.guest.enterprise_id} />
                </Card>
              ) : null}
            </>
          ) : null}
        </div>
      </div>
    </>
  );
}

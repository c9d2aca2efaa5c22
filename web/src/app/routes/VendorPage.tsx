import { useMemo, useState } from "react";
import { Link, useParams } from "react-router-dom";
import type { BookingState, ChargeState } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Badge, Button, Card, Loading, PageHeader, SelectField } from "../../components/ui";
import { hasPermission, useSession } from "../../lib/session";
import { BookingsTable } from "../../features/bookings/BookingsTable";
import { ChargesTable } from "../../features/bookings/ChargesTable";
import { useBookings, useCharges } from "../../features/bookings/api";
import { useDeactivateVendor, useOfferings, useUpdateVendor, useVendor } from "../../features/vendors/api";
import { Offerings } from "../../features/vendors/Offerings";
import { Settlement } from "../../features/vendors/Settlement";
import { VendorForm, type VendorFields } from "../../features/vendors/VendorForm";

const BOOKING_STATES: BookingState[] = ["requested", "confirmed", "fulfilled", "declined", "cancelled", "expired", "refunded"];
const CHARGE_STATES: ChargeState[] = [
  "pending_approval",
  "pending",
  "posted",
  "failed",
  "rejected",
  "cancelling",
  "cancelled",
  "cancel_failed",
];

/** `/vendor`: a vendor user's own vendor. */
export function OwnVendorPage() {
  const vendorId = useSession((s) => s.user?.vendor_id);
  if (!vendorId) {
    return <p>Your account is not linked to a vendor. Ask an administrator.</p>;
  }
  return <VendorView vendorId={vendorId} own />;
}

/** `/vendors/:vendorId`: staff view of one vendor. */
export function VendorPage() {
  const { vendorId = "" } = useParams();
  return <VendorView vendorId={vendorId} own={false} />;
}

function VendorView({ vendorId, own }: { vendorId: string; own: boolean }) {
  const user = useSession((s) => s.user);
  const [editing, setEditing] = useState(false);
  const [bookingState, setBookingState] = useState<BookingState | "">(own ? "requested" : "");
  const [chargeState, setChargeState] = useState<ChargeState | "">("");
  const vendor = useVendor(vendorId);
  const offerings = useOfferings(vendorId, true);
  const offeringNames = useMemo(
    () => Object.fromEntries((offerings.data?.items ?? []).map((o) => [o.offering_id, o.name])),
    [offerings.data],
  );
  const bookings = useBookings({ vendor_id: vendorId, ...(bookingState ? { state: bookingState } : {}) });
  const charges = useCharges({ vendor_id: vendorId, ...(chargeState ? { state: chargeState } : {}) });

  const update = useUpdateVendor(vendorId);
  const deactivate = useDeactivateVendor(vendorId);

  if (vendor.isLoading) return <Loading />;
  if (!vendor.data) return <ProblemAlert error={vendor.error} />;
  const v = vendor.data;
  const canWrite = hasPermission(user, "vendors:write");
  const canManage = hasPermission(user, "bookings:manage", "bookings:manage:own");

  return (
    <>
      {!own ? (
        <nav aria-label="Breadcrumb" className="mb-2 text-sm">
          <Link className="text-indigo-700 underline" to="/vendors">
            Vendors
          </Link>
        </nav>
      ) : null}
      <PageHeader title={v.name}>
        <div className="flex items-center gap-2">
          <Badge tone={v.is_active ? "green" : "slate"}>{v.is_active ? "active" : "inactive"}</Badge>
          {canWrite && !editing ? (
            <Button variant="secondary" onClick={() => setEditing(true)}>
              Edit details
            </Button>
          ) : null}
          {canWrite && v.is_active ? (
            <Button
              variant="danger"
              disabled={deactivate.isPending}
              onClick={() => {
                if (window.confirm(`Deactivate ${v.name}? Its services can no longer be booked.`)) deactivate.mutate();
              }}
            >
              Deactivate
            </Button>
          ) : null}
        </div>
      </PageHeader>
      <ProblemAlert error={deactivate.error} className="mb-3" />
      <div className="space-y-4">
        {editing ? (
          <Card title="Details">
            <VendorForm
              vendor={v}
              submitLabel="Save vendor"
              busy={update.isPending}
              error={update.error}
              onSubmit={(fields: VendorFields) => update.mutate(fields, { onSuccess: () => setEditing(false) })}
              onCancel={() => setEditing(false)}
            />
          </Card>
        ) : (
          <p className="text-sm text-slate-600">
            {v.category}
            {v.contact_email ? ` · ${v.contact_email}` : ""}
            {v.contact_phone ? ` · ${v.contact_phone}` : ""}
          </p>
        )}
        <Card
          title={own ? "Incoming bookings" : "Bookings"}
          actions={
            <div className="w-44">
              <SelectField
                label="State"
                value={bookingState}
                onChange={(e) => setBookingState(e.target.value as BookingState | "")}
              >
                <option value="">All</option>
                {BOOKING_STATES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </SelectField>
            </div>
          }
        >
          <ProblemAlert error={bookings.error} />
          {bookings.isLoading ? (
            <Loading />
          ) : (
            <BookingsTable
              caption="Bookings"
              bookings={bookings.data?.items ?? []}
              canManage={canManage}
              linkGuests={!own}
              offeringNames={offeringNames}
            />
          )}
        </Card>
        <Offerings
          vendorId={vendorId}
          enterpriseId={v.enterprise_id}
          canWrite={hasPermission(user, "offerings:write", "offerings:write:own")}
        />
        <Card
          title="Charges"
          actions={
            <div className="w-44">
              <SelectField label="State" value={chargeState} onChange={(e) => setChargeState(e.target.value as ChargeState | "")}>
                <option value="">All</option>
                {CHARGE_STATES.map((s) => (
                  <option key={s} value={s}>
                    {s.replace(/_/g, " ")}
                  </option>
                ))}
              </SelectField>
            </div>
          }
        >
          <ProblemAlert error={charges.error} />
          {charges.isLoading ? (
            <Loading />
          ) : (
            <ChargesTable
              caption="Charges"
              charges={charges.data?.items ?? []}
              canRetry={hasPermission(user, "charges:retry")}
              canApprove={hasPermission(user, "charges:approve")}
              canCancel={hasPermission(user, "charges:cancel")}
            />
          )}
        </Card>
        <Settlement vendorId={vendorId} enterpriseId={v.enterprise_id} />
      </div>
    </>
  );
}

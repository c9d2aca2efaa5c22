import { useMemo, useState } from "react";
import { EnterprisePicker, NeedsEnterprise } from "../../components/EnterprisePicker";
import { ProblemAlert } from "../../components/ProblemAlert";
import { PhaseBadge } from "../../components/PropertyPhase";
import { Badge, Card, Empty, Loading, PageHeader, TextField } from "../../components/ui";
import { useEnterprise } from "../../lib/enterprise";
import { hasPermission, useSession } from "../../lib/session";
import { BookingsTable } from "../../features/bookings/BookingsTable";
import { ChargesTable } from "../../features/bookings/ChargesTable";
import { useVendors } from "../../api/vendors";
import { useBookings, useCharges } from "../../features/bookings/api";
import { useDayStays, type DayKind } from "../../features/guests/api";
import { StaysTable } from "../../features/guests/StaysTable";
import { useHotel, usePropertyNames } from "../../lib/hotel";
import { alarmLabel, healthy, lagLabel, useSyncOverview } from "../../features/sync/SyncPage";
import { dayListTitle } from "./dayTitles";

function DayList({ kind, date }: { kind: DayKind; date: string }) {
  const { enterpriseId, portfolioWide } = useEnterprise();
  const hotel = useHotel();
  // The hotel's day: asked for once its time zone is known (or known to be unknown).
  const stays = useDayStays(kind, enterpriseId, date, hotel.timeZone, portfolioWide, !hotel.loading);
  const count = stays.data?.items.length;
  const title = dayListTitle(kind, date, hotel.today());
  return (
    <Card title={`${title}${count !== undefined ? ` (${count}${stays.data?.next_cursor ? "+" : ""})` : ""}`}>
      <ProblemAlert error={stays.error} />
      {hotel.loading || stays.isLoading ? (
        <Loading />
      ) : stays.data ? (
        <StaysTable caption={title} stays={stays.data.items} />
      ) : null}
    </Card>
  );
}

function SyncHealth() {
  const sync = useSyncOverview();
  const { enterpriseId, portfolioWide } = useEnterprise();
  const names = usePropertyNames();
  const shown = (sync.data?.enterprises ?? []).filter((s) => portfolioWide || s.enterprise_id === enterpriseId);
  return (
    <Card title="Sync health">
      <ProblemAlert error={sync.error} />
      {sync.isLoading ? (
        <Loading />
      ) : shown.length ? (
        <ul className="space-y-2 text-sm">
          {shown.map((s) => (
            <li key={s.enterprise_id} className="flex flex-wrap items-center justify-between gap-2">
              <span>{s.sync?.property_name ?? names(s.enterprise_id)}</span>
              <span className="flex items-center gap-2">
                <PhaseBadge phase={s.phase} integrationState={s.ingest?.integration_state} />
                <Badge tone={healthy(s) ? "green" : "red"}>
                  {healthy(s) ? "healthy" : s.alarm === "red" ? `alarm: ${alarmLabel(s)}` : "attention"}
                </Badge>
                <span className="text-xs text-slate-600">lag {lagLabel(s)}</span>
              </span>
            </li>
          ))}
          {shown[0] ? (
            <li className="text-xs text-slate-600">Dead letters (all properties): {shown[0].dead_letters.total}</li>
          ) : null}
        </ul>
      ) : (
        <Empty>No sync status reported yet.</Empty>
      )}
    </Card>
  );
}

export function DashboardPage() {
  const user = useSession((s) => s.user);
  const { enterpriseId, portfolioWide } = useEnterprise();
  const hotel = useHotel();
  // Today at the hotel until another date is picked.
  const [picked, setPicked] = useState<string | null>(null);
  const date = picked ?? hotel.today();
  const ready = !portfolioWide || enterpriseId !== null;
  const scope = enterpriseId ? { enterprise_id: enterpriseId } : {};
  const pending = useBookings({ ...scope, state: "requested" }, ready && hasPermission(user, "bookings:read"));
  const failed = useCharges({ ...scope, state: "failed" }, ready && hasPermission(user, "charges:read"));
  const canApprove = hasPermission(user, "charges:approve");
  const awaiting = useCharges({ ...scope, state: "pending_approval" }, ready && canApprove);
  const vendors = useVendors(enterpriseId, true, ready && hasPermission(user, "vendors:read"));
  const vendorNames = useMemo(
    () => Object.fromEntries((vendors.data?.items ?? []).map((v) => [v.vendor_id, v.name])),
    [vendors.data],
  );

  return (
    <>
      <PageHeader title="Today">
        <div className="flex flex-wrap items-end gap-3">
          <EnterprisePicker />
          <TextField
            label="Date"
            type="date"
            value={date}
            onChange={(e) => setPicked(e.target.value || null)}
            hint={hotel.timeZone ? `The hotel's day (${hotel.timeZone})` : undefined}
          />
        </div>
      </PageHeader>
      {!ready ? (
        <NeedsEnterprise />
      ) : (
        <div className="grid gap-4 xl:grid-cols-3">
          <div className="space-y-4 xl:col-span-2">
            {canApprove ? (
              <Card title={`Charges awaiting approval${awaiting.data ? ` (${awaiting.data.total})` : ""}`}>
                <ProblemAlert error={awaiting.error} />
                {awaiting.isLoading ? (
                  <Loading />
                ) : (
                  <ChargesTable
                    caption="Charges awaiting a manager's approval"
                    charges={awaiting.data?.items ?? []}
                    canApprove
                    vendorNames={vendorNames}
                  />
                )}
              </Card>
            ) : null}
            <DayList kind="arrivals" date={date} />
            <DayList kind="in-house" date={date} />
            <DayList kind="departures" date={date} />
          </div>
          <div className="space-y-4">
            {hasPermission(user, "sync:read") ? <SyncHealth /> : null}
            <Card title={`Pending bookings${pending.data ? ` (${pending.data.total})` : ""}`}>
              <ProblemAlert error={pending.error} />
              {pending.isLoading ? (
                <Loading />
              ) : (
                <BookingsTable
                  caption="Bookings waiting for the vendor"
                  bookings={pending.data?.items ?? []}
                  linkGuests
                  vendorNames={vendorNames}
                />
              )}
            </Card>
            <Card title={`Charges that failed to post${failed.data ? ` (${failed.data.total})` : ""}`}>
              <ProblemAlert error={failed.error} />
              {failed.isLoading ? (
                <Loading />
              ) : (
                <ChargesTable
                  caption="Charges that failed to post"
                  charges={failed.data?.items ?? []}
                  canRetry={hasPermission(user, "charges:retry")}
                  vendorNames={vendorNames}
                />
              )}
            </Card>
          </div>
        </div>
      )}
    </>
  );
}

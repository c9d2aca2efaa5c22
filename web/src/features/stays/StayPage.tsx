import { useParams } from "react-router-dom";
import { EnterprisePicker, NeedsEnterprise } from "../../components/EnterprisePicker";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Badge, Card, Loading, PageHeader } from "../../components/ui";
import { useEnterprise } from "../../lib/enterprise";
import { hasPermission, useSession } from "../../lib/session";
import { useHotel } from "../../lib/hotel";
import { Room, StayGuests, StayNotes } from "../../components/stay";
import { useStay } from "./api";
import { StayNotesEditor } from "./StayNotesEditor";

/** One stay: who, which room, when, and its notes (staff add and change them, written to Mews). */
export function StayPage() {
  const { stayId = "" } = useParams();
  const { enterpriseId, portfolioWide } = useEnterprise();
  const user = useSession((s) => s.user);
  const found = useStay(enterpriseId, stayId, portfolioWide);
  const hotel = useHotel(found.data?.stay.enterprise_id);

  if (portfolioWide && !enterpriseId) {
    return (
      <>
        <PageHeader title="Stay">
          <EnterprisePicker />
        </PageHeader>
        <NeedsEnterprise />
      </>
    );
  }
  if (found.isLoading) return <Loading />;
  if (found.error || !found.data) return <ProblemAlert error={found.error} />;
  const { stay } = found.data;
  const staff = found.data.view === "staff" ? found.data : null;
  return (
    <>
      <PageHeader title={`Reservation ${stay.number ?? ""}`.trim()}>
        <Badge>{stay.state}</Badge>
      </PageHeader>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Stay">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="font-medium text-slate-600">Guests</dt>
            <dd>
              <StayGuests stay={stay} />
            </dd>
            <dt className="font-medium text-slate-600">Room</dt>
            <dd>
              <Room stay={stay} />
            </dd>
            <dt className="font-medium text-slate-600">Arrival</dt>
            <dd>{hotel.dateTime(stay.actual_start_utc ?? stay.scheduled_start_utc)}</dd>
            <dt className="font-medium text-slate-600">Departure</dt>
            <dd>{hotel.dateTime(stay.actual_end_utc ?? stay.scheduled_end_utc)}</dd>
          </dl>
        </Card>
        <Card title="Notes">
          {staff ? (
            <StayNotesEditor
              notes={staff.stay.notes ?? []}
              writes={staff.note_writes ?? []}
              stayId={stay.stay_id}
              enterpriseId={enterpriseId}
              portfolioWide={portfolioWide}
              canWrite={hasPermission(user, "stays:notes:write") && hasPermission(user, "guests:contact:read")}
            />
          ) : (
            <StayNotes stay={stay} />
          )}
        </Card>
      </div>
    </>
  );
}

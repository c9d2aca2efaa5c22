import { ProblemAlert } from "../../components/ProblemAlert";
import { Empty, Loading, Table, Td, Th } from "../../components/ui";
import { ROLE_LABELS, type UserRole } from "../../api/types";
import { useHotel } from "../../lib/hotel";
import { useGuestAccessLog } from "./api";

const ACTIONS = { detail: "Opened the guest", export: "Exported the data", search: "Found in a search" } as const;

/** Who read this guest's personal data, and when (admins). */
export function GuestAccessLog({ guestId, enterpriseId }: { guestId: string; enterpriseId: string }) {
  const log = useGuestAccessLog(guestId, true);
  const hotel = useHotel(enterpriseId);
  if (log.isLoading) return <Loading />;
  if (log.error || !log.data) return <ProblemAlert error={log.error} />;
  if (log.data.items.length === 0) return <Empty>Nobody yet.</Empty>;
  return (
    <Table caption="Access log">
      <thead>
        <tr>
          <Th>When</Th>
          <Th>Who</Th>
          <Th>What</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {log.data.items.map((a, i) => (
          <tr key={`${a.at}-${a.user_id}-${i}`}>
            <Td>{hotel.dateTime(a.at)}</Td>
            <Td>
              {a.user_id} ({ROLE_LABELS[a.role as UserRole] ?? a.role}
              {a.vendor_id ? `, vendor ${a.vendor_id}` : ""})
            </Td>
            <Td>{ACTIONS[a.action]}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

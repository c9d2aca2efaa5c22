import { Link } from "react-router-dom";
import { stayRoom, type AnyStay } from "../../api/types";
import { formatDateTime, fullName } from "../../components/format";
import { Badge, Empty, Table, Td, Th } from "../../components/ui";
import type { ReactNode } from "react";

/** Stays in either view: number, guests (linked), room, state, dates. */
export function StaysTable({
  stays,
  caption,
  actions,
}: {
  stays: AnyStay[];
  caption: string;
  actions?: (stay: AnyStay) => ReactNode;
}) {
  if (stays.length === 0) return <Empty>No stays.</Empty>;
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <Th>Reservation</Th>
          <Th>Guests</Th>
          <Th>Room</Th>
          <Th>State</Th>
          <Th>Arrival</Th>
          <Th>Departure</Th>
          {actions ? <Th>Actions</Th> : null}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {stays.map((stay) => (
          <tr key={stay.stay_id}>
            <Td className="font-mono text-xs">{stay.number ?? "—"}</Td>
            <Td>
              <ul>
                {(stay.guests ?? []).map((g, i) => (
                  <li key={g.guest_id ?? i}>
                    {g.guest_id ? (
                      <Link className="text-indigo-700 underline" to={`/guests/${g.guest_id}`}>
                        {fullName(g)}
                      </Link>
                    ) : (
                      fullName(g)
                    )}
                    {g.role === "companion" ? <span className="text-xs text-slate-500"> (companion)</span> : null}
                  </li>
                ))}
              </ul>
            </Td>
            <Td>{stayRoom(stay) ?? "—"}</Td>
            <Td>
              <Badge>{stay.state}</Badge>
            </Td>
            <Td>{formatDateTime(stay.actual_start_utc ?? stay.scheduled_start_utc)}</Td>
            <Td>{formatDateTime(stay.actual_end_utc ?? stay.scheduled_end_utc)}</Td>
            {actions ? <Td>{actions(stay)}</Td> : null}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

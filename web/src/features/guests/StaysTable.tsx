import type { ReactNode } from "react";
import { Link } from "react-router-dom";
import type { AnyStay } from "../../api/types";
import { Badge, Empty, Table, Td, Th } from "../../components/ui";
import { useHotel } from "../../lib/hotel";
import { Room, StayGuests, StayNotes, stayNotes } from "../../components/stay";

/**
 * Stays in either view: number, guests with companions (linked), room and its state, state,
 * dates in the hotel's time, and the reservation's notes where any stay has some.
 */
export function StaysTable({
  stays,
  caption,
  actions,
}: {
  stays: AnyStay[];
  caption: string;
  actions?: (stay: AnyStay) => ReactNode;
}) {
  const hotel = useHotel(stays[0]?.enterprise_id);
  if (stays.length === 0) return <Empty>No stays.</Empty>;
  const withNotes = stays.some((s) => stayNotes(s).length > 0);
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
          {withNotes ? <Th>Notes</Th> : null}
          {actions ? <Th>Actions</Th> : null}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {stays.map((stay) => (
          <tr key={stay.stay_id}>
            <Td className="font-mono text-xs">
              <Link className="text-indigo-700 underline" to={`/stays/${stay.stay_id}`}>
                {stay.number ?? "Open"}
              </Link>
            </Td>
            <Td>
              <StayGuests stay={stay} />
            </Td>
            <Td>
              <Room stay={stay} />
            </Td>
            <Td>
              <Badge>{stay.state}</Badge>
            </Td>
            <Td>{hotel.dateTime(stay.actual_start_utc ?? stay.scheduled_start_utc)}</Td>
            <Td>{hotel.dateTime(stay.actual_end_utc ?? stay.scheduled_end_utc)}</Td>
            {withNotes ? (
              <Td className="max-w-xs">
                <StayNotes stay={stay} />
              </Td>
            ) : null}
            {actions ? <Td>{actions(stay)}</Td> : null}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

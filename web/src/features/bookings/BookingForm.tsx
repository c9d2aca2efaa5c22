import { useRef, useState, type FormEvent } from "react";
import { newIdempotencyKey } from "../../api/idempotency";
import type { BookingView } from "../../api/types";
import { formatMoney, hotelInputToIso } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Button, SelectField, TextArea, TextField } from "../../components/ui";
import { useHotel } from "../../lib/hotel";
import { useOfferings, useVendors } from "../../api/vendors";
import { useCreateBooking } from "./api";

interface Props {
  enterpriseId: string | null;
  guestId: string;
  stayId: string;
  onCreated?(booking: BookingView): void;
  onCancel?(): void;
}

interface Errors {
  offering?: string;
  quantity?: string;
}

/** Book one of a vendor's offerings for a guest's stay (`POST /bookings`). */
export function BookingForm({ enterpriseId, guestId, stayId, onCreated, onCancel }: Props) {
  const [vendorId, setVendorId] = useState("");
  const [offeringId, setOfferingId] = useState("");
  const [quantity, setQuantity] = useState("1");
  const [scheduledFor, setScheduledFor] = useState("");
  const [notes, setNotes] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const vendors = useVendors(enterpriseId);
  const offerings = useOfferings(vendorId || null);
  const offering = offerings.data?.items.find((o) => o.offering_id === offeringId);
  // The time is the hotel's wall time, wherever the browser is.
  const hotel = useHotel(enterpriseId);

  // One Idempotency-Key per booking the user means: the same while the same form is sent
  // again (a retry after a lost answer books once), a new one once the form changed or booked.
  const submission = useRef<{ body: string; key: string } | null>(null);
  const booking = useCreateBooking();
  function book() {
    const body = {
      offering_id: offeringId,
      guest_id: guestId,
      stay_id: stayId,
      quantity: Number(quantity),
      scheduled_for: hotelInputToIso(scheduledFor, hotel.zone),
      notes: notes.trim() || null,
    };
    const text = JSON.stringify(body);
    if (submission.current?.body !== text) submission.current = { body: text, key: newIdempotencyKey() };
    booking.mutate(
      { body, idempotencyKey: submission.current.key },
      {
        onSuccess: (created) => {
          submission.current = null;
          // Booked: the form starts again empty, so a second click cannot book the same twice.
          setOfferingId("");
          setQuantity("1");
          setScheduledFor("");
          setNotes("");
          onCreated?.(created);
        },
      },
    );
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const found: Errors = {};
    if (!offeringId) found.offering = "Choose what to book.";
    const n = Number(quantity);
    if (!Number.isInteger(n) || n < 1 || n > 1000) found.quantity = "Enter a whole number from 1 to 1000.";
    setErrors(found);
    if (!found.offering && !found.quantity && !booking.isPending) book();
  }

  return (
    <form noValidate onSubmit={onSubmit} aria-label="Book a service" className="space-y-3">
      <ProblemAlert error={booking.error ?? vendors.error ?? offerings.error} />
      {booking.isSuccess ? (
        <p role="status" className="rounded-md bg-green-50 p-2 text-sm text-green-900">
          Booked: the vendor has been asked to confirm.
        </p>
      ) : null}
      <div className="grid gap-3 sm:grid-cols-2">
        <SelectField
          label="Vendor"
          value={vendorId}
          onChange={(e) => {
            setVendorId(e.target.value);
            setOfferingId("");
          }}
        >
          <option value="">{vendors.isLoading ? "Loading…" : "Choose a vendor"}</option>
          {vendors.data?.items.map((v) => (
            <option key={v.vendor_id} value={v.vendor_id}>
              {v.name} ({v.category})
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Service"
          required
          value={offeringId}
          disabled={!vendorId}
          onChange={(e) => setOfferingId(e.target.value)}
          error={errors.offering}
        >
          <option value="">{offerings.isLoading ? "Loading…" : "Choose a service"}</option>
          {offerings.data?.items.map((o) => (
            <option key={o.offering_id} value={o.offering_id}>
              {o.name} — {formatMoney(o.unit_price, o.currency)}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Quantity"
          type="number"
          inputMode="numeric"
          min={1}
          max={1000}
          required
          value={quantity}
          onChange={(e) => setQuantity(e.target.value)}
          error={errors.quantity}
        />
        <TextField
          label="When"
          type="datetime-local"
          value={scheduledFor}
          onChange={(e) => setScheduledFor(e.target.value)}
          hint={`Optional: leave empty for any time. Hotel time${hotel.timeZone ? ` (${hotel.timeZone})` : ""}.`}
        />
      </div>
      {offering?.description ? <p className="text-sm text-slate-600">{offering.description}</p> : null}
      <TextArea label="Notes for the vendor" value={notes} maxLength={2000} onChange={(e) => setNotes(e.target.value)} />
      <div className="flex gap-2">
        <Button type="submit" disabled={booking.isPending}>
          {booking.isPending ? "Booking…" : "Book"}
        </Button>
        {onCancel ? (
          <Button variant="secondary" onClick={onCancel}>
            Close
          </Button>
        ) : null}
      </div>
    </form>
  );
}

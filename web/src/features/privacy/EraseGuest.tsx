import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Button, TextArea } from "../../components/ui";
import { useRequestErasure } from "./api";

/**
 * Erase a guest: a confirmation dialog asks why (kept with the request for the auditor), then
 * the request's own page follows its receipts.
 */
export function EraseGuest({
  guestName,
  guestId,
  enterpriseId,
  portfolioWide,
}: {
  guestName: string;
  guestId: string;
  enterpriseId: string | null;
  portfolioWide: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Erase guest
      </Button>
      {open ? (
        <EraseDialog
          guestName={guestName}
          guestId={guestId}
          enterpriseId={enterpriseId}
          portfolioWide={portfolioWide}
          onClose={() => setOpen(false)}
        />
      ) : null}
    </>
  );
}

function EraseDialog({
  guestName,
  guestId,
  enterpriseId,
  portfolioWide,
  onClose,
}: {
  guestName: string;
  guestId: string;
  enterpriseId: string | null;
  portfolioWide: boolean;
  onClose: () => void;
}) {
  const titleId = useId();
  const [reason, setReason] = useState("");
  const [tooShort, setTooShort] = useState(false);
  const erase = useRequestErasure(enterpriseId, guestId, portfolioWide);
  const navigate = useNavigate();
  const first = useRef<HTMLDivElement>(null);

  useEffect(() => {
    first.current?.querySelector("textarea")?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (reason.trim().length < 3) {
      setTooShort(true);
      return;
    }
    erase.mutate(reason.trim(), { onSuccess: (erasure) => navigate(`/erasures/${erasure.request_id}`) });
  }

  return (
    <div className="fixed inset-0 z-40 flex items-center justify-center bg-slate-900/50 p-4">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="w-full max-w-md rounded-lg bg-white p-5 shadow-xl"
        ref={first}
      >
        <h2 id={titleId} className="text-lg font-semibold">
          Erase {guestName}?
        </h2>
        <p className="mt-2 text-sm text-slate-700">
          The guest's personal data leaves every service and the event streams; charges stay, under a pseudonym. This
          cannot be undone.
        </p>
        <form className="mt-3 space-y-3" onSubmit={submit} aria-label="Erase guest" noValidate>
          <TextArea
            label="Reason"
            required
            maxLength={500}
            value={reason}
            onChange={(e) => {
              setReason(e.target.value);
              setTooShort(false);
            }}
            error={tooShort ? "Say why, in at least 3 characters." : undefined}
            hint="Kept with the request, for the auditor."
          />
          <ProblemAlert error={erase.error} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={erase.isPending}>
              {erase.isPending ? "Erasing…" : "Erase"}
            </Button>
          </div>
        </form>
      </div>
    </div>
  );
}

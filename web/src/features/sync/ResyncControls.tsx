import { useState } from "react";
import type { SyncStatus } from "../../api/types";
import { formatDateTime, hotelInputToIso, humanize } from "../../components/format";
import { Badge, Button } from "../../components/ui";
import { jobRunning, resyncRunning, useCancelResync, useStartResync } from "./api";

type Resync = NonNullable<NonNullable<SyncStatus["ingest"]>["resync"]>;

function eta(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined) return null;
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s left`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min left`;
  return `${(seconds / 3600).toFixed(1)} h left`;
}

/** Where a resync is: the entity, its window of how many, changes seen, time left. */
export function ResyncProgress({ job, name, zone }: { job: Resync; name: string; zone: string }) {
  const left = eta(job.eta_s);
  return (
    <div className="space-y-1 text-xs text-slate-600">
      <Badge>{job.state}</Badge>
      {job.entity ? (
        <div className="flex items-center gap-2">
          <progress
            className="h-2 w-24"
            max={Math.max(job.windows, 1)}
            value={Math.min(job.window, job.windows)}
            aria-label={`Resync of ${name}`}
          />
          <span>
            {humanize(job.entity)}: {job.window} / {job.windows} windows
          </span>
        </div>
      ) : null}
      <p>
        {job.changes_seen.toLocaleString()} changes
        {left && jobRunning(job.state) ? `, ${left}` : ""}
        {job.since ? ` · since ${formatDateTime(job.since, zone)}` : ""}
      </p>
      {job.error ? <p className="text-red-700">{job.error}</p> : null}
    </div>
  );
}

/** Why no resync can run now: no call is made to Mews for a stopped property, and Mews
 * refuses a refused one's token (the server would answer 404 or fail the job). */
const NO_RESYNC: Partial<Record<SyncStatus["phase"], string>> = {
  stopped: "No resync while stopped: no call is made to Mews for this property.",
  refused: "No resync while Mews refuses this property's token.",
};

/**
 * Start a resync (from a date in the hotel's zone, or from the checkpoints when none is
 * given), follow it and cancel it. The server refuses a date beyond its horizon with a
 * problem that says the oldest allowed. Not offered for a property no call is made for.
 */
export function ResyncControls({
  status,
  name,
  zone,
  onError,
}: {
  status: SyncStatus;
  name: string;
  zone: string;
  onError: (error: unknown) => void;
}) {
  const [since, setSince] = useState("");
  const start = useStartResync();
  const cancel = useCancelResync();
  const job = status.ingest?.resync ?? null;
  const running = resyncRunning(status);
  return (
    <div className="space-y-2">
      {job ? <ResyncProgress job={job} name={name} zone={zone} /> : null}
      {running ? (
        <Button
          variant="danger"
          aria-label={`Cancel resync of ${name}`}
          disabled={cancel.isPending || job?.state === "cancelling"}
          onClick={() => cancel.mutate(status.enterprise_id, { onError })}
        >
          Cancel
        </Button>
      ) : NO_RESYNC[status.phase] ? (
        <p className="max-w-xs text-xs text-slate-500">{NO_RESYNC[status.phase]}</p>
      ) : (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            start.mutate(
              { enterpriseId: status.enterprise_id, since: hotelInputToIso(since, zone) },
              { onError },
            );
          }}
        >
          <label className="text-xs text-slate-600">
            Since (hotel date, optional)
            <input
              type="date"
              className="mt-0.5 block rounded-md border border-slate-300 px-2 py-1 text-sm"
              value={since}
              onChange={(event) => setSince(event.target.value)}
              aria-label={`Resync ${name} since`}
            />
          </label>
          <Button type="submit" variant="secondary" aria-label={`Resync ${name}`} disabled={start.isPending}>
            Resync
          </Button>
        </form>
      )}
    </div>
  );
}

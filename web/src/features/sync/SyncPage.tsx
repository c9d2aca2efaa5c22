import { useState } from "react";
import type { SyncStatus } from "../../api/types";
import { formatDateTime } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { PhaseBadge } from "../../components/PropertyPhase";
import { Badge, Card, Empty, Loading, PageHeader, Table, Td, Th } from "../../components/ui";
import { hasPermission, useSession } from "../../lib/session";
import { usePropertyNames, usePropertyZones } from "../../lib/hotel";
import { useSyncOverview } from "./api";
import { ChargesReport } from "./ChargesReport";
import { ResyncControls, ResyncProgress } from "./ResyncControls";

export { useSyncOverview } from "./api";

export function lagLabel(s: SyncStatus): string {
  const lag = s.ingest?.checkpoint_lag_s;
  if (lag === null || lag === undefined) return "—";
  if (lag < 60) return `${Math.round(lag)} s`;
  if (lag < 3600) return `${Math.round(lag / 60)} min`;
  return `${(lag / 3600).toFixed(1)} h`;
}

/** Whether the property's first import from Mews has reported on itself. */
export function hasImport(s: SyncStatus): boolean {
  return s.sync?.import_state !== undefined && s.sync?.import_state !== null;
}

/** The initial import: its state, how many of its time windows are done, reservations read. */
function ImportProgress({ status, name }: { status: SyncStatus; name: string }) {
  if (!hasImport(status)) return <>—</>;
  const done = status.sync?.import_windows_done ?? 0;
  const total = status.sync?.import_windows_total ?? 0;
  return (
    <div className="space-y-1">
      <Badge>{status.sync?.import_state ?? "unknown"}</Badge>
      {total > 0 ? (
        <div className="flex items-center gap-2">
          <progress className="h-2 w-24" max={total} value={Math.min(done, total)} aria-label={`Import of ${name}`} />
          <span className="text-xs text-slate-600">
            {done} / {total} windows
          </span>
        </div>
      ) : null}
      {status.sync?.import_reservations !== undefined ? (
        <p className="text-xs text-slate-600">{status.sync.import_reservations.toLocaleString()} reservations</p>
      ) : null}
    </div>
  );
}

/** Live changes arrive as they should: its socket connected, or it has none by design (a
 * portfolio's property, whose changes its webhooks carry). */
const LIVE_CHANNEL_UP = new Set(["connected", "webhooks_only"]);

/** No silence alarm, its token accepted by Mews, connected and not behind: what the
 * dashboard calls healthy. */
export function healthy(s: SyncStatus): boolean {
  return (
    s.alarm !== "red" &&
    s.phase !== "refused" &&
    LIVE_CHANNEL_UP.has(s.ingest?.websocket ?? "") &&
    !s.ingest?.last_sweep_error &&
    (s.sync?.consumer_lag ?? 0) < 100
  );
}

const ALARM_REASONS: Record<string, string> = {
  silence: "no live changes from Mews",
  websocket_down: "Mews WebSocket down",
  dead_letters: "dead letters growing",
};

/** The reasons of a raised silence alarm, in words ("" when green). */
export function alarmLabel(s: SyncStatus): string {
  if (s.alarm !== "red") return "";
  return (s.ingest?.alert_reasons ?? []).map((r) => ALARM_REASONS[r] ?? r).join(", ") || "alarm";
}

function AlarmNote({ status }: { status: SyncStatus }) {
  if (status.alarm !== "red") return null;
  return (
    <div role="alert" className="mt-1 max-w-xs text-xs font-normal text-red-700">
      <Badge tone="red">alarm</Badge> {alarmLabel(status)}
      <ul className="mt-1 list-disc pl-4">
        {(status.ingest?.alert_details ?? []).map((detail) => (
          <li key={detail}>{detail}</li>
        ))}
      </ul>
    </div>
  );
}

export function SyncPage() {
  const user = useSession((s) => s.user);
  const canResync = hasPermission(user, "sync:resync");
  const overview = useSyncOverview();
  const names = usePropertyNames();
  const zones = usePropertyZones();
  const nameOf = (s: SyncStatus) => s.sync?.property_name ?? names(s.enterprise_id);
  const importing = (overview.data?.enterprises ?? []).some(hasImport);
  // The last resync request's refusal (beyond the horizon, one already running, ...).
  const [actionError, setActionError] = useState<unknown>(null);
  const dead = overview.data?.enterprises[0]?.dead_letters;

  return (
    <>
      <PageHeader title="Sync with Mews" />
      <div className="space-y-4">
        <Card title="Dead letters">
          {dead ? (
            <>
              <p className="text-sm">
                <span className="text-2xl font-semibold">{dead.total}</span> messages could not be processed (all
                properties).
              </p>
              {Object.keys(dead.by_subject).length ? (
                <ul className="mt-2 text-xs text-slate-600">
                  {Object.entries(dead.by_subject).map(([subject, n]) => (
                    <li key={subject}>
                      <span className="font-mono">{subject}</span>: {n}
                    </li>
                  ))}
                </ul>
              ) : null}
            </>
          ) : (
            <Empty>No data yet.</Empty>
          )}
        </Card>
        <Card title="Properties">
          <ProblemAlert error={overview.error ?? actionError} className="mb-2" />
          {overview.isLoading ? (
            <Loading />
          ) : overview.data?.enterprises.length ? (
            <Table caption="Sync status per property">
              <thead>
                <tr>
                  <Th>Property</Th>
                  <Th>Phase</Th>
                  {importing ? <Th>Initial import</Th> : null}
                  <Th>Mews connection</Th>
                  <Th>Checkpoint lag</Th>
                  <Th>Consumer lag</Th>
                  <Th>Last event</Th>
                  <Th>Last sweep</Th>
                  <Th>Mews calls / min</Th>
                  <Th>Resync</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {overview.data.enterprises.map((s) => (
                  <tr key={s.enterprise_id}>
                    <Td className="font-medium">
                      {nameOf(s)}
                      <AlarmNote status={s} />
                      {s.phase === "refused" ? (
                        <p role="alert" className="mt-1 max-w-xs text-xs font-normal text-red-700">
                          Mews refuses this property&apos;s access token: nothing syncs until the hotel reconnects
                          the integration in Mews.
                        </p>
                      ) : null}
                      {s.ingest?.backfill_needed ? (
                        <p role="alert" className="mt-1 max-w-xs text-xs font-normal text-red-700">
                          Backfill needed: {s.ingest.backfill_reason ?? "changes may have been skipped"}
                        </p>
                      ) : null}
                    </Td>
                    <Td>
                      <PhaseBadge phase={s.phase} integrationState={s.ingest?.integration_state} />
                    </Td>
                    {importing ? (
                      <Td>
                        <ImportProgress status={s} name={nameOf(s)} />
                      </Td>
                    ) : null}
                    <Td>
                      <Badge>{s.ingest?.websocket ?? "unknown"}</Badge>
                      {s.ingest?.reconnects ? <p className="text-xs text-slate-500">{s.ingest.reconnects} reconnects</p> : null}
                    </Td>
                    <Td>{lagLabel(s)}</Td>
                    <Td>{s.sync ? s.sync.consumer_lag : "—"}</Td>
                    <Td>{formatDateTime(s.ingest?.last_event_at, zones(s.enterprise_id))}</Td>
                    <Td>
                      {formatDateTime(s.ingest?.last_sweep_at, zones(s.enterprise_id))}
                      {s.ingest?.last_sweep_error ? (
                        <p className="text-xs text-red-700">{s.ingest.last_sweep_error}</p>
                      ) : s.ingest?.last_sweep_at ? (
                        <p className="text-xs text-slate-500">{s.ingest.last_sweep_changes} changes</p>
                      ) : null}
                    </Td>
                    <Td>
                      {s.sync ? s.sync.mews_calls_per_minute : "—"}
                      {s.sync?.rate_limited_429s ? <p className="text-xs text-amber-800">{s.sync.rate_limited_429s} rate-limited</p> : null}
                    </Td>
                    <Td>
                      {canResync ? (
                        <ResyncControls
                          status={s}
                          name={nameOf(s)}
                          zone={zones(s.enterprise_id)}
                          onError={setActionError}
                        />
                      ) : s.ingest?.resync ? (
                        <ResyncProgress job={s.ingest.resync} name={nameOf(s)} zone={zones(s.enterprise_id)} />
                      ) : (
                        "—"
                      )}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : (
            <Empty>No property reports its sync status yet.</Empty>
          )}
        </Card>
        {(overview.data?.enterprises ?? []).map((s) => (
          <ChargesReport key={s.enterprise_id} status={s} name={nameOf(s)} zone={zones(s.enterprise_id)} />
        ))}
      </div>
    </>
  );
}

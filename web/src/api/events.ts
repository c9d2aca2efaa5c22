import { useEffect } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { create } from "zustand";
import { API_ORIGIN, refreshSession } from "./client";
import {
  billKeys,
  bookingKeys,
  chargeKeys,
  dayListKeys,
  guestKeys,
  offeringKeys,
  settlementKeys,
  stayKeys,
  userKeys,
  vendorKeys,
} from "./queryKeys";
import { readEventStream, SseParser, type SseMessage } from "./sse";
import { useSession } from "../lib/session";

export type LiveStatus = "connecting" | "live" | "reconnecting" | "off";

export const useLiveStatus = create<{ status: LiveStatus; set(status: LiveStatus): void }>()(
  (set) => ({ status: "off", set: (status) => set({ status }) }),
);

/**
 * The React Query keys a domain event makes stale. `event` is `<aggregate>.<event>`; every
 * query key in the app starts with the resource it lists.
 */
export function keysFor(event: string): (readonly string[])[] {
  const aggregate = event.split(".")[0];
  switch (aggregate) {
    case "guest":
      return [guestKeys.all, guestKeys.details, dayListKeys.all];
    case "stay":
      // An open stay page and its bill too: a stay's change (a move, a check-out) shows there.
      return [dayListKeys.all, guestKeys.details, guestKeys.all, stayKeys.all, billKeys.all];
    case "booking":
      return [bookingKeys.all, guestKeys.details];
    case "charge":
      return [chargeKeys.all, settlementKeys.all, guestKeys.details, bookingKeys.all, billKeys.all];
    case "vendor":
      return [vendorKeys.all, vendorKeys.details, offeringKeys.all];
    case "user":
      return [userKeys.all];
    default:
      return [];
  }
}

export interface Invalidator {
  add(message: SseMessage): void;
  stop(): void;
}

/**
 * Invalidates what events make stale in batches, at most once per `intervalMs` per key, and
 * never while that key's queries are still fetching (a later round refreshes them once they
 * are done; after `maxWaits` rounds it refreshes them anyway). A burst of events (a backfill
 * importing a thousand stays) costs a refetch per list every interval, not one per event,
 * and no refetch is cancelled by the next event before it lands: the lists keep up.
 */
export function createInvalidator(client: QueryClient, intervalMs = 300, maxWaits = 20): Invalidator {
  const pending = new Map<string, { queryKey: readonly string[]; waits: number }>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const schedule = () => {
    timer ??= setTimeout(flush, intervalMs);
  };
  function flush() {
    timer = null;
    for (const [id, entry] of pending) {
      if (client.isFetching({ queryKey: entry.queryKey }) > 0 && entry.waits < maxWaits) {
        entry.waits += 1;
        continue;
      }
      pending.delete(id);
      void client.invalidateQueries({ queryKey: entry.queryKey });
    }
    if (pending.size > 0) schedule();
  }
  return {
    add(message) {
      for (const queryKey of keysFor(message.event)) {
        const id = JSON.stringify(queryKey);
        if (!pending.has(id)) pending.set(id, { queryKey, waits: 0 });
      }
      if (pending.size > 0) schedule();
    },
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      pending.clear();
    },
  };
}

export interface ConnectOptions {
  onMessage(message: SseMessage): void;
  onStatus?(status: LiveStatus): void;
  signal: AbortSignal;
  /** Waits before reconnecting (milliseconds; doubled up to `maxDelayMs`). */
  delayMs?: number;
  maxDelayMs?: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Follow `GET /api/v1/events` until `signal` aborts: bearer token on every connection,
 * `Last-Event-ID` on reconnects (the gateway replays what was missed), a refresh on 401,
 * and a growing pause between failed attempts.
 */
export async function connectEvents(options: ConnectOptions): Promise<void> {
  const { onMessage, onStatus, signal, delayMs = 1000, maxDelayMs = 30000 } = options;
  const parser = new SseParser();
  let delay = delayMs;
  while (!signal.aborted) {
    const token = useSession.getState().accessToken;
    if (!token) {
      onStatus?.("off");
      return;
    }
    onStatus?.(parser.lastEventId === null ? "connecting" : "reconnecting");
    try {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        Accept: "text/event-stream",
      };
      if (parser.lastEventId) headers["Last-Event-ID"] = parser.lastEventId;
      const response = await globalThis.fetch(`${API_ORIGIN}/api/v1/events`, {
        headers,
        signal,
        cache: "no-store",
      });
      if (response.status === 401) {
        if (!(await refreshSession())) {
          onStatus?.("off");
          return;
        }
        continue;
      }
      if (response.ok && response.body) {
        onStatus?.("live");
        delay = delayMs;
        await readEventStream(response.body, onMessage, parser);
      }
    } catch {
      // Aborted, or the connection dropped: try again below (unless aborted).
    }
    if (signal.aborted) break;
    onStatus?.("reconnecting");
    await sleep(parser.retryMs ?? delay, signal);
    delay = Math.min(delay * 2, maxDelayMs);
  }
  onStatus?.("off");
}

/** While signed in: follow the event stream and invalidate the queries the events touch. */
export function useLiveEvents(): void {
  const client = useQueryClient();
  const token = useSession((s) => s.accessToken !== null);
  const setStatus = useLiveStatus((s) => s.set);
  useEffect(() => {
    if (!token) return undefined;
    const controller = new AbortController();
    const invalidator = createInvalidator(client);
    void connectEvents({
      signal: controller.signal,
      onStatus: setStatus,
      onMessage: (message) => invalidator.add(message),
    });
    return () => {
      controller.abort();
      invalidator.stop();
    };
  }, [client, token, setStatus]);
}

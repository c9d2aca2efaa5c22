import { useEffect } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { create } from "zustand";
import { API_ORIGIN, refreshSession } from "./client";
import { readEventStream, SseParser, type SseMessage } from "./sse";
import { useSession } from "../features/auth/session";

export type LiveStatus = "connecting" | "live" | "reconnecting" | "off";

export const useLiveStatus = create<{ status: LiveStatus; set(status: LiveStatus): void }>()(
  (set) => ({ status: "off", set: (status) => set({ status }) }),
);

/**
 * The React Query keys a domain event makes stale. `event` is `<aggregate>.<event>`; every
 * query key in the app starts with the resource it lists.
 */
export function keysFor(event: string): string[][] {
  const aggregate = event.split(".")[0];
  switch (aggregate) {
    case "guest":
      return [["guests"], ["guest"], ["stays"]];
    case "stay":
      return [["stays"], ["guest"], ["guests"]];
    case "booking":
      return [["bookings"], ["guest"]];
    case "charge":
      return [["charges"], ["settlement"], ["guest"], ["bookings"]];
    case "vendor":
      return [["vendors"], ["vendor"], ["offerings"]];
    case "user":
      return [["users"]];
    default:
      return [];
  }
}

export function invalidateFor(client: QueryClient, message: SseMessage): void {
  for (const queryKey of keysFor(message.event)) {
    void client.invalidateQueries({ queryKey });
  }
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

/** While signed in: follow the event stream and invalidate the queries each event touches. */
export function useLiveEvents(): void {
  const client = useQueryClient();
  const token = useSession((s) => s.accessToken !== null);
  const setStatus = useLiveStatus((s) => s.set);
  useEffect(() => {
    if (!token) return undefined;
    const controller = new AbortController();
    void connectEvents({
      signal: controller.signal,
      onStatus: setStatus,
      onMessage: (message) => invalidateFor(client, message),
    });
    return () => controller.abort();
  }, [client, token, setStatus]);
}

import { describe, expect, it, vi } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import { readEventStream, SseParser, type SseMessage } from "./sse";
import { connectEvents, createInvalidator, keysFor } from "./events";
import { signInAs } from "../test/utils";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe("SseParser", () => {
  it("parses events split across chunks anywhere", () => {
    const text =
      ': connected\n\nid: 7\nevent: stay.updated\ndata: {"stay_id":"s1"}\n\nid: 8\nevent: booking.created\ndata: {"a":1}\n\n';
    for (let size = 1; size <= text.length; size += 3) {
      const parser = new SseParser();
      const out: SseMessage[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...parser.feed(text.slice(i, i + size)));
      expect(out).toEqual([
        { event: "stay.updated", data: '{"stay_id":"s1"}', id: "7" },
        { event: "booking.created", data: '{"a":1}', id: "8" },
      ]);
      expect(parser.lastEventId).toBe("8");
    }
  });

  it("joins multi-line data, accepts CRLF and CR, skips comments and empty events", () => {
    const parser = new SseParser();
    const out = parser.feed(": keep-alive\r\n\r\ndata: one\r\ndata:two\r\n\r\nevent: x\rdata\r\r\n");
    expect(out).toEqual([
      { event: "message", data: "one\ntwo", id: null },
      { event: "x", data: "", id: null },
    ]);
  });

  it("waits for the LF after a CR at the end of a chunk", () => {
    const parser = new SseParser();
    expect(parser.feed("data: a\r")).toEqual([]);
    expect(parser.feed("\n\r\n")).toEqual([{ event: "message", data: "a", id: null }]);
  });

  it("keeps the last id across events and reads retry", () => {
    const parser = new SseParser();
    const out = parser.feed("id: 3\ndata: a\n\nretry: 2500\ndata: b\n\n");
    expect(out.map((m) => m.id)).toEqual(["3", "3"]);
    expect(parser.retryMs).toBe(2500);
  });

  it("reads a byte stream and drops an unterminated last event", async () => {
    const out: SseMessage[] = [];
    await readEventStream(streamOf("event: guest.updated\nda", "ta: {}\n\n", "data: partial"), (m) => out.push(m));
    expect(out).toEqual([{ event: "guest.updated", data: "{}", id: null }]);
  });
});

describe("live events", () => {

  it("maps events to the queries they make stale", () => {
    expect(keysFor("stay.updated")).toContainEqual(["stays"]);
    // An open stay page and its bill follow the stay and its charges.
    expect(keysFor("stay.updated")).toContainEqual(["stay"]);
    expect(keysFor("stay.checked_out")).toContainEqual(["stay-bill"]);
    expect(keysFor("charge.posted")).toContainEqual(["stay-bill"]);
    expect(keysFor("booking.confirmed")).toContainEqual(["bookings"]);
    expect(keysFor("charge.failed")).toContainEqual(["charges"]);
    expect(keysFor("unknown.thing")).toEqual([]);
  });

  it("invalidates a burst of events once per query key", () => {
    vi.useFakeTimers();
    try {
      const client = new QueryClient();
      const spy = vi.spyOn(client, "invalidateQueries");
      const invalidator = createInvalidator(client, 300);
      for (let i = 0; i < 500; i++) invalidator.add({ event: i % 2 ? "stay.created" : "guest.created", data: "{}", id: String(i) });
      invalidator.add({ event: "unknown.thing", data: "{}", id: "x" });
      expect(spy).not.toHaveBeenCalled();
      vi.advanceTimersByTime(300);
      expect(spy.mock.calls.map(([filters]) => filters?.queryKey)).toEqual([
        ["guests"],
        ["guest"],
        ["stays"],
        ["stay"],
        ["stay-bill"],
      ]);

      invalidator.add({ event: "booking.confirmed", data: "{}", id: "501" });
      vi.advanceTimersByTime(300);
      expect(spy.mock.calls.slice(5).map(([filters]) => filters?.queryKey)).toEqual([["bookings"], ["guest"]]);
      invalidator.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it("lets a running refetch land before invalidating again, instead of cancelling it", async () => {
    vi.useFakeTimers();
    try {
      const client = new QueryClient();
      let finish: (value: string[]) => void = () => {};
      const running = client.fetchQuery({
        queryKey: ["stays", "arrivals"],
        queryFn: () => new Promise<string[]>((resolve) => (finish = resolve)),
      });
      const spy = vi.spyOn(client, "invalidateQueries");
      const invalidator = createInvalidator(client, 300);
      invalidator.add({ event: "stay.updated", data: "{}", id: "1" });
      vi.advanceTimersByTime(900);
      const stays = () => spy.mock.calls.filter(([filters]) => filters?.queryKey?.[0] === "stays");
      expect(stays()).toHaveLength(0);
      finish(["s-1"]);
      await running;
      vi.advanceTimersByTime(300);
      expect(stays()).toHaveLength(1);
      invalidator.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it("stops: nothing is invalidated after the stream is closed", () => {
    vi.useFakeTimers();
    try {
      const client = new QueryClient();
      const spy = vi.spyOn(client, "invalidateQueries");
      const invalidator = createInvalidator(client, 300);
      invalidator.add({ event: "stay.updated", data: "{}", id: "1" });
      invalidator.stop();
      vi.advanceTimersByTime(1000);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it("connects with the bearer token, delivers events and resumes with Last-Event-ID", async () => {
    signInAs("front_desk");
    const controller = new AbortController();
    const seen: SseMessage[] = [];
    const requests: { auth: string | null; last: string | null }[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        const headers = new Headers(init.headers);
        requests.push({ auth: headers.get("Authorization"), last: headers.get("Last-Event-ID") });
        if (requests.length === 1) {
          return new Response(streamOf(": connected\n\n", "id: 41\nevent: stay.updated\ndata: {}\n\n"), {
            headers: { "Content-Type": "text/event-stream" },
          });
        }
        controller.abort();
        return new Response(streamOf(""), { headers: { "Content-Type": "text/event-stream" } });
      }),
    );
    const statuses: string[] = [];
    await connectEvents({
      signal: controller.signal,
      onMessage: (m) => seen.push(m),
      onStatus: (s) => statuses.push(s),
      delayMs: 1,
    });
    expect(seen).toEqual([{ event: "stay.updated", data: "{}", id: "41" }]);
    expect(requests[0]).toEqual({ auth: "Bearer access-1", last: null });
    expect(requests[1]).toEqual({ auth: "Bearer access-1", last: "41" });
    expect(statuses).toContain("live");
    expect(statuses.at(-1)).toBe("off");
  });
});

/**
 * Server-sent events over fetch. `EventSource` cannot send an Authorization header, and the
 * gateway's event stream takes only a bearer token, so the app reads the stream itself.
 */

export interface SseMessage {
  /** `message` when the server named none. */
  event: string;
  data: string;
  id: string | null;
}

/**
 * An incremental parser of the `text/event-stream` format (HTML Living Standard, "Parsing an
 * event stream"): feed it decoded text in chunks of any size; it returns the complete
 * events. Comments (`:` lines) are skipped; `retry` is remembered.
 */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private eventType = "";
  private hasData = false;
  /** The last event id seen (kept across events, as the spec says). */
  lastEventId: string | null = null;
  retryMs: number | null = null;

  feed(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone CR at the very end may be the first half of a CRLF: wait for more.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.data.push(value);
        this.hasData = true;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
    return null;
  }

  private dispatch(): SseMessage | null {
    const message: SseMessage | null = this.hasData
      ? { event: this.eventType || "message", data: this.data.join("\n"), id: this.lastEventId }
      : null;
    this.data = [];
    this.eventType = "";
    this.hasData = false;
    return message;
  }
}

/** Read a `text/event-stream` body to its end, calling `onMessage` for every event. */
export async function readEventStream(
  body: ReadableStream<Uint8Array>,
  onMessage: (message: SseMessage) => void,
  parser: SseParser = new SseParser(),
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const message of parser.feed(decoder.decode(value, { stream: true }))) {
        onMessage(message);
      }
    }
    // An event not ended by a blank line when the stream ends is discarded (per the spec).
    for (const message of parser.feed(decoder.decode())) onMessage(message);
  } finally {
    reader.releaseLock();
  }
}

/**
 * A new `Idempotency-Key`: a random UUID. `crypto.randomUUID` exists only in secure contexts
 * (https, localhost); elsewhere 16 random bytes in hex do the same job.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

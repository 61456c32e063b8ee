import type { EventEmitter } from "node:events";
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";

/** A request the gateway sends on, after authorization, limits and ownership checks. */
export interface UpstreamRequest {
  method: string;
  /** Path and query string exactly as the client sent them. */
  path: string;
  /** The client's headers as received: the upstream decides which it sends on (forward.ts drops credentials and hop-by-hop ones). */
  headers: IncomingHttpHeaders;
  /** The JSON body as validated (re-serialised), or the upload stream. */
  body?: string | Readable;
  /** The same JSON body, parsed (an upstream in this process reads it without parsing it again). */
  json?: unknown;
  /**
   * The signal that emits "abort" when the client goes away: the upstream request is abandoned
   * with it. (An EventEmitter, which undici accepts, costs less per request than an
   * AbortController.) A function, called by an upstream that can be abandoned: the canned answers
   * never call it, and they pay nothing for it (a getter here cost ~15 us per request).
   */
  signal: () => EventEmitter & { aborted?: boolean };
}

/** The body as a stream, or whole when the upstream already holds it (canned answers: sent as it is, no stream). */
export type UpstreamResponse = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
} & ({ body: Readable; bytes?: undefined } | { bytes: Buffer; body?: undefined });

/**
 * Where answers come from: Writer's API (forward.ts) or writer-local's own canned answers
 * (canned.ts). The gateway's pipeline (index.ts) is the same for both, so the canned mode is a
 * faithful stand-in for tests and benchmarks.
 */
export interface Upstream {
  /** At once when the answer is at hand (canned answers), else a promise. */
  request(r: UpstreamRequest): UpstreamResponse | Promise<UpstreamResponse>;
  close(): Promise<void>;
}

/**
 * Upstream failures the gateway answers for itself, in Writer's error shape (502/504).
 * `retryable`: nothing reached Writer (the connection was never made), so a client's retry cannot
 * do the work twice; otherwise the answer says `x-should-retry: false` for a call that is not
 * idempotent.
 */
export class UpstreamError extends Error {
  constructor(
    readonly status: 502 | 504,
    message: string,
    readonly retryable = true,
  ) {
    super(message);
  }
}

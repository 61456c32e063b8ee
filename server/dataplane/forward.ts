import type { IncomingHttpHeaders } from "node:http";
import { Pool, errors as undiciErrors } from "undici";
import { TEAM_HEADER } from "../../api";
import { type Upstream, UpstreamError } from "./upstream";

export interface UpstreamOptions {
  /** Writer's API, e.g. https://api.writer.com. */
  url: string;
  /** The organisation's own Writer API key: sent upstream only, in Authorization. */
  apiKey: string;
  /** Connecting must succeed within this (ms). */
  connectTimeoutMs: number;
  /** The answer's headers must arrive within this (ms): a model can think before it answers. */
  headersTimeoutMs: number;
  /** At most this long (ms) between two chunks of an answer. */
  bodyTimeoutMs: number;
  /** Most keep-alive connections to the upstream; 0: no limit (every stream in flight holds one). */
  connections: number;
  /** Told how long Writer took to answer (headers) and to finish (body), in seconds. */
  observe?: { ttfb(s: number): void; duration(s: number): void };
}

/** Failures before anything was sent: the request never reached Writer. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);
const CONNECTION_FAILURES = new Set([...NOT_SENT, "ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/**
 * Why a request to the upstream failed, as the answer the client gets (never the key, never a
 * stack). A request that may have reached Writer is not one a client should retry unless it is
 * idempotent: Writer may have created the object or spent the tokens already.
 */
export function upstreamFailure(e: unknown, method = "GET"): UpstreamError {
  const err = e as { code?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? "";
  const safe = NOT_SENT.has(code) || IDEMPOTENT.has(method);
  const retry = safe ? "the request may be retried" : "Writer may have done the work: check before you retry";
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return new UpstreamError(504, `Writer's API did not answer in time; ${retry}`, safe);
  }
  if (CONNECTION_FAILURES.has(code)) return new UpstreamError(502, `Writer's API could not be reached (${code}); ${retry}`, safe);
  return new UpstreamError(502, `the connection to Writer's API failed; ${retry}`, safe);
}

/** Headers that describe one hop, our own, and the client's credentials: never sent upstream. */
const NOT_FORWARDED = new Set([
  "host", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding",
  "upgrade", "authorization", TEAM_HEADER, "content-length", "accept-encoding", "expect",
]);

/** The client's headers fit to send on; an upload's declared length stays (its body is a stream). */
export function forwardHeaders(incoming: IncomingHttpHeaders, streamedBody: boolean): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(incoming)) {
    if (v === undefined || NOT_FORWARDED.has(k)) continue;
    h[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  h["accept-encoding"] = "identity";
  if (streamedBody && incoming["content-length"]) h["content-length"] = String(incoming["content-length"]);
  return h;
}

/**
 * Writer's API behind the gateway: one undici keep-alive pool, the upstream key set on every
 * request (the client's Authorization never leaves the gateway), bodies streamed both ways.
 */
export function forwardUpstream(o: UpstreamOptions): Upstream {
  const base = new URL(o.url);
  const prefix = base.pathname.replace(/\/+$/, "");
  const pool = new Pool(base.origin, {
    connections: o.connections > 0 ? o.connections : null,
    connectTimeout: o.connectTimeoutMs,
    headersTimeout: o.headersTimeoutMs,
    bodyTimeout: o.bodyTimeoutMs,
    keepAliveTimeout: 30_000,
  });
  return {
    async request(r) {
      const signal = r.signal();
      try {
        const t0 = o.observe ? performance.now() : 0;
        const res = await pool.request({
          method: r.method as "GET",
          path: prefix + r.path,
          headers: { ...forwardHeaders(r.headers, typeof r.body === "object"), authorization: `Bearer ${o.apiKey}` },
          body: r.body,
          signal: signal as never,
        });
        if (o.observe) {
          const { ttfb, duration } = o.observe;
          ttfb((performance.now() - t0) / 1000);
          res.body.once("close", () => duration((performance.now() - t0) / 1000));
        }
        return { status: res.statusCode, headers: res.headers, body: res.body };
      } catch (e) {
        if (signal.aborted) throw e;
        throw upstreamFailure(e, r.method);
      }
    },
    close: () => pool.close(),
  };
}

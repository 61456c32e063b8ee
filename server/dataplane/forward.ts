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
}

const CONNECT_FAILURES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_CLOSED"]);

/** Why a request to the upstream failed, as the answer the client gets (never the key, never a stack). */
export function upstreamFailure(e: unknown): UpstreamError {
  const err = e as { code?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? "";
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return new UpstreamError(504, "Writer's API did not answer in time; the request may be retried");
  }
  if (CONNECT_FAILURES.has(code)) return new UpstreamError(502, `Writer's API could not be reached (${code}); the request may be retried`);
  return new UpstreamError(502, "the connection to Writer's API failed; the request may be retried");
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
        const res = await pool.request({
          method: r.method as "GET",
          path: prefix + r.path,
          headers: { ...forwardHeaders(r.headers, typeof r.body === "object"), authorization: `Bearer ${o.apiKey}` },
          body: r.body,
          signal: signal as never,
        });
        return { status: res.statusCode, headers: res.headers, body: res.body };
      } catch (e) {
        if (signal.aborted) throw e;
        throw upstreamFailure(e);
      }
    },
    close: () => pool.close(),
  };
}

import type { IncomingHttpHeaders } from "node:http";
import type { EventEmitter } from "node:events";
import { Readable } from "node:stream";
import { Pool, errors as undiciErrors, type Dispatcher } from "undici";
import { TEAM_HEADER } from "../../api";
import { type Upstream, type UpstreamResponse, UpstreamError } from "./upstream";

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
  for (const k in incoming) {
    const v = incoming[k];
    if (v === undefined || NOT_FORWARDED.has(k)) continue;
    h[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  h["accept-encoding"] = "identity";
  if (streamedBody && incoming["content-length"]) h["content-length"] = String(incoming["content-length"]);
  return h;
}

/**
 * Answers of a stated length up to this are held whole and sent in one write; longer or unstated
 * ones stream with backpressure. Small, so that many slow clients cannot make the gateway hold
 * much: 10,000 connections (the default --max-connections) hold at most about 310 MiB this way.
 */
const WHOLE_LIMIT = 32 * 1024;
const noop = () => undefined;

class Aborted extends Error {
  readonly code = "UND_ERR_ABORTED";
}

/**
 * One upstream request, on undici's dispatch API: an answer of known small length arrives whole
 * (no stream, no pipe: on the gateway's hop they cost more than all of its checks), anything else
 * (SSE, uploads' answers, long or unstated lengths) as a Readable with backpressure (the upstream
 * socket pauses while the client is slow).
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller?: Dispatcher.DispatchController;
  private stream?: Readable;
  private chunks: Buffer[] | undefined;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private settled = false;
  private readonly t0: number;
  private readonly onAbort = () => this.controller?.abort(new Aborted("the client went away"));

  constructor(
    private readonly method: string,
    private readonly signal: (EventEmitter & { aborted?: boolean }) | undefined,
    private readonly ok: (r: UpstreamResponse) => void,
    private readonly fail: (e: unknown) => void,
    private readonly observe: UpstreamOptions["observe"],
  ) {
    this.t0 = observe ? performance.now() : 0;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Called again when undici retries the request on a fresh connection: one listener, the latest controller.
    const first = !this.controller;
    this.controller = controller;
    if (this.signal?.aborted) controller.abort(new Aborted("the client went away"));
    else if (first) this.signal?.once("abort", this.onAbort);
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    if (status < 200) return; // 1xx: the answer is still to come
    this.status = status;
    this.headers = headers;
    this.observe?.ttfb((performance.now() - this.t0) / 1000);
    const length = Number(headers["content-length"]);
    const type = String(headers["content-type"] ?? "");
    // A HEAD answer has no body to hold: streamed (empty), so its stated length is passed on.
    if (length <= WHOLE_LIMIT && this.method !== "HEAD" && !type.startsWith("text/event-stream")) {
      this.chunks = [];
      return;
    }
    this.stream = new Readable({
      read: () => controller.resume(),
      destroy: (err, done) => {
        if (!this.settled) controller.abort(err ?? new Aborted("the answer's reader went away"));
        this.finish();
        done(err);
      },
    });
    this.ok({ status, headers, body: this.stream });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.chunks) this.chunks.push(chunk);
    else if (this.stream && !this.stream.push(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.finish();
    if (this.stream) return void this.stream.push(null);
    const c = this.chunks ?? [];
    this.ok({ status: this.status, headers: this.headers, bytes: c.length === 1 ? c[0] : Buffer.concat(c) });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.finish();
    if (this.stream) {
      // As undici's own request API does: the error of an answer nobody reads (yet) must not be uncaught.
      this.stream.on("error", noop);
      return void this.stream.destroy(err);
    }
    this.fail(this.signal?.aborted ? err : upstreamFailure(err, this.method));
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.signal?.off("abort", this.onAbort);
    // "To the end of its answer": only answers that began (a refused or abandoned request has no duration).
    if (this.status) this.observe?.duration((performance.now() - this.t0) / 1000);
  }
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
  const authorization = `Bearer ${o.apiKey}`;
  return {
    request: (r) =>
      new Promise<UpstreamResponse>((ok, fail) => {
        const signal = r.signal();
        // Gone already (e.g. while the ownership checks ran): no connection is taken for it.
        if (signal.aborted) return fail(new Aborted("the client went away"));
        const headers = forwardHeaders(r.headers, typeof r.body === "object");
        headers.authorization = authorization;
        const x = new Exchange(r.method, signal, ok, fail, o.observe);
        try {
          pool.dispatch({ method: r.method, path: prefix + r.path, headers, body: r.body }, x);
        } catch (e) {
          fail(upstreamFailure(e, r.method));
        }
      }),
    close: () => pool.close(),
  };
}

import { EventEmitter } from "node:events";
import { Readable, Transform, type TransformCallback } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ENDPOINT_LIST, errorBody, toRouterPath, type NamedEndpoint } from "../../api";
import { HttpError } from "../errors";
import type { Principal, Store } from "../store";
import { authorizeKey, checkAsks } from "./authorize";
import { admit } from "./limits";
import { Ownership, type Fetch } from "./ownership";
import { type Upstream, type UpstreamResponse, UpstreamError } from "./upstream";
import { DEFAULT_ANSWER_RESERVE, Meter, SseTap } from "./usage";
import type { Metrics } from "../metrics";

// Writer's data plane, in front of an Upstream (Writer's API, or writer-local's canned answers).
// One request, in order:
//   1. authorize  (authorize.ts)  the key may call this endpoint; its query and chat tools too
//   2. limits     (limits.ts)     requests per minute; tokens reserved for a limited key
//   3. ownership  (ownership.ts)  every object it names is the caller's
//   4. upstream   (upstream.ts: forward.ts or canned.ts)  what was validated is what is sent
//   5. answer, here: created objects recorded, lists cut to the caller's, streams passed through,
//      and the Meter (usage.ts) settles what was spent when the answer ends, however it ends.
// Refused requests never reach the upstream.

declare module "fastify" {
  interface FastifyRequest {
    /** Settles what a generating request spends (set by the limits stage). */
    meter?: Meter | null;
  }
  interface FastifyContextConfig {
    /** A data-plane route's capability (the metrics' label). */
    capability?: string;
  }
}

export interface DataPlaneOptions {
  [k: string]: unknown;
  upstream: Upstream;
  /** Largest upload (POST /v1/files) in bytes; 413 past it. */
  uploadLimitBytes: number;
  /** Largest JSON body in bytes; 413 past it. */
  jsonLimitBytes: number;
  clock: () => number;
  /** On shutdown, streams in flight get this long (ms) to end before they are ended with an error event. */
  drainMs: number;
  metrics?: Metrics;
}

/** Answer headers a client needs; everything else of the upstream's stays there. (Names arrive lower-cased.) */
const RETURNED = new Set(["content-type", "content-disposition", "cache-control", "x-request-id", "request-id", "retry-after", "retry-after-ms", "x-should-retry"]);
const returned = (name: string) => RETURNED.has(name) || name.startsWith("x-ratelimit-") || name.startsWith("ratelimit");

class UploadTooLarge extends Error {}

/** Counts an upload as it streams and fails it past the limit: it is never held whole in memory. */
function limited(source: Readable, limit: number, onTooLarge: () => void): Readable {
  let seen = 0;
  const t = new Transform({
    transform(chunk: Buffer, _e, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) {
        onTooLarge();
        return done(new UploadTooLarge(`the upload is larger than ${limit} bytes`));
      }
      done(null, chunk);
    },
  });
  source.on("error", (e) => t.destroy(e));
  return source.pipe(t);
}

const readAll = async (res: UpstreamResponse): Promise<Buffer> => {
  if (res.bytes) return res.bytes;
  const parts: Buffer[] = [];
  for await (const c of res.body) parts.push(c as Buffer);
  return Buffer.concat(parts);
};
const parse = (raw: Buffer): unknown => {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return undefined;
  }
};

/** The path sent upstream: the template with the validated parameters (the query is added by the caller). */
const upstreamPath = (e: NamedEndpoint, params: Record<string, string>): string =>
  e.path.includes("{") ? e.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(params[n])) : e.path;

/** The validated query only, as a query string ("" for none: most requests, which then build nothing). */
function queryString(query: Record<string, string>): string {
  for (const _ in query) return `?${new URLSearchParams(query).toString()}`;
  return "";
}

export async function dataPlaneRoutes(app: FastifyInstance, opts: DataPlaneOptions): Promise<void> {
  const store = app.store as Store;
  const { upstream, clock } = opts;
  const own = new Ownership(store, clock, app.log);
  const streams = new Set<SseTap>();
  app.addHook("onClose", async () => {
    own.close();
    await upstream.close();
  });
  // SIGTERM: streams in flight may finish within the drain time; the rest end with an error event
  // (their usage is settled as they close), before connections are closed.
  app.addHook("preClose", async () => {
    const until = Date.now() + opts.drainMs;
    while (streams.size > 0 && Date.now() < until) await new Promise((ok) => setTimeout(ok, 50));
    for (const t of streams) t.error(errorBody(503, "writer-local is shutting down; the request may be retried"));
    if (streams.size > 0) await new Promise((ok) => setTimeout(ok, 100));
  });
  const authorize = authorizeKey(store, clock);
  const metrics = opts.metrics;
  if (metrics) {
    app.addHook("onResponse", (req, reply, done) => {
      const capability = req.routeOptions.config?.capability;
      if (capability) metrics.countRequest(capability, reply.statusCode);
      done();
    });
  }

  /** Stage 1 (the request's own asks) and 2 (limits), once the body is parsed and validated. */
  const preHandler = (e: NamedEndpoint) => (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    try {
      const p = req.principal!;
      checkAsks(store, clock, e, req, p);
      const m = admit(store, clock, e, req, p);
      if (m instanceof Promise) {
        m.then((x) => ((req.meter = x), done()), done);
        return;
      }
      req.meter = m;
      done();
    } catch (err) {
      done(err as Error);
    }
  };

  /** What the gateway itself asks upstream (further list pages, the list a PUT replaces, an undo). */
  const fetcher = (signal: () => EventEmitter): Fetch => async (method, path) => {
    const res = await upstream.request({ method, path, headers: { accept: "application/json" }, signal });
    return { status: res.status, json: parse(await readAll(res)) };
  };

  // Not async: an upstream that answers at once (the canned answers) is answered in the same turn,
  // without a promise per request; the rest returns the promise Fastify waits for (resolving to
  // the reply, so a stream not yet begun is never sent twice).
  const handle = (e: NamedEndpoint) => (req: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply> | undefined => {
    const p = req.principal!;
    const meter = req.meter ?? null;
    const release = (err: unknown): never => {
      meter?.settle(meter.nothing());
      throw err;
    };
    if (!e.refs && !e.keepsOthers && !e.lists) {
      try {
        const sent = send(e, req, reply, p, meter);
        return sent instanceof Promise ? sent.catch(release) : undefined;
      } catch (err) {
        return release(err);
      }
    }
    return (async () => {
      const params = req.params as Record<string, string>;
      await own.checkRefs(e, params, req.query as Record<string, unknown>, req.body, p);
      if (e.keepsOthers) await own.keepOthers(e, params, req.body as Record<string, unknown>, p, fetcher(abortSignal(req, reply)));
      return send(e, req, reply, p, meter);
    })().catch(release);
  };

  /** Emits "abort" when the client goes away: its upstream request is abandoned with it. Made when an upstream asks for it. */
  const abortSignal = (req: FastifyRequest, reply: FastifyReply) => {
    let signal: (EventEmitter & { aborted?: boolean }) | undefined;
    return () => {
      if (signal) return signal;
      const s: EventEmitter & { aborted?: boolean } = (signal = new EventEmitter());
      const gone = () => {
        if (!reply.raw.writableFinished) {
          s.aborted = true;
          s.emit("abort");
        }
      };
      if (req.raw.socket?.destroyed) gone();
      else reply.raw.on("close", gone);
      return s;
    };
  };

  /** Stage 4: what was validated is what is sent (the parsed body re-serialised, the checked query). */
  const send = (e: NamedEndpoint, req: FastifyRequest, reply: FastifyReply, p: Principal, meter: Meter | null): FastifyReply | Promise<FastifyReply> => {
    const signal = abortSignal(req, reply);
    let body: string | Readable | undefined;
    let tooLarge = false;
    let dropUsage = false;
    const uploadTooLarge = () => new HttpError(413, `the upload is larger than ${opts.uploadLimitBytes} bytes`, { field: "(body)", headers: { connection: "close" } });
    const query = (req.query ?? {}) as Record<string, string>;
    if (e.upload) {
      if (Number(req.headers["content-length"]) > opts.uploadLimitBytes) throw uploadTooLarge();
      body = req.body ? limited(req.body as Readable, opts.uploadLimitBytes, () => (tooLarge = true)) : undefined;
    } else if (req.body !== undefined) {
      const b = req.body as Record<string, unknown>;
      // Writer reports a chat stream's usage only when asked: the gateway always asks, and takes
      // the usage chunk out again for a client that did not.
      if (e.generates?.streamUsage === "stream_option" && b.stream === true) {
        const so = (b.stream_options ?? {}) as Record<string, unknown>;
        dropUsage = so.include_usage !== true;
        b.stream_options = { ...so, include_usage: true };
      }
      body = JSON.stringify(b);
    }
    const forwardedQuery = e.lists?.style === "cursor" ? { ...query, limit: "100" } : query;
    const failed = (err: unknown): never => {
      if (tooLarge) throw uploadTooLarge();
      if (err instanceof UpstreamError) throw new HttpError(err.status, err.message, err.retryable ? {} : { headers: { "x-should-retry": "false" } });
      throw err;
    };
    const path = upstreamPath(e, req.params as Record<string, string>);
    let res: UpstreamResponse | Promise<UpstreamResponse>;
    try {
      res = upstream.request({ method: req.method, path: path + queryString(forwardedQuery), headers: req.headers, body, json: e.upload ? undefined : req.body, signal });
    } catch (err) {
      return failed(err);
    }
    const go = (r: UpstreamResponse) => answer(e, req, reply, p, meter, r, dropUsage, path, query, signal);
    if (res instanceof Promise) return res.then(go, failed);
    return go(res);
  };

  /** Stage 5: the answer, as it streams; what was spent is settled when it ends. */
  const answer = (
    e: NamedEndpoint, req: FastifyRequest, reply: FastifyReply, p: Principal, meter: Meter | null, res: UpstreamResponse,
    dropUsage: boolean, path: string, query: Record<string, string>, signal: () => EventEmitter,
  ): FastifyReply | Promise<FastifyReply> => {
    // llhttp takes any three digits; Fastify (and Writer's clients) only 200-599.
    if (!(res.status >= 200 && res.status <= 599)) {
      res.body?.destroy();
      throw new HttpError(502, "Writer's API answered with an invalid status; the request may be retried");
    }
    reply.code(res.status);
    for (const k in res.headers) {
      const v = res.headers[k];
      if (v !== undefined && returned(k)) reply.header(k, v);
    }
    const ok = res.status >= 200 && res.status < 300;
    if (!ok) meter?.settle(meter.nothing());
    const type = String(res.headers["content-type"] ?? "");

    if (ok && type.startsWith("text/event-stream")) {
      const tap = new SseTap(meter ?? new Meter(undefined, () => undefined), dropUsage);
      streams.add(tap);
      metrics?.streams.inc();
      const source = res.body ?? Readable.from([res.bytes]);
      source.on("error", () => tap.error(errorBody(504, "Writer's API stopped answering mid-stream; the request may be retried")));
      // Whatever ends it (its end, the client going away, shutdown): the last usage seen, or the estimate of what was streamed.
      reply.raw.on("close", () => {
        if (streams.delete(tap)) metrics?.streams.dec();
        meter?.settle();
      });
      return reply.send(source.pipe(tap));
    }
    if (ok && (e.creates || e.lists || e.generates)) return readJson(e, reply, p, meter, res, type, path, query, signal);
    // Anything else passes through as it is, streamed (or at once, when the upstream holds it whole).
    if (res.bytes) return reply.send(res.bytes);
    const length = res.headers["content-length"];
    if (length !== undefined) reply.header("content-length", length);
    return reply.send(res.body);
  };

  /** Small JSON answers the gateway reads before the client does: what was created, the caller's part of a list, the tokens spent. */
  const readJson = async (
    e: NamedEndpoint, reply: FastifyReply, p: Principal, meter: Meter | null, res: UpstreamResponse, type: string,
    path: string, query: Record<string, string>, signal: () => EventEmitter,
  ): Promise<FastifyReply> => {
    const raw = await readAll(res);
    const json = type.includes("json") ? parse(raw) : undefined;
    if (meter) {
      if (json !== undefined) meter.read(json);
      else meter.readRaw(raw.length);
      // Async work (a job) is never seen here: its answer is charged at its bound, as an estimate.
      if (e.generates?.async) meter.assumeAnswer(DEFAULT_ANSWER_RESERVE);
      meter.settle();
    }
    if (e.creates || e.lists) {
      if (json === undefined || json === null || typeof json !== "object") throw new HttpError(502, "Writer's answer could not be read; nothing of it is shown");
      const id = (json as { id?: unknown }).id;
      if (e.creates && typeof id === "string") await own.recordCreated(e.creates, id, p, fetcher(signal));
      if (e.lists) return reply.type(type).send(JSON.stringify(await own.filterList(e.lists, json, query, p, path, fetcher(signal))));
    }
    return reply.type(type).send(raw);
  };

  for (const e of ENDPOINT_LIST) {
    const route = {
      method: e.method,
      url: toRouterPath(e.path),
      bodyLimit: opts.jsonLimitBytes,
      schema: { hide: true, ...(e.body ? { body: e.body } : {}) },
      config: { capability: e.capability },
      onRequest: authorize(e),
      preHandler: preHandler(e),
      handler: handle(e),
    };
    if (!e.upload) {
      app.route(route);
      continue;
    }
    // Uploads are streamed through: in a context of their own, every body is handed on unread.
    await app.register(async (upload) => {
      upload.removeAllContentTypeParsers();
      upload.addContentTypeParser("*", (_req, payload, done) => done(null, payload));
      upload.route(route);
    });
  }
}

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { serializerCompiler } from "fastify-type-provider-zod";
import { errorBody } from "../api";
import { adminHandlers } from "./admin/handlers";
import { AdminOps } from "./admin/run";
import { auditPlugin } from "./audit/plugin";
import { Metrics, metricsRoute } from "./metrics";
import { leakRoutes, noLeakRoute } from "./leaks";
import type { KeyObject } from "node:crypto";
import { isAdminRequest } from "./plugins/plugin";
import { registerAdminRoutes } from "./admin/register";
import { consoleRoutes } from "./console";
import { dataPlaneRoutes } from "./dataplane";
import { cannedUpstream } from "./dataplane/canned";
import { forwardUpstream, type UpstreamOptions } from "./dataplane/forward";
import { createLogger } from "./logging";
import { metaRoutes } from "./meta";
import { registerOpenApi } from "./openapi";
import { adminAuthPlugin, FailureThrottle } from "./plugins/auth";
import { bodyPlugin, BODY_LIMIT } from "./plugins/body";
import { errorHandlerPlugin } from "./plugins/errors";
import { faultsPlugin, type FaultSpec } from "./plugins/faults";
import { idempotencyPlugin } from "./plugins/idempotency";
import { storePlugin } from "./plugins/store";
import type { Store } from "./store";
import { validatorCompiler } from "./validation";

/** Limits on connections, so no client (authenticated or not) can hold the server's sockets forever. */
export interface ConnectionLimits {
  /** A request's headers and body must arrive within this (ms). Default 30000. */
  requestTimeoutMs: number;
  /** Headers must arrive within this (ms); at most requestTimeoutMs. Default 15000. */
  headersTimeoutMs: number;
  /** An idle kept-alive socket is closed after this (ms). Default 5000. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all is closed after this (ms). Default 120000. */
  idleTimeoutMs: number;
  /**
   * Requests served per kept-alive socket before it is closed (0: no limit, the default). Node answers
   * 503 to a client that keeps sending past it after `Connection: close`, so it is off unless asked for.
   */
  maxRequestsPerSocket: number;
  /** Sockets open at once; more are refused. Default 10000. */
  maxConnections: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  maxRequestsPerSocket: 0,
  maxConnections: 10_000,
};

/** Writer's API behind the gateway; without it writer-local answers the data plane itself (canned). */
export type UpstreamSettings = UpstreamOptions;

export const DEFAULT_UPSTREAM_TIMEOUTS = { connectTimeoutMs: 5_000, headersTimeoutMs: 120_000, bodyTimeoutMs: 120_000, connections: 0 };
export const DEFAULT_UPLOAD_LIMIT_BYTES = 100 * 1024 * 1024;
export const DEFAULT_JSON_LIMIT_BYTES = 8 * 1024 * 1024;
export const DEFAULT_DRAIN_MS = 10_000;

export interface AppOptions {
  store: Store;
  adminToken: string;
  /** Which routes this listener serves (split listeners: admin on one, data plane on another). Default both. */
  surfaces?: { admin: boolean; data: boolean };
  /** Whether closing this app closes the store (false for the second of two listeners). Default true. */
  closesStore?: boolean;
  upstream?: UpstreamSettings;
  /** Largest upload (POST /v1/files) in bytes. */
  uploadLimitBytes?: number;
  /** Largest data-plane JSON body in bytes (admin bodies: 1 MiB). */
  jsonLimitBytes?: number;
  /** Canned answers wait this long before they start, like a remote model API (tests and benchmarks). */
  cannedLatencyMs?: number;
  /** Canned streams wait this long between two events, like a model's tokens (tests and benchmarks). */
  cannedChunkIntervalMs?: number;
  /**
   * Behind a TLS-terminating reverse proxy: trust its X-Forwarded-* headers (the console's cookies
   * are then Secure for https visitors). Default false.
   */
  trustProxy?: boolean;
  /** The data plane's clock (limits, budgets, usage days): tests move it instead of sleeping. */
  clock?: () => number;
  logLevel?: string;
  /** Where log lines go; stdout is reserved for the single "listening" line. */
  logStream?: NodeJS.WritableStream;
  limits?: Partial<ConnectionLimits>;
  /** How often expired idempotency records are purged (ms). */
  idempotencyPurgeIntervalMs?: number;
  faults?: FaultSpec;
  faultHangMs?: number;
  faultSeed?: number;
  /** Version in the OpenAPI document. */
  version?: string;
  /** On shutdown, streams in flight get this long (ms) to end, then end with an error event. Default 10000. */
  drainMs?: number;
  /** Every audit entry is also appended here as a JSON line. */
  auditFile?: string;
  /** Audit entries older than this many days are removed. */
  auditRetentionDays?: number;
  /** Failed admin sign-ins allowed per address and minute before 429 (default AUTH_FAILURES_PER_MINUTE). */
  authFailuresPerMinute?: number;
  /** Leaked-key reports (GitHub's secret scanning partner programme); without it the route answers 404. */
  secretScanning?: { keys: Map<string, KeyObject>; policy: "revoke" | "disable"; webhook?: string };
}

const registries = new WeakMap<object, Metrics>();
const metricsOf = (store: Store) => registries.get(store) ?? registries.set(store, new Metrics(store)).get(store)!;

/** The admin token writer-local starts with: long enough to resist guessing, and nothing a shell or a header could mangle. */
export function checkAdminToken(token: string): string {
  if (token.length < 20) throw new Error(`the admin token is ${token.length} characters long; use at least 20 (writer-local generates one of 56 when none is given)`);
  if (/\s/.test(token)) throw new Error("the admin token contains whitespace; use one without spaces, tabs or newlines");
  if (/[^\x21-\x7e]/.test(token)) throw new Error("the admin token contains characters outside printable ASCII; use letters, digits and punctuation");
  return token;
}

/** writer-local: plugins in order (store, errors, body, faults, auth, audit, idempotency), then the routes. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  limits.headersTimeoutMs = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const app = Fastify({
    loggerInstance: createLogger(opts.logLevel ?? "info", opts.logStream) as unknown as FastifyBaseLogger,
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: BODY_LIMIT,
    // Node's HTTP server with every timeout set; the check interval is what makes requestTimeout bite promptly.
    serverFactory: (handler) => {
      const server = createServer(
        {
          requestTimeout: limits.requestTimeoutMs,
          headersTimeout: limits.headersTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.requestTimeoutMs / 2))),
        },
        handler as (req: IncomingMessage, res: ServerResponse) => void,
      );
      server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
      server.maxConnections = limits.maxConnections;
      server.setTimeout(limits.idleTimeoutMs);
      return server;
    },
    // A hung fault or a slow client must not hold up shutdown.
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    return503OnClosing: true,
    // Router-level rejections (an undecodable URL, a path parameter over maxParamLength) answer
    // in Writer's error body like everything else.
    frameworkErrors: (err, _req, reply) => {
      const description = err.code === "FST_ERR_MAX_PARAM_LENGTH" ? "a path parameter is longer than 200 characters" : "the URL is not valid";
      void (reply as unknown as { code(n: number): { type(t: string): { send(b: unknown): unknown } } }).code(400).type("application/json; charset=utf-8").send(errorBody(400, description, { field: "path" }));
    },
    // Bytes the HTTP parser rejects (e.g. a body after a bodiless request on a kept-alive socket,
    // or a request that timed out) get Writer's error body too.
    clientErrorHandler: (err, socket) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ECONNRESET" || !socket.writable) return void socket.destroy(err);
      const [status, text, description] = code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "Request Timeout", "the request did not arrive in time"] as const : [400, "Bad Request", "malformed HTTP request"] as const;
      const body = JSON.stringify(errorBody(status, description));
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const surfaces = opts.surfaces ?? { admin: true, data: true };
  await app.register(storePlugin, { store: opts.store, purgeIntervalMs: opts.idempotencyPurgeIntervalMs, closesStore: opts.closesStore ?? true });
  await app.register(errorHandlerPlugin);
  await app.register(bodyPlugin);
  if (opts.faults && Object.keys(opts.faults).length > 0) {
    await app.register(faultsPlugin, { spec: opts.faults, hangMs: opts.faultHangMs ?? 30000, seed: opts.faultSeed });
  }
  // The token writer-local was started with is the first org_admin (on an empty token table).
  const known = await opts.store.tokens.bootstrap(checkAdminToken(opts.adminToken));
  // A token changed in the environment after the first start is not an admin token: say so, once.
  if (!known) app.log.warn("the admin token writer-local was started with is not a live admin token of this store (it was revoked, or the store already had tokens): it will be refused; sign in with a token from `writer-local tokens create` or GET /v1/admin/tokens");
  await app.register(adminAuthPlugin, { throttle: new FailureThrottle(opts.authFailuresPerMinute) });
  await app.register(auditPlugin, { file: opts.auditFile, retentionDays: opts.auditRetentionDays });
  // One registry per store (two listeners on one store share it).
  const metrics = metricsOf(opts.store);
  app.addHook("onResponse", (req, reply, done) => {
    if (isAdminRequest(req)) metrics.adminRequests.inc({ status: String(reply.statusCode) });
    done();
  });
  await registerOpenApi(app, opts.version ?? "1.0.0");

  await app.register(metaRoutes, { openapi: surfaces.admin });
  if (surfaces.admin) {
    // Idempotency-Key handling lives with the admin routes only (the data plane never pays for it).
    // One way an admin action happens, for the API, the console and the CLI: roles, team scope, audit.
    const ops = new AdminOps(opts.store, adminHandlers(app), (e) => app.auditSink(e), (err) => app.log.error({ err }, "an audit entry could not be written yet; it is kept and retried"));
    app.addHook("onClose", async () => ops.close());
    await app.register(async (admin) => {
      await admin.register(idempotencyPlugin);
      registerAdminRoutes(admin, ops);
    });
    await app.register(consoleRoutes, { ops });
    await app.register(metricsRoute, { metrics });
    if (opts.secretScanning) await app.register(leakRoutes, { ...opts.secretScanning, ops });
    else await app.register(noLeakRoute);
  }
  if (surfaces.data) {
    await app.register(dataPlaneRoutes, {
      upstream: opts.upstream
        ? forwardUpstream({ ...opts.upstream, observe: { ttfb: (s) => metrics.upstreamTtfb.observe(s), duration: (s) => metrics.upstreamSeconds.observe(s) } })
        : cannedUpstream({ latencyMs: opts.cannedLatencyMs, chunkIntervalMs: opts.cannedChunkIntervalMs }),
      metrics,
      uploadLimitBytes: opts.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT_BYTES,
      jsonLimitBytes: opts.jsonLimitBytes ?? DEFAULT_JSON_LIMIT_BYTES,
      clock: opts.clock ?? Date.now,
      drainMs: opts.drainMs ?? DEFAULT_DRAIN_MS,
    });
  }
  return app;
}

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { serializerCompiler } from "fastify-type-provider-zod";
import { errorBody } from "../api";
import { adminHandlers } from "./admin/handlers";
import { registerAdminRoutes } from "./admin/register";
import { consoleRoutes } from "./console";
import { dataPlaneRoutes } from "./dataplane";
import { cannedUpstream } from "./dataplane/canned";
import { forwardUpstream, type UpstreamOptions } from "./dataplane/forward";
import { createLogger } from "./logging";
import { metaRoutes } from "./meta";
import { registerOpenApi } from "./openapi";
import { adminAuthPlugin } from "./plugins/auth";
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
}

/** writer-local: plugins in order (store, errors, body, faults, auth, idempotency), then the routes. */
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
  await app.register(adminAuthPlugin, { adminToken: opts.adminToken });
  await registerOpenApi(app, opts.version ?? "1.0.0");

  await app.register(metaRoutes, { openapi: surfaces.admin });
  if (surfaces.admin) {
    // Idempotency-Key handling lives with the admin routes only (the data plane never pays for it).
    await app.register(async (admin) => {
      await admin.register(idempotencyPlugin, { adminToken: opts.adminToken });
      registerAdminRoutes(admin, adminHandlers(admin));
    });
    await app.register(consoleRoutes, { adminToken: opts.adminToken });
  }
  if (surfaces.data) {
    await app.register(dataPlaneRoutes, {
      upstream: opts.upstream ? forwardUpstream(opts.upstream) : cannedUpstream({ latencyMs: opts.cannedLatencyMs, chunkIntervalMs: opts.cannedChunkIntervalMs }),
      uploadLimitBytes: opts.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT_BYTES,
      jsonLimitBytes: opts.jsonLimitBytes ?? DEFAULT_JSON_LIMIT_BYTES,
      clock: opts.clock ?? Date.now,
      drainMs: opts.drainMs ?? DEFAULT_DRAIN_MS,
    });
  }
  return app;
}

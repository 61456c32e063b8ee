import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import pino from "pino";
import { errorBody } from "../api";
import type { Store } from "./store";
import { storePlugin } from "./plugins/store";
import { bodyPlugin, BODY_LIMIT } from "./plugins/body";
import { faultsPlugin, type FaultSpec } from "./plugins/faults";
import { adminAuthPlugin } from "./plugins/auth";
import { idempotencyPlugin } from "./plugins/idempotency";
import { errorHandlerPlugin } from "./plugins/errors";
import { metaRoutes } from "./routes/meta";
import { capabilityRoutes } from "./routes/capabilities";
import { teamRoutes } from "./routes/teams";
import { userRoutes } from "./routes/users";
import { agentRoutes } from "./routes/agents";
import { keyRoutes } from "./routes/keys";
import { dataPlaneRoutes } from "./routes/dataplane";

export interface AppOptions {
  store: Store;
  adminToken: string;
  logLevel?: string;
  /** Where log lines go; stdout is reserved for the single "listening" line. */
  logStream?: NodeJS.WritableStream;
  faults?: FaultSpec;
  faultHangMs?: number;
  faultSeed?: number;
}

/** Headers that carry credentials (or, for Idempotency-Key, the key to a sealed response). */
const REDACT = [
  "req.headers.authorization",
  'req.headers["idempotency-key"]',
  "headers.authorization",
  'headers["idempotency-key"]',
];

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const logger = pino(
    { level: opts.logLevel ?? "info", redact: { paths: REDACT, censor: "[redacted]" } },
    (opts.logStream ?? process.stderr) as pino.DestinationStream,
  );
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
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
    // Bytes the HTTP parser rejects (e.g. a body after a bodiless request on a kept-alive socket)
    // get Writer's error body too, not Fastify's default `{"error":"Bad Request",...}`.
    clientErrorHandler: (err, socket) => {
      if ((err as NodeJS.ErrnoException).code === "ECONNRESET" || !socket.writable) return void socket.destroy(err);
      const body = JSON.stringify(errorBody(400, "malformed HTTP request"));
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
  });

  await app.register(storePlugin, { store: opts.store });
  await app.register(errorHandlerPlugin);
  await app.register(bodyPlugin);
  if (opts.faults && Object.keys(opts.faults).length > 0) {
    await app.register(faultsPlugin, { spec: opts.faults, hangMs: opts.faultHangMs ?? 30000, seed: opts.faultSeed });
  }
  await app.register(adminAuthPlugin, { adminToken: opts.adminToken });
  await app.register(idempotencyPlugin, { adminToken: opts.adminToken });

  await app.register(metaRoutes);
  await app.register(capabilityRoutes);
  await app.register(teamRoutes);
  await app.register(userRoutes);
  await app.register(agentRoutes);
  await app.register(keyRoutes);
  await app.register(dataPlaneRoutes);
  return app;
}

import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { DEFAULT_DATA_DIR, DEFAULT_PORT } from "../api";
import { buildApp, DEFAULT_UPSTREAM_TIMEOUTS, type AppOptions, type ConnectionLimits, type UpstreamSettings } from "./app";
import { adminTokenPath, loadOrCreateAdminToken } from "./crypto";
import { parseFaults, type FaultSpec } from "./plugins/faults";
import { DEFAULT_SEED, openChosenStore, readSeedFile, seedIfEmpty } from "./store";

export interface ServerOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. Default 8787. */
  port?: number;
  /** Where the SQLite database, the pepper and the generated admin token live. Default .writer-local. */
  dataDir?: string;
  /** postgres://... : keep everything in PostgreSQL instead (several replicas may share it). */
  databaseUrl?: string;
  /** The pepper keying every secret hash; replicas on one database need the same one. Default <dataDir>/pepper. */
  pepperFile?: string;
  /** PostgreSQL: apply pending migrations at start (default); false refuses an older schema. */
  migrate?: boolean;
  /** PostgreSQL: connections of this replica's pool (default 10). */
  databasePoolSize?: number;
  /** PostgreSQL: a query unanswered after this many ms fails as 503 (default 10000). */
  databaseTimeoutMs?: number;
  /** Admin token; when absent one is generated on first start and kept in <dataDir>/admin-token. */
  adminToken?: string;
  /** JSON seed file ({teams, users}) replacing the default teams and users of an empty database. */
  seedFile?: string;
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  logLevel?: string;
  logStream?: NodeJS.WritableStream;
  limits?: Partial<ConnectionLimits>;
  /**
   * Serve the admin API (and console) on this interface/port instead, so that the data plane can
   * face workloads while the admin API stays on loopback or a private interface.
   */
  adminHost?: string;
  adminPort?: number;
  /** Writer's API to forward the data plane to, with the organisation's key; omitted: canned answers. */
  upstream?: { url: string; apiKey: string } & Partial<Omit<UpstreamSettings, "url" | "apiKey">>;
  uploadLimitBytes?: number;
  jsonLimitBytes?: number;
  cannedLatencyMs?: number;
  trustProxy?: boolean;
  cannedChunkIntervalMs?: number;
  /** On shutdown, streams in flight get this long (ms) to end, then end with an error event. */
  drainMs?: number;
  auditFile?: string;
  auditRetentionDays?: number;
  authFailuresPerMinute?: number;
  secretScanning?: AppOptions["secretScanning"];
  /** Fault injection spec, e.g. "429=0.1,drop=0.05" (tests only). */
  faults?: string | FaultSpec;
  faultHangMs?: number;
  faultSeed?: number;
}

export interface RunningServer {
  /** Base URL of the data plane (and of the admin API unless it has a listener of its own), e.g. http://127.0.0.1:8787 */
  url: string;
  /** Base URL of the admin API. */
  adminUrl: string;
  /** Absolute data dir. */
  dataDir: string;
  /** Set when the token was generated or reused from the data dir, rather than passed in. */
  adminTokenFile?: string;
  close(): Promise<void>;
  app: FastifyInstance;
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const dataDir = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const faults = typeof opts.faults === "string" ? parseFaults(opts.faults) : opts.faults;
  const seed = opts.seedFile ? readSeedFile(opts.seedFile) : DEFAULT_SEED;
  const adminToken = opts.adminToken ?? loadOrCreateAdminToken(dataDir);

  // Background store writes (usage, last use) that fail are retried; each failure is logged by the data listener.
  let log: FastifyInstance["log"] | undefined;
  const onError = (e: unknown) => {
    if (log) log.error({ err: e }, "a background store write failed; its counts are kept and retried");
    else console.error("writer-local: a background store write failed; its counts are kept and retried:", e);
  };
  const store = await openChosenStore({
    dataDir, databaseUrl: opts.databaseUrl, pepperFile: opts.pepperFile, migrate: opts.migrate, poolSize: opts.databasePoolSize, queryTimeoutMs: opts.databaseTimeoutMs ?? 10_000, onError,
  });
  const split = opts.adminPort !== undefined || opts.adminHost !== undefined;
  const common: AppOptions = {
    store, adminToken, logLevel: opts.logLevel, logStream: opts.logStream, limits: opts.limits,
    uploadLimitBytes: opts.uploadLimitBytes, jsonLimitBytes: opts.jsonLimitBytes, cannedLatencyMs: opts.cannedLatencyMs, trustProxy: opts.trustProxy, cannedChunkIntervalMs: opts.cannedChunkIntervalMs, drainMs: opts.drainMs,
    auditFile: opts.auditFile, auditRetentionDays: opts.auditRetentionDays, authFailuresPerMinute: opts.authFailuresPerMinute, secretScanning: opts.secretScanning,
    upstream: opts.upstream && { ...DEFAULT_UPSTREAM_TIMEOUTS, ...opts.upstream },
    faults, faultHangMs: opts.faultHangMs, faultSeed: opts.faultSeed,
  };
  const apps: FastifyInstance[] = [];
  try {
    await seedIfEmpty(store, seed);
    const data = await buildApp({ ...common, surfaces: { admin: !split, data: true } });
    log = data.log;
    apps.push(data);
    await data.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? DEFAULT_PORT });
    if (split) {
      // The second listener shares the store; the first one owns (and closes) it.
      const admin = await buildApp({ ...common, surfaces: { admin: true, data: false }, closesStore: false });
      apps.unshift(admin);
      await admin.listen({ host: opts.adminHost ?? "127.0.0.1", port: opts.adminPort ?? 0 });
    }
  } catch (e) {
    for (const a of apps) await a.close().catch(() => undefined);
    if (apps.length === 0) await store.close();
    throw e;
  }
  const urlOf = (app: FastifyInstance, host: string) => {
    const addr = app.server.address();
    const port = typeof addr === "object" && addr ? addr.port : 0;
    return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  };
  const dataApp = apps[apps.length - 1];
  const url = urlOf(dataApp, opts.host ?? "127.0.0.1");
  return {
    url,
    adminUrl: split ? urlOf(apps[0], opts.adminHost ?? "127.0.0.1") : url,
    dataDir,
    adminTokenFile: opts.adminToken ? undefined : adminTokenPath(dataDir),
    // The admin listener first: the data listener owns the store and closes it last.
    close: async () => {
      for (const a of apps) await a.close();
    },
    app: dataApp,
  };
}

export { buildApp } from "./app";
export type { AppOptions, ConnectionLimits } from "./app";

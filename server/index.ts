import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { DEFAULT_DATA_DIR, DEFAULT_PORT } from "../api";
import { buildApp, type ConnectionLimits } from "./app";
import { adminTokenPath, loadOrCreateAdminToken } from "./crypto";
import { parseFaults, type FaultSpec } from "./plugins/faults";
import { DEFAULT_SEED, openStore, readSeedFile, seedIfEmpty } from "./store";

export interface ServerOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. Default 8787. */
  port?: number;
  /** Where the SQLite database, the pepper and the generated admin token live. Default .writer-local. */
  dataDir?: string;
  /** Admin token; when absent one is generated on first start and kept in <dataDir>/admin-token. */
  adminToken?: string;
  /** JSON seed file ({teams, users}) replacing the default teams and users of an empty database. */
  seedFile?: string;
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  logLevel?: string;
  logStream?: NodeJS.WritableStream;
  limits?: Partial<ConnectionLimits>;
  /** Fault injection spec, e.g. "429=0.1,drop=0.05" (tests only). */
  faults?: string | FaultSpec;
  faultHangMs?: number;
  faultSeed?: number;
}

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:8787 */
  url: string;
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

  const store = openStore(dataDir);
  let app: FastifyInstance | undefined;
  try {
    await seedIfEmpty(store, seed);
    app = await buildApp({
      store, adminToken, logLevel: opts.logLevel, logStream: opts.logStream, limits: opts.limits,
      faults, faultHangMs: opts.faultHangMs, faultSeed: opts.faultSeed,
    });
    await app.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? DEFAULT_PORT });
  } catch (e) {
    if (app) await app.close().catch(() => undefined);
    else await store.close();
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  const host = opts.host ?? "127.0.0.1";
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const running = app;
  return {
    url: `http://${urlHost}:${port}`,
    dataDir,
    adminTokenFile: opts.adminToken ? undefined : adminTokenPath(dataDir),
    close: () => running.close(),
    app: running,
  };
}

export { buildApp } from "./app";
export type { AppOptions, ConnectionLimits } from "./app";

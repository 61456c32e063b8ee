// writer-local in this process, driven with `app.inject` (no socket): for server tests that need
// neither a separate process nor a port. It runs the TypeScript source, never a stale build.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { buildApp, type AppOptions } from "../../server/app";
import { loadPepper } from "../../server/crypto";
import { openStore, seedIfEmpty, DEFAULT_SEED, type Store } from "../../server/store";
import { openPostgresStore } from "../../server/store/postgres";
import { freshDatabase, onPostgres } from "./postgres";
import type { Answer } from "./server";

export interface TestApp {
  app: FastifyInstance;
  adminToken: string;
  dataDir: string;
  /** Every log line the app wrote. */
  logs(): string;
  /** A client with the admin token (or any token, for the data plane). */
  as(token: string | undefined): InjectClient;
  api: InjectClient;
}

export type InjectClient = ReturnType<typeof injectClient>;

export function injectClient(app: FastifyInstance, token: string | undefined) {
  const call = async <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> => {
    const h: Record<string, string> = { ...headers };
    if (token !== undefined) h.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      h["content-type"] ??= "application/json";
    }
    const res = await app.inject({ method: method as "GET", url: path, headers: h, payload });
    let parsed: unknown = res.body;
    try {
      parsed = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      /* non-JSON answers stay text */
    }
    return { status: res.statusCode, headers: new Headers(res.headers as Record<string, string>), body: parsed as T };
  };
  return {
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>("GET", path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>("POST", path, body, headers),
    patch: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>("PATCH", path, body, headers),
    put: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>("PUT", path, body, headers),
    del: <T = any>(path: string, headers?: Record<string, string>) => call<T>("DELETE", path, undefined, headers),
    call,
  };
}

/** A store of the engine the suite runs on (jest project "postgres": a fresh PostgreSQL database), seeded. */
export async function openTestStore(dataDir = mkdtempSync(join(tmpdir(), "writer-local-app-"))): Promise<Store> {
  const store: Store = onPostgres() ? await openPostgresStore(await freshDatabase("app"), loadPepper(dataDir)) : openStore(dataDir);
  await seedIfEmpty(store, DEFAULT_SEED);
  return store;
}

export async function startApp(opts: Partial<AppOptions> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "writer-local-app-"));
  const store = await openTestStore(dataDir);
  let logText = "";
  const logStream = new Writable({
    write(chunk, _enc, done) {
      logText += chunk;
      done();
    },
  });
  const adminToken = opts.adminToken ?? "writer_admin_test-token-for-inject";
  const app = await buildApp({ logLevel: "info", ...opts, store, adminToken, logStream } as AppOptions);
  await app.ready();
  return {
    app,
    adminToken,
    dataDir,
    logs: () => logText,
    as: (token) => injectClient(app, token),
    api: injectClient(app, adminToken),
  };
}

/** One in-process app per test file. */
export function useApp(opts: Partial<AppOptions> = {}): TestApp {
  let current: TestApp | undefined;
  beforeAll(async () => {
    current = await startApp(opts);
  });
  afterAll(async () => {
    await current?.app.close();
  });
  return new Proxy({} as TestApp, {
    get(_t, key) {
      if (!current) throw new Error("the app is not running: use it inside a test or hook");
      return (current as any)[key];
    },
  });
}

/** The admin client of an app from useApp(), resolved at each call (usable at module scope). */
export function apiOf(app: TestApp): InjectClient {
  return new Proxy({} as InjectClient, { get: (_t, key) => (app.api as any)[key] });
}

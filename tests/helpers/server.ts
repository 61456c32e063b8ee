import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freshDatabase, onPostgres } from "./postgres";

/** The real writer-local process on loopback (built into dist/ by `npx tsc -p tsconfig.json`). */
export interface LocalServer {
  url: string;
  adminToken: string;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops and starts again on the same data dir (new port). */
  restart(): Promise<void>;
}

export interface StartOptions {
  faults?: string;
  seedFile?: string;
  adminToken?: string;
  dataDir?: string;
  env?: Record<string, string>;
  extraArgs?: string[];
  /** Keep SQLite even in the jest project "postgres" (tests that move data between the engines). */
  sqlite?: boolean;
}

const CLI = resolve(__dirname, "../../dist/server/cli.js");

function launch(dataDir: string, opts: StartOptions) {
  const args = [CLI, "serve", "--port", "0", "--data-dir", dataDir, "--log-level", "info", ...(opts.extraArgs ?? [])];
  if (opts.faults) args.push("--faults", opts.faults);
  if (opts.seedFile) args.push("--seed", opts.seedFile);
  if (opts.adminToken) args.push("--admin-token", opts.adminToken);
  // The suite's own environment must not leak server settings into the process under test.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("WRITER_LOCAL_") && !k.startsWith("WRITER_UPSTREAM_") && k !== "WRITER_ADMIN_TOKEN"),
  );
  Object.assign(env, opts.env);
  const proc = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const url = new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`writer-local did not start:\n${out}`)), 15000);
    proc.stdout!.on("data", () => {
      const m = /writer-local listening on (http:\/\/\S+) /.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`writer-local exited with ${code}:\n${out}`));
    });
  });
  return { proc, url, output: () => out };
}

/** Starts writer-local and resolves when it printed its URL. Rejects with the process output if it exits. */
export async function startLocalServer(opts: StartOptions = {}): Promise<LocalServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "writer-local-test-"));
  // Jest project "postgres": the process keeps everything in a fresh PostgreSQL database (kept across restarts).
  if (onPostgres() && !opts.sqlite && !opts.extraArgs?.includes("--database")) opts = { ...opts, extraArgs: [...(opts.extraArgs ?? []), "--database", await freshDatabase("srv")] };
  let cur = launch(dataDir, opts);
  const logs: string[] = [];
  const url = await cur.url;
  let adminToken = opts.adminToken ?? opts.env?.WRITER_ADMIN_TOKEN;
  try {
    adminToken ??= readFileSync(join(dataDir, "admin-token"), "utf8").trim();
  } catch (e) {
    cur.proc.kill("SIGKILL");
    throw e;
  }
  const server: LocalServer = {
    url,
    adminToken,
    dataDir,
    proc: cur.proc,
    output: () => logs.join("") + cur.output(),
    stop: (signal = "SIGTERM") =>
      new Promise((ok) => {
        // A process killed by a signal has exitCode null and signalCode set: it has exited all the same.
        if (cur.proc.exitCode !== null || cur.proc.signalCode !== null) return ok(cur.proc.exitCode);
        cur.proc.once("exit", (code) => ok(code));
        cur.proc.kill(signal);
      }),
    restart: async () => {
      await server.stop();
      logs.push(cur.output());
      cur = launch(dataDir, opts);
      server.url = await cur.url;
      server.proc = cur.proc;
    },
  };
  return server;
}

/**
 * One writer-local process for a test file: started before its tests, stopped after them. The
 * returned object stands for the running server (its url, adminToken, restart() ...).
 */
export function useLocalServer(opts: StartOptions = {}): LocalServer {
  let current: LocalServer | undefined;
  beforeAll(async () => {
    current = await startLocalServer(opts);
  });
  afterAll(async () => {
    await current?.stop();
  });
  return new Proxy({} as LocalServer, {
    get(_t, key) {
      if (!current) throw new Error("writer-local is not running: use the server inside a test or hook");
      return (current as any)[key];
    },
  });
}

/** An admin client for a server started by useLocalServer (resolved at each call). */
export function adminOf(server: LocalServer): AdminClient {
  return new Proxy({} as AdminClient, { get: (_t, key) => (admin(server.url, server.adminToken) as any)[key] });
}

/** The seeded directory by name: team name -> id, user email -> id, and the users themselves. */
export async function directoryOf(api: Pick<AdminClient, "get">): Promise<{ teams: Record<string, string>; userIds: Record<string, string>; users: Record<string, any> }> {
  const teams = (await api.get("/v1/admin/teams?limit=100")).body.data as { id: string; name: string }[];
  const users = (await api.get("/v1/admin/users?limit=100")).body.data as { id: string; email: string }[];
  return {
    teams: Object.fromEntries(teams.map((t) => [t.name, t.id])),
    userIds: Object.fromEntries(users.map((u) => [u.email, u.id])),
    users: Object.fromEntries(users.map((u) => [u.email, u])),
  };
}

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny fetch wrapper for the admin API (and, with a key as token, the data plane). */
export function admin(url: string, token: string | undefined) {
  const call = async <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> => {
    const h: Record<string, string> = { ...headers };
    if (token !== undefined) h.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      h["content-type"] ??= "application/json";
    }
    const res = await fetch(url + path, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* non-JSON answers stay text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
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
export type AdminClient = ReturnType<typeof admin>;

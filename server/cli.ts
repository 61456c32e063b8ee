#!/usr/bin/env node
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_BASE_URL, DEFAULT_DATA_DIR, DEFAULT_PORT } from "../api";
import { readScanningKeys } from "./leaks";
import { scanForKeys } from "./leaks/scan";
import { maskSecret } from "../api";
import { DEFAULT_DRAIN_MS, DEFAULT_JSON_LIMIT_BYTES, DEFAULT_LIMITS, DEFAULT_UPLOAD_LIMIT_BYTES, DEFAULT_UPSTREAM_TIMEOUTS } from "./app";
import { adminTokenPath } from "./crypto";
import { AUTH_FAILURES_PER_MINUTE } from "./plugins/auth";
import { startServer } from "./index";
import { openChosenStore, type StoreChoice } from "./store";
import { DataDirInUseError } from "./store/sqlite/db";
import { checkDump } from "./store/domain/dump";

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number 0..65535");
  return n;
}
let upstreamNote = "";

/** The upstream's base URL: http(s), no credentials in it (they would be logged and shown). */
function upstreamUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`--upstream ${JSON.stringify(v)} is not a URL: use e.g. https://api.writer.com`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("--upstream must be an http(s) URL");
  if (u.username || u.password || u.search) throw new Error("--upstream must not carry credentials or a query: give the key with WRITER_UPSTREAM_API_KEY or --upstream-key-file");
  upstreamNote = `writer-local: forwarding the data plane to ${u.origin}${u.pathname === "/" ? "" : u.pathname}\n`;
  return u.toString().replace(/\/+$/, "");
}

/** The organisation's Writer API key: from a 0600 file or the environment, never from a flag. */
function upstreamKey(file: string | undefined): string {
  if (file) {
    const st = statSync(file);
    if (st.mode & 0o077) throw new Error(`--upstream-key-file ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`);
    const key = readFileSync(file, "utf8").trim();
    if (!key) throw new Error(`--upstream-key-file ${file} is empty`);
    return key;
  }
  const key = process.env.WRITER_UPSTREAM_API_KEY?.trim();
  if (!key) throw new Error("--upstream needs the organisation's Writer API key: set WRITER_UPSTREAM_API_KEY or --upstream-key-file");
  return key;
}

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}
/** Node's timers hold at most 2^31-1 ms; a larger delay silently becomes 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;
function ms(min: 0 | 1) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > MAX_TIMER_MS) throw new InvalidArgumentError(`must be a whole number of milliseconds from ${min} to ${MAX_TIMER_MS} (about 24.8 days)`);
    return n;
  };
}
const delayMs = ms(0);
const timeoutMs = ms(1);
function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a non-negative integer");
  return n;
}

const program = new Command()
  .name("writer-local")
  .description("A local server implementing the Writer admin API (agents, capabilities, API keys) and the data plane.");

program
  .command("serve")
  .description("start the server")
  .addOption(new Option("--host <host>", "interface to bind").env("WRITER_LOCAL_HOST").default("127.0.0.1"))
  .addOption(new Option("--port <port>", "port; 0 picks a free one").env("WRITER_LOCAL_PORT").argParser(port).default(DEFAULT_PORT))
  .addOption(new Option("--data-dir <dir>", "data directory").env("WRITER_LOCAL_DATA_DIR").default(DEFAULT_DATA_DIR))
  .addOption(new Option("--database <url>", "keep everything in PostgreSQL (postgres://user:password@host/db) instead of SQLite in the data dir; several replicas may share it").env("WRITER_LOCAL_DATABASE_URL"))
  .addOption(new Option("--pepper-file <file>", "the pepper (0600, >= 32 random bytes) keying every secret hash; replicas on one database need the same file (default <data-dir>/pepper)").env("WRITER_LOCAL_PEPPER_FILE"))
  .addOption(new Option("--database-pool-size <n>", "PostgreSQL connections of this replica").env("WRITER_LOCAL_DATABASE_POOL_SIZE").argParser(positive).default(10))
  .addOption(new Option("--database-timeout-ms <ms>", "PostgreSQL: a query unanswered after this long fails as 503 with Retry-After, so a database that hangs does not hang every request").env("WRITER_LOCAL_DATABASE_TIMEOUT_MS").argParser(timeoutMs).default(10_000))
  .addOption(new Option("--no-migrate", "PostgreSQL: refuse to start on an older schema instead of migrating it (run `writer-local migrate` first)"))
  .addOption(new Option("--admin-token <token>", "admin token (prefer env WRITER_ADMIN_TOKEN: a flag shows in the process list); when absent one is generated into <data-dir>/admin-token").env("WRITER_ADMIN_TOKEN"))
  .addOption(new Option("--seed <file>", "JSON {teams:[{name}], users:[{email,name,teams}]} seeding an empty database").env("WRITER_LOCAL_SEED"))
  .addOption(new Option("--log-level <level>", "log level").env("WRITER_LOCAL_LOG_LEVEL").choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"))
  .addOption(new Option("--faults <spec>", 'test-only fault injection, e.g. "429=0.1,500=0.05,503=0.05,hang=0.01,drop=0.05"').env("WRITER_LOCAL_FAULTS"))
  .addOption(new Option("--fault-hang-ms <ms>", "how long a 'hang' fault holds a request").env("WRITER_LOCAL_FAULT_HANG_MS").argParser(delayMs).default(30000))
  .addOption(new Option("--fault-seed <n>", "seed for reproducible faults").env("WRITER_LOCAL_FAULT_SEED").argParser(int))
  .addOption(new Option("--request-timeout-ms <ms>", "a request's headers and body must arrive within this").env("WRITER_LOCAL_REQUEST_TIMEOUT_MS").argParser(timeoutMs).default(DEFAULT_LIMITS.requestTimeoutMs))
  .addOption(new Option("--headers-timeout-ms <ms>", "a request's headers must arrive within this").env("WRITER_LOCAL_HEADERS_TIMEOUT_MS").argParser(timeoutMs).default(DEFAULT_LIMITS.headersTimeoutMs))
  .addOption(new Option("--keep-alive-timeout-ms <ms>", "an idle kept-alive connection is closed after this").env("WRITER_LOCAL_KEEP_ALIVE_TIMEOUT_MS").argParser(timeoutMs).default(DEFAULT_LIMITS.keepAliveTimeoutMs))
  .addOption(new Option("--idle-timeout-ms <ms>", "a connection with no traffic at all is closed after this").env("WRITER_LOCAL_IDLE_TIMEOUT_MS").argParser(timeoutMs).default(DEFAULT_LIMITS.idleTimeoutMs))
  .addOption(new Option("--max-requests-per-socket <n>", "requests per kept-alive connection (0 = no limit)").env("WRITER_LOCAL_MAX_REQUESTS_PER_SOCKET").argParser(int).default(DEFAULT_LIMITS.maxRequestsPerSocket))
  .addOption(new Option("--max-connections <n>", "connections open at once; more are refused").env("WRITER_LOCAL_MAX_CONNECTIONS").argParser(positive).default(DEFAULT_LIMITS.maxConnections))
  .addOption(new Option("--upstream <url>", "forward the data plane to Writer's API (e.g. https://api.writer.com) with the organisation's key; without it writer-local answers itself").env("WRITER_UPSTREAM_URL"))
  .addOption(new Option("--upstream-key-file <file>", "file holding the upstream Writer API key (mode 0600); or set WRITER_UPSTREAM_API_KEY").env("WRITER_UPSTREAM_KEY_FILE"))
  .addOption(new Option("--upstream-connect-timeout-ms <ms>", "connecting to the upstream must succeed within this (else 502)").env("WRITER_UPSTREAM_CONNECT_TIMEOUT_MS").argParser(timeoutMs).default(DEFAULT_UPSTREAM_TIMEOUTS.connectTimeoutMs))
  .addOption(new Option("--upstream-headers-timeout-ms <ms>", "the upstream's answer must start within this (else 504)").env("WRITER_UPSTREAM_HEADERS_TIMEOUT_MS").argParser(timeoutMs).default(DEFAULT_UPSTREAM_TIMEOUTS.headersTimeoutMs))
  .addOption(new Option("--upstream-body-timeout-ms <ms>", "at most this long between two chunks of an upstream answer").env("WRITER_UPSTREAM_BODY_TIMEOUT_MS").argParser(timeoutMs).default(DEFAULT_UPSTREAM_TIMEOUTS.bodyTimeoutMs))
  .addOption(new Option("--upstream-connections <n>", "most keep-alive connections to the upstream (0: no limit; a stream holds one while it lasts)").env("WRITER_UPSTREAM_CONNECTIONS").argParser(int).default(DEFAULT_UPSTREAM_TIMEOUTS.connections))
  .addOption(new Option("--admin-host <host>", "serve the admin API on this interface instead (split listeners)").env("WRITER_LOCAL_ADMIN_HOST"))
  .addOption(new Option("--admin-port <port>", "serve the admin API on this port instead (split listeners; 0 picks one)").env("WRITER_LOCAL_ADMIN_PORT").argParser(port))
  .addOption(new Option("--upload-limit-bytes <n>", "largest upload (POST /v1/files); 413 past it").env("WRITER_LOCAL_UPLOAD_LIMIT_BYTES").argParser(positive).default(DEFAULT_UPLOAD_LIMIT_BYTES))
  .addOption(new Option("--max-json-bytes <n>", "largest data-plane JSON body; 413 past it").env("WRITER_LOCAL_MAX_JSON_BYTES").argParser(positive).default(DEFAULT_JSON_LIMIT_BYTES))
  .addOption(new Option("--trust-proxy", "behind a TLS-terminating reverse proxy: trust its X-Forwarded-* headers (console cookies become Secure over https)").env("WRITER_LOCAL_TRUST_PROXY"))
  .addOption(new Option("--audit-file <file>", "also append every audit entry to this file, one JSON object a line (for a SIEM)").env("WRITER_LOCAL_AUDIT_FILE"))
  .addOption(new Option("--audit-retention-days <n>", "remove audit entries older than this (the chain records where it was cut); default: keep all").env("WRITER_LOCAL_AUDIT_RETENTION_DAYS").argParser(positive))
  .addOption(new Option("--auth-failures-per-minute <n>", "failed admin sign-ins allowed per address and minute before 429 (raise it for many clients behind one address)").env("WRITER_LOCAL_AUTH_FAILURES_PER_MINUTE").argParser(positive).default(AUTH_FAILURES_PER_MINUTE))
  .addOption(new Option("--secret-scanning-keys <file>", "GitHub's secret scanning public keys (JSON); enables POST /v1/admin/secret-scanning").env("WRITER_LOCAL_SECRET_SCANNING_KEYS"))
  .addOption(new Option("--leak-policy <policy>", "what a reported live key gets").env("WRITER_LOCAL_LEAK_POLICY").choices(["revoke", "disable"]).default("revoke"))
  .addOption(new Option("--leak-webhook <url>", "POST a JSON notice here for every live key reported").env("WRITER_LOCAL_LEAK_WEBHOOK"))
  .addOption(new Option("--drain-ms <ms>", "on SIGTERM, streams in flight get this long to end; the rest then end with an error event (their usage is recorded)").env("WRITER_LOCAL_DRAIN_MS").argParser(delayMs).default(DEFAULT_DRAIN_MS))
  .addOption(new Option("--canned-latency-ms <ms>", "tests and benchmarks: canned answers wait this long, like a remote model API").env("WRITER_LOCAL_CANNED_LATENCY_MS").argParser(delayMs).default(0))
  .addOption(new Option("--canned-chunk-interval-ms <ms>", "tests and benchmarks: canned streams wait this long between events, like a model's tokens").env("WRITER_LOCAL_CANNED_CHUNK_INTERVAL_MS").argParser(delayMs).default(0))
  .action(async (o, cmd: Command) => {
    // A flag on the command line shows in every user's process list; the env var or the token file does not.
    if (o.adminToken && cmd.getOptionValueSource("adminToken") === "cli") {
      process.stderr.write("writer-local: warning: --admin-token is visible in the process list (ps); set WRITER_ADMIN_TOKEN or let writer-local keep its token in <data-dir>/admin-token\n");
    }
    let server;
    try {
      const upstream = o.upstream
        ? {
            url: upstreamUrl(o.upstream), apiKey: upstreamKey(o.upstreamKeyFile),
            connectTimeoutMs: o.upstreamConnectTimeoutMs, headersTimeoutMs: o.upstreamHeadersTimeoutMs,
            bodyTimeoutMs: o.upstreamBodyTimeoutMs, connections: o.upstreamConnections,
          }
        : undefined;
      server = await startServer({
        upstream, trustProxy: o.trustProxy === true || o.trustProxy === "true", cannedLatencyMs: o.cannedLatencyMs, cannedChunkIntervalMs: o.cannedChunkIntervalMs, drainMs: o.drainMs, adminHost: o.adminHost,
        auditFile: o.auditFile, auditRetentionDays: o.auditRetentionDays, authFailuresPerMinute: o.authFailuresPerMinute,
        secretScanning: o.secretScanningKeys ? { keys: readScanningKeys(o.secretScanningKeys), policy: o.leakPolicy, webhook: o.leakWebhook } : undefined, adminPort: o.adminPort, uploadLimitBytes: o.uploadLimitBytes, jsonLimitBytes: o.maxJsonBytes,
        host: o.host, port: o.port, dataDir: o.dataDir, adminToken: o.adminToken || undefined, seedFile: o.seed,
        databaseUrl: o.database || undefined, pepperFile: o.pepperFile, migrate: o.migrate !== false, databasePoolSize: o.databasePoolSize, databaseTimeoutMs: o.databaseTimeoutMs,
        logLevel: o.logLevel, faults: o.faults, faultHangMs: o.faultHangMs, faultSeed: o.faultSeed,
        limits: {
          requestTimeoutMs: o.requestTimeoutMs, headersTimeoutMs: o.headersTimeoutMs, keepAliveTimeoutMs: o.keepAliveTimeoutMs,
          idleTimeoutMs: o.idleTimeoutMs, maxRequestsPerSocket: o.maxRequestsPerSocket, maxConnections: o.maxConnections,
        },
      });
    } catch (e) {
      process.stderr.write(`writer-local: cannot start: ${(e as Error).message}\n`);
      process.exit(1);
    }
    if (server.adminTokenFile) process.stderr.write(`writer-local: admin token is in ${server.adminTokenFile} (or run: writer-local token --data-dir ${server.dataDir})\n`);
    if (o.faults) process.stderr.write(`writer-local: FAULT INJECTION ON: ${o.faults} (hang ${o.faultHangMs} ms${o.faultSeed !== undefined ? `, seed ${o.faultSeed}` : ""})\n`);
    if (upstreamNote) process.stderr.write(upstreamNote);
    // The admin line first: whoever waits for "writer-local listening on" then has both.
    if (server.adminUrl !== server.url) process.stdout.write(`writer-local admin API listening on ${server.adminUrl}\n`);
    process.stdout.write(`writer-local listening on ${server.url} (data dir ${server.dataDir}${o.database ? ", database PostgreSQL" : ""})\n`);
    let closing = false;
    const stop = (signal: string) => {
      if (closing) return;
      closing = true;
      process.stderr.write(`writer-local: ${signal}, shutting down\n`);
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });

program
  .command("token")
  .description("print the generated admin token of a data dir")
  .addOption(new Option("--data-dir <dir>", "data directory").env("WRITER_LOCAL_DATA_DIR").default(DEFAULT_DATA_DIR))
  .action((o) => {
    const path = adminTokenPath(resolve(o.dataDir));
    if (!existsSync(path)) {
      process.stderr.write(`writer-local: no admin token at ${path}; start the server once with this data dir\n`);
      process.exit(1);
    }
    process.stdout.write(readFileSync(path, "utf8").trim() + "\n");
  });

program
  .command("usage")
  .description("requests, tokens and refusals per UTC day of an agent or one of its keys, from a running writer-local")
  .requiredOption("--agent <id>", "the agent")
  .option("--key <id>", "one of its keys (default: all of them)")
  .option("--from <date>", "first UTC day, YYYY-MM-DD (default: 30 days ago)")
  .option("--to <date>", "last UTC day, YYYY-MM-DD (default: today)")
  .option("--json", "print the admin API's JSON answer")
  .addOption(new Option("--url <url>", "writer-local's admin API").env("WRITER_BASE_URL").default(DEFAULT_BASE_URL))
  .addOption(new Option("--data-dir <dir>", "where the admin token is, unless WRITER_ADMIN_TOKEN is set").env("WRITER_LOCAL_DATA_DIR").default(DEFAULT_DATA_DIR))
  .action(async (o) => {
    const token = process.env.WRITER_ADMIN_TOKEN || (existsSync(adminTokenPath(resolve(o.dataDir))) ? readFileSync(adminTokenPath(resolve(o.dataDir)), "utf8").trim() : "");
    if (!token) throw new Error(`no admin token: set WRITER_ADMIN_TOKEN or point --data-dir at writer-local's data dir`);
    const q = new URLSearchParams({ ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) });
    const path = `/v1/admin/agents/${encodeURIComponent(o.agent)}${o.key ? `/keys/${encodeURIComponent(o.key)}` : ""}/usage?${q}`;
    const res = await fetch(o.url.replace(/\/+$/, "") + path, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as any;
    if (!res.ok) throw new Error(body?.errors?.[0]?.description ?? `HTTP ${res.status}`);
    if (o.json) return void process.stdout.write(JSON.stringify(body, null, 2) + "\n");
    const rows = [["date", "requests", "prompt tokens", "completion tokens", "of them estimated", "refusals"]];
    const refusals = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(", ") || "-";
    for (const d of [...body.data, { date: "total", ...body.totals }]) rows.push([d.date, String(d.requests), String(d.prompt_tokens), String(d.completion_tokens), String(d.estimated_tokens), refusals(d.refusals)]);
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) process.stdout.write(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd() + "\n");
  });

/** An admin token for commands that call a running writer-local. */
function adminTokenOf(dataDir: string): string {
  const token = process.env.WRITER_ADMIN_TOKEN || (existsSync(adminTokenPath(resolve(dataDir))) ? readFileSync(adminTokenPath(resolve(dataDir)), "utf8").trim() : "");
  if (!token) throw new Error("no admin token: set WRITER_ADMIN_TOKEN or point --data-dir at writer-local's data dir");
  return token;
}
/** A call of the admin API as the CLI (its changes are audited with source "cli"). */
async function adminCall(o: { url: string; dataDir: string }, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(o.url.replace(/\/+$/, "") + path, {
    method, headers: { authorization: `Bearer ${adminTokenOf(o.dataDir)}`, "user-agent": "writer-local-cli", ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new Error(json?.errors?.[0]?.description ?? `HTTP ${res.status}`);
  return json;
}
const apiOptions = (c: Command) =>
  c
    .addOption(new Option("--url <url>", "writer-local's admin API").env("WRITER_BASE_URL").default(DEFAULT_BASE_URL))
    .addOption(new Option("--data-dir <dir>", "where the admin token is, unless WRITER_ADMIN_TOKEN is set").env("WRITER_LOCAL_DATA_DIR").default(DEFAULT_DATA_DIR));

const tokens = program.command("tokens").description("admin tokens of a running writer-local (org_admin)");
apiOptions(tokens.command("create").description("create an admin token; its secret is printed once").requiredOption("--name <name>", "who or what it is for").requiredOption("--role <role>", "org_admin, team_admin or viewer").option("--team <id>", "the team of a team_admin"))
  .action(async (o) => {
    const t = await adminCall(o, "POST", "/v1/admin/tokens", { name: o.name, role: o.role, ...(o.team ? { team_id: o.team } : {}) });
    process.stdout.write(`${t.secret}\n`);
    process.stderr.write(`writer-local: created admin token ${t.id} (${t.name}, ${t.role}); the secret above is shown once\n`);
  });
apiOptions(tokens.command("list").description("list admin tokens")).action(async (o) => {
  for (let after: string | undefined; ;) {
    const p = await adminCall(o, "GET", `/v1/admin/tokens?limit=100&order=asc${after ? `&after=${after}` : ""}`);
    for (const t of p.data) process.stdout.write(`${t.id}  ${t.role.padEnd(10)}  ${t.masked}  ${t.name}\n`);
    if (!p.has_more) break;
    after = p.last_id;
  }
});
apiOptions(tokens.command("revoke <id>").description("revoke an admin token")).action(async (id, o) => {
  await adminCall(o, "DELETE", `/v1/admin/tokens/${encodeURIComponent(id)}`);
  process.stdout.write(`writer-local: revoked admin token ${id}\n`);
});

const audit = program.command("audit").description("the audit log: list it from a running writer-local, or verify its chain");
apiOptions(audit.command("list", { isDefault: true }).description("entries, newest first"))
  .option("--object <id>", "about this object").option("--actor <token-id>", "by this admin token").option("--action <action>", "e.g. key.revoke")
  .option("--from <time>", "ISO 8601").option("--to <time>", "ISO 8601").option("--limit <n>", "at most this many", "50").option("--json", "JSON lines")
  .action(async (o) => {
    const q = new URLSearchParams({ limit: String(Math.min(100, Number(o.limit) || 50)), ...(o.object ? { object_id: o.object } : {}), ...(o.actor ? { actor: o.actor } : {}),
      ...(o.action ? { action: o.action } : {}), ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) });
    const p = await adminCall(o, "GET", `/v1/admin/audit?${q}`);
    for (const e of p.data) {
      if (o.json) process.stdout.write(JSON.stringify(e) + "\n");
      else process.stdout.write(`${e.at}  ${(e.actor ? `${e.actor.name} (${e.actor.role})` : "-").padEnd(24)}  ${e.source.padEnd(7)}  ${e.outcome.padEnd(7)}  ${e.action}  ${e.object.kind} ${e.object.id ?? ""}${e.pulumi ? `  ${e.pulumi.project}/${e.pulumi.stack}` : ""}\n`);
    }
  });

/** --data-dir / --database / --pepper-file, as `serve` takes them. */
const storeOptions = (c: Command) =>
  c
    .addOption(new Option("--data-dir <dir>", "data directory (SQLite, and the default pepper)").env("WRITER_LOCAL_DATA_DIR").default(DEFAULT_DATA_DIR))
    .addOption(new Option("--database <url>", "a PostgreSQL database instead (postgres://...)").env("WRITER_LOCAL_DATABASE_URL"))
    .addOption(new Option("--pepper-file <file>", "the pepper (default <data-dir>/pepper)").env("WRITER_LOCAL_PEPPER_FILE"));
const choice = (o: { dataDir: string; database?: string; pepperFile?: string }): StoreChoice => {
  const dataDir = resolve(o.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return { dataDir, databaseUrl: o.database || undefined, pepperFile: o.pepperFile };
};

storeOptions(program.command("migrate").description("bring the database's schema to this version (PostgreSQL: under a lock, safe while older replicas run; SQLite: done at every start)"))
  .action(async (o) => {
    const store = await openChosenStore({ ...choice(o), migrate: true });
    await store.close();
    process.stdout.write(`writer-local: the ${o.database ? "PostgreSQL" : "SQLite"} schema is up to date\n`);
  });

storeOptions(program.command("export").description("write everything the store holds (no plaintext secrets: keyed hashes and sealed records) to a JSON file, to move it to another engine"))
  .requiredOption("--out <file>", "the dump file (created 0600)")
  .action(async (o) => {
    const store = await openChosenStore(choice(o));
    try {
      const d = await store.dump();
      writeFileSync(o.out, JSON.stringify(d) + "\n", { mode: 0o600, flag: "wx" });
      const counts = Object.entries(d.tables).map(([t, rows]) => `${t} ${rows.length}`).join(", ");
      process.stdout.write(`writer-local: exported ${counts} to ${o.out}\n`);
    } finally {
      await store.close();
    }
  });

storeOptions(program.command("import").description("fill an EMPTY store from `writer-local export`'s file; give it the pepper of the store the dump came from (--pepper-file)"))
  .requiredOption("--in <file>", "the dump file")
  .action(async (o) => {
    const d = checkDump(JSON.parse(readFileSync(o.in, "utf8")));
    const store = await openChosenStore(choice(o));
    try {
      await store.load(d);
      const counts = Object.entries(d.tables).map(([t, rows]) => `${t} ${rows.length}`).join(", ");
      process.stdout.write(`writer-local: imported ${counts}\n`);
    } finally {
      await store.close();
    }
  });

storeOptions(audit.command("verify").description("check the audit chain in the store itself (needs the pepper): exit 1 naming the first entry that was edited or removed"))
  .action(async (o) => {
    const store = await openChosenStore(choice(o));
    try {
      const r = await store.audit.verify();
      if (r.bad) {
        process.stderr.write(`writer-local: the audit chain breaks at entry ${r.bad.id} (#${r.bad.seq}): ${r.bad.why}; ${r.checked} entries before it verify\n`);
        process.exitCode = 1;
      } else process.stdout.write(`writer-local: the audit chain verifies (${r.checked} entries)\n`);
    } finally {
      await store.close();
    }
  });

storeOptions(program.command("scan <path>").description("find API keys (prefix + checksum) in files and, in a git repository, in its whole history; say which are live in the store"))
  .option("--no-history", "files only, not the git history")
  .option("--offline", "do not open the store: report the keys found, without whether they are live")
  .action(async (path, o) => {
    const found = scanForKeys(path, { history: o.history !== false });
    const store = o.offline ? undefined : await openChosenStore(choice(o)).catch((e) => {
      throw e instanceof DataDirInUseError
        ? new Error(`${e.message}. On SQLite the store is one process's: stop the server, scan a copy of the data dir, or add --offline (keys found, without whether they are live)`)
        : e;
    });
    let live = 0;
    try {
      for (const f of found) {
        const k = store ? await store.keys.bySecret(f.secret) : undefined;
        const state = !store ? "unchecked" : !k ? "unknown" : k.revokedAt !== null ? "revoked" : k.key.status === "active" ? "LIVE" : "disabled";
        if (state === "LIVE") live++;
        process.stdout.write(`${f.where}  ${maskSecret(f.secret)}  ${state}${k ? `  agent ${k.key.agent_id} key ${k.key.id}` : ""}\n`);
      }
    } finally {
      await store?.close();
    }
    process.stderr.write(`writer-local: ${found.length} key(s) found, ${live} live\n`);
    if (live > 0) process.exitCode = 2;
  });

program.parseAsync(process.argv).catch((e) => {
  process.stderr.write(`writer-local: ${(e as Error).message}\n`);
  process.exit(1);
});

#!/usr/bin/env node
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_DATA_DIR, DEFAULT_PORT } from "../api";
import { DEFAULT_LIMITS } from "./app";
import { adminTokenPath } from "./crypto";
import { startServer } from "./index";

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number 0..65535");
  return n;
}
function positive(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}
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
  .addOption(new Option("--admin-token <token>", "admin token (prefer env WRITER_ADMIN_TOKEN: a flag shows in the process list); when absent one is generated into <data-dir>/admin-token").env("WRITER_ADMIN_TOKEN"))
  .addOption(new Option("--seed <file>", "JSON {teams:[{name}], users:[{email,name,teams}]} seeding an empty database").env("WRITER_LOCAL_SEED"))
  .addOption(new Option("--log-level <level>", "log level").env("WRITER_LOCAL_LOG_LEVEL").choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"))
  .addOption(new Option("--faults <spec>", 'test-only fault injection, e.g. "429=0.1,500=0.05,503=0.05,hang=0.01,drop=0.05"').env("WRITER_LOCAL_FAULTS"))
  .addOption(new Option("--fault-hang-ms <ms>", "how long a 'hang' fault holds a request").env("WRITER_LOCAL_FAULT_HANG_MS").argParser(int).default(30000))
  .addOption(new Option("--fault-seed <n>", "seed for reproducible faults").env("WRITER_LOCAL_FAULT_SEED").argParser(int))
  .addOption(new Option("--request-timeout-ms <ms>", "a request's headers and body must arrive within this").env("WRITER_LOCAL_REQUEST_TIMEOUT_MS").argParser(positive).default(DEFAULT_LIMITS.requestTimeoutMs))
  .addOption(new Option("--headers-timeout-ms <ms>", "a request's headers must arrive within this").env("WRITER_LOCAL_HEADERS_TIMEOUT_MS").argParser(positive).default(DEFAULT_LIMITS.headersTimeoutMs))
  .addOption(new Option("--keep-alive-timeout-ms <ms>", "an idle kept-alive connection is closed after this").env("WRITER_LOCAL_KEEP_ALIVE_TIMEOUT_MS").argParser(positive).default(DEFAULT_LIMITS.keepAliveTimeoutMs))
  .addOption(new Option("--idle-timeout-ms <ms>", "a connection with no traffic at all is closed after this").env("WRITER_LOCAL_IDLE_TIMEOUT_MS").argParser(positive).default(DEFAULT_LIMITS.idleTimeoutMs))
  .addOption(new Option("--max-requests-per-socket <n>", "requests per kept-alive connection (0 = no limit)").env("WRITER_LOCAL_MAX_REQUESTS_PER_SOCKET").argParser(int).default(DEFAULT_LIMITS.maxRequestsPerSocket))
  .addOption(new Option("--max-connections <n>", "connections open at once; more are refused").env("WRITER_LOCAL_MAX_CONNECTIONS").argParser(positive).default(DEFAULT_LIMITS.maxConnections))
  .action(async (o, cmd: Command) => {
    // A flag on the command line shows in every user's process list; the env var or the token file does not.
    if (o.adminToken && cmd.getOptionValueSource("adminToken") === "cli") {
      process.stderr.write("writer-local: warning: --admin-token is visible in the process list (ps); set WRITER_ADMIN_TOKEN or let writer-local keep its token in <data-dir>/admin-token\n");
    }
    let server;
    try {
      server = await startServer({
        host: o.host, port: o.port, dataDir: o.dataDir, adminToken: o.adminToken || undefined, seedFile: o.seed,
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
    process.stdout.write(`writer-local listening on ${server.url} (data dir ${server.dataDir})\n`);
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

program.parseAsync(process.argv).catch((e) => {
  process.stderr.write(`writer-local: ${(e as Error).message}\n`);
  process.exit(1);
});

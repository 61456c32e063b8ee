import { existsSync, readFileSync } from "node:fs";
import { isIPv4 } from "node:net";
import { join, resolve } from "node:path";
import { ADMIN_TOKEN_FILE, DEFAULT_BASE_URL, DEFAULT_DATA_DIR } from "../api";

export { DEFAULT_BASE_URL };

/** Transport settings of the client (README "Configuration"). */
export interface ClientSettings {
  /** Per-request timeout in ms (WRITER_TIMEOUT_MS, default 30000). */
  timeoutMs: number;
  /** Retries after the first attempt (WRITER_RETRIES, default 8). */
  retries: number;
  /** Base of the exponential backoff in ms (WRITER_RETRY_BACKOFF_MS, default 200). */
  backoffMs: number;
  /** Requests in flight per provider process (WRITER_MAX_CONCURRENCY, default 8). */
  maxConcurrency: number;
}

export interface WriterConfig {
  baseUrl: string;
  adminToken: string;
  /** Where the token came from, for error messages (never the token itself). */
  tokenSource: string;
  client: ClientSettings;
  /** Offset of the provider's planning clock (WRITER_CLOCK_SKEW_MS): "what would the plan be N ms from now?". */
  clockSkewMs: number;
}

/** Anything with `get(key)`: the dynamic provider's config or the program's pulumi.Config. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

let configured: ConfigSource | undefined;

/** Called from each provider's `configure` with the stack config (secrets arrive decrypted). */
export function setStackConfig(c: ConfigSource | undefined): void {
  configured = c;
}

/**
 * Only a real loopback address may be handed writer-local's token file: 127.0.0.0/8 as an IP
 * literal, ::1, or localhost. "127.attacker.example" and "127.0.0.1.nip.io" are names, not IPs.
 */
export function isLoopback(url: string): boolean {
  let h: string;
  try {
    h = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (h === "localhost" || h === "[::1]") return true;
  return isIPv4(h) && h.split(".")[0] === "127";
}

function number(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name}=${JSON.stringify(raw)} is not a number >= ${min}: fix or unset it`);
  return n;
}

export function clientSettings(env: NodeJS.ProcessEnv = process.env): ClientSettings {
  return {
    timeoutMs: number(env, "WRITER_TIMEOUT_MS", 30000, 1),
    retries: number(env, "WRITER_RETRIES", 8, 0),
    backoffMs: number(env, "WRITER_RETRY_BACKOFF_MS", 200, 0),
    maxConcurrency: Math.floor(number(env, "WRITER_MAX_CONCURRENCY", 8, 1)),
  };
}

/**
 * Resolution order: stack config `writer:baseUrl` / `writer:adminToken`, then env
 * WRITER_BASE_URL / WRITER_ADMIN_TOKEN, then (only for a loopback URL) the token file that
 * writer-local keeps in its data dir (WRITER_LOCAL_DATA_DIR, default ./.writer-local). The
 * token is never a resource input, so it never lands in state.
 */
export function resolveConfig(src: ConfigSource | undefined = configured, env = process.env, cwd = process.cwd()): WriterConfig {
  const get = (k: string) => {
    try {
      return src?.get(k) || undefined;
    } catch {
      return undefined;
    }
  };
  const baseUrl = (get("writer:baseUrl") ?? env.WRITER_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  try {
    new URL(baseUrl);
  } catch {
    throw new Error(`writer:baseUrl ${JSON.stringify(baseUrl)} is not a URL: set it like ${DEFAULT_BASE_URL}`);
  }
  const rest = { client: clientSettings(env), clockSkewMs: number(env, "WRITER_CLOCK_SKEW_MS", 0, -Infinity) };
  const fromConfig = get("writer:adminToken");
  if (fromConfig) return { baseUrl, adminToken: fromConfig, tokenSource: "stack config writer:adminToken", ...rest };
  if (env.WRITER_ADMIN_TOKEN) return { baseUrl, adminToken: env.WRITER_ADMIN_TOKEN, tokenSource: "env WRITER_ADMIN_TOKEN", ...rest };
  if (isLoopback(baseUrl)) {
    const file = join(resolve(cwd, env.WRITER_LOCAL_DATA_DIR ?? DEFAULT_DATA_DIR), ADMIN_TOKEN_FILE);
    if (existsSync(file)) return { baseUrl, adminToken: readFileSync(file, "utf8").trim(), tokenSource: file, ...rest };
  }
  throw new Error(
    "No Writer admin token: run `pulumi config set --secret writer:adminToken <token>` or set WRITER_ADMIN_TOKEN" +
      (isLoopback(baseUrl) ? " (for writer-local, `npx writer-local token` prints it)" : ""),
  );
}

import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const DEFAULT_BASE_URL = "http://127.0.0.1:8787";

export interface WriterConfig {
  baseUrl: string;
  adminToken: string;
  /** Where the token came from, for error messages (never the token itself). */
  tokenSource: string;
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

function isLoopback(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return h === "localhost" || h === "[::1]" || h === "::1" || h.startsWith("127.");
  } catch {
    return false;
  }
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
    throw new Error(`writer:baseUrl ${JSON.stringify(baseUrl)} is not a URL: set it like http://127.0.0.1:8787`);
  }
  const fromConfig = get("writer:adminToken");
  if (fromConfig) return { baseUrl, adminToken: fromConfig, tokenSource: "stack config writer:adminToken" };
  if (env.WRITER_ADMIN_TOKEN) return { baseUrl, adminToken: env.WRITER_ADMIN_TOKEN, tokenSource: "env WRITER_ADMIN_TOKEN" };
  if (isLoopback(baseUrl)) {
    const file = join(resolve(cwd, env.WRITER_LOCAL_DATA_DIR ?? ".writer-local"), "admin-token");
    if (existsSync(file)) return { baseUrl, adminToken: readFileSync(file, "utf8").trim(), tokenSource: file };
  }
  throw new Error(
    "No Writer admin token: run `pulumi config set --secret writer:adminToken <token>` or set WRITER_ADMIN_TOKEN" +
      (isLoopback(baseUrl) ? " (for writer-local, `npx writer-local token` prints it)" : ""),
  );
}

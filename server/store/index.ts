import { readFileSync, statSync } from "node:fs";
import { loadPepper } from "../crypto";
import { openPostgresStore } from "./postgres";
import { openSqliteStore } from "./sqlite";
import type { Store } from "./types";

export * from "./types";
export * from "./errors";
export { DEFAULT_SEED, readSeedFile, seedIfEmpty, SeedSchema, type Seed } from "./seed";
export type { SqliteStore } from "./sqlite";
export type { PostgresStore } from "./postgres";

/** Opens the data dir's store (SQLite, the embedded default). */
export function openStore(dataDir: string) {
  return openSqliteStore(dataDir, loadPepper(dataDir));
}

export interface StoreChoice {
  dataDir: string;
  /** postgres://... : the PostgreSQL store (replicas); absent: SQLite in the data dir. */
  databaseUrl?: string;
  /** The pepper; default <dataDir>/pepper (created on first start). */
  pepperFile?: string;
  /** PostgreSQL: apply pending migrations at start (default true). */
  migrate?: boolean;
  poolSize?: number;
  /** PostgreSQL: a query unanswered after this many ms fails as 503 (unset: no limit). */
  queryTimeoutMs?: number;
  onError?: (e: unknown) => void;
}

/**
 * A pepper file given by path must already exist (every replica gets the same one), hold at least
 * 32 bytes and be readable by its owner only.
 */
export function readPepperFile(path: string): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`--pepper-file ${path} does not exist: copy the first replica's <data-dir>/pepper there, or make a new one with: head -c 32 /dev/urandom > ${path} && chmod 600 ${path}`);
  }
  if (st.mode & 0o077) throw new Error(`--pepper-file ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`);
  const b = readFileSync(path);
  if (b.length < 32) throw new Error(`--pepper-file ${path} holds ${b.length} bytes; it needs at least 32 random bytes`);
  return b;
}

/** postgres:// or postgresql:// only; the URL (it may hold a password) is never printed. */
export function checkDatabaseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error("--database is not a URL: use postgres://user:password@host:5432/dbname (or set WRITER_LOCAL_DATABASE_URL)");
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") throw new Error(`--database must be a postgres:// URL, not ${u.protocol}//...`);
  return url;
}

export async function openChosenStore(c: StoreChoice): Promise<Store> {
  const pepper = c.pepperFile ? readPepperFile(c.pepperFile) : loadPepper(c.dataDir);
  if (!c.databaseUrl) return openSqliteStore(c.dataDir, pepper, c.onError);
  return openPostgresStore(checkDatabaseUrl(c.databaseUrl), pepper, { migrate: c.migrate, poolSize: c.poolSize, queryTimeoutMs: c.queryTimeoutMs, onError: c.onError });
}

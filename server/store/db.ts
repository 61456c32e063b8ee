import Database from "better-sqlite3";
import { join } from "node:path";

export type DB = Database.Database;

/**
 * Numbered migrations. Each runs in its own transaction together with the `user_version` bump, so
 * a crash mid-migration leaves the database at the previous version, never half-migrated.
 * Times are integer milliseconds (cheap comparisons on the hot auth path); `seq` is a monotonic
 * integer that makes list ordering total even when two rows share a created_at millisecond.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE teams (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE user_teams (
    user_id TEXT NOT NULL REFERENCES users(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    PRIMARY KEY (user_id, team_id)
  );
  CREATE TABLE agents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    capabilities TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
  );
  CREATE TABLE keys (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    agent_id TEXT NOT NULL REFERENCES agents(id),
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('all_teams', 'team')),
    team_id TEXT REFERENCES teams(id),
    owner_id TEXT REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    masked TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    previous_secret_hash TEXT,
    previous_secret_expires_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    rotated_at INTEGER,
    expires_at INTEGER,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX keys_previous_secret_hash ON keys(previous_secret_hash);
  CREATE INDEX keys_agent_seq ON keys(agent_id, seq);
  CREATE TABLE idempotency (
    key_hash TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    iv BLOB NOT NULL,
    tag BLOB NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX idempotency_created_at ON idempotency(created_at);
  `,
  // key_count is a count of an agent's live keys: a partial index answers it from the index alone,
  // instead of visiting every key row (revoked ones included) on each create and each agent read.
  `
  CREATE INDEX keys_live_by_agent ON keys(agent_id) WHERE revoked_at IS NULL;
  `,
];

/** The user_version of a fully migrated database. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * One writer-local process owns a data dir: SQLite's exclusive locking mode holds the database
 * lock for the life of the connection (the OS drops it if the process dies, so a SIGKILLed
 * server restarts cleanly). Owning the file is what lets the data plane trust an in-process
 * write counter (writeGeneration) instead of asking SQLite on every request.
 */
export class DataDirInUseError extends Error {}

export function openDb(dataDir: string): DB {
  const file = join(dataDir, "writer-local.db");
  const db = new Database(file);
  db.pragma("locking_mode = EXCLUSIVE");
  db.pragma("busy_timeout = 0");
  try {
    db.pragma("journal_mode = WAL");
    // Take the lock now, so a second server fails at start, not at its first request.
    db.exec("BEGIN IMMEDIATE; COMMIT;");
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === "SQLITE_BUSY") {
      throw new DataDirInUseError(`data dir ${dataDir} is in use by another writer-local process: stop it, or give this one its own --data-dir`);
    }
    throw e;
  }
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = NORMAL");
  countWrites(db);
  migrate(db);
  return db;
}

const generations = new WeakMap<DB, { n: number }>();

/** How many writes this connection has made: it moves whenever anything in the store changes. */
export function writeGeneration(db: DB): number {
  return generations.get(db)?.n ?? 0;
}

/** Every statement that writes bumps the counter, whichever method runs it. */
function countWrites(db: DB): void {
  const gen = { n: 0 };
  generations.set(db, gen);
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    if (!stmt.reader) {
      for (const m of ["run", "get", "all"] as const) {
        const orig = (stmt[m] as (...a: unknown[]) => unknown).bind(stmt);
        (stmt as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => {
          gen.n++;
          return orig(...args);
        };
      }
    }
    return stmt;
  }) as DB["prepare"];
  const exec = db.exec.bind(db);
  db.exec = ((sql: string) => {
    gen.n++;
    return exec(sql);
  }) as DB["exec"];
}

function migrate(db: DB): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());
export const isoReq = (ms: number): string => new Date(ms).toISOString();

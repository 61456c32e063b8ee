import Database from "better-sqlite3";
import { chmodSync, closeSync, existsSync, openSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DATABASE_FILE } from "../../../api";
import { MIGRATIONS } from "./migrations";

export type DB = Database.Database;
export { SCHEMA_VERSION } from "./migrations";

/**
 * One writer-local process owns a data dir: SQLite's exclusive locking mode holds the database
 * lock for the life of the connection (the OS drops it if the process dies, so a SIGKILLed
 * server restarts cleanly). Owning the file is what lets the data plane trust an in-process
 * write counter (writeGeneration) instead of asking SQLite on every request.
 */
export class DataDirInUseError extends Error {}

/**
 * The data dir and everything in it are the owner's alone (0700 / 0600), also when the dir
 * existed before. SQLite gives its -wal and -shm files the mode of the database file, so the
 * database is created 0600 before SQLite opens it.
 */
export function tightenDataDir(dataDir: string): void {
  chmodSync(dataDir, 0o700);
  for (const f of readdirSync(dataDir)) chmodSync(join(dataDir, f), 0o600);
}

export function openDb(dataDir: string): DB {
  const file = join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) closeSync(openSync(file, "a", 0o600));
  tightenDataDir(dataDir);
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
  tightenDataDir(dataDir);
  return db;
}

const generations = new WeakMap<DB, { n: number; prepareRaw: DB["prepare"] }>();

/** How many access-relevant writes this connection has made: it moves whenever anything that decides access changes. */
export function writeGeneration(db: DB): number {
  return generations.get(db)?.n ?? 0;
}

/**
 * A statement whose writes never change an access decision (last_used_at, usage counters,
 * idempotency records): it does not move the write generation, so it does not empty the data
 * plane's memo. Every other writing statement does, whichever method runs it: forgetting to
 * declare a write here can only cost speed, never correctness.
 */
export function prepareNeutral(db: DB, sql: string): Database.Statement {
  const g = generations.get(db);
  return g ? g.prepareRaw(sql) : db.prepare(sql);
}

function countWrites(db: DB): void {
  const prepareRaw = db.prepare.bind(db) as DB["prepare"];
  const gen = { n: 0, prepareRaw };
  generations.set(db, gen);
  db.prepare = ((sql: string) => {
    const stmt = prepareRaw(sql);
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

export { iso, isoReq } from "../rows";

import Database from "better-sqlite3";
import { chmodSync, closeSync, existsSync, openSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DATABASE_FILE } from "../../../api";
import { compiled, queryBuilder, type Db, type Exec } from "../db";
import { MIGRATIONS } from "./migrations";

export type DB = Database.Database;
export { SCHEMA_VERSION } from "./migrations";

/**
 * One writer-local process owns a data dir: SQLite's exclusive locking mode holds the database
 * lock for the life of the connection (the OS drops it if the process dies, so a SIGKILLed
 * server restarts cleanly). Owning the file is what lets the access memo trust this process's own
 * commits as the only changes there are.
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

function openFile(dataDir: string): DB {
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
  migrate(db);
  tightenDataDir(dataDir);
  return db;
}

/** Numbered migrations, each in a transaction with its user_version bump. */
function migrate(db: DB): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export interface SqliteDb extends Db {
  /** The connection, for tests and tools that read the file's own rows. */
  file: DB;
}

/**
 * The store's Db on one SQLite connection: statements are prepared once per SQL text and run
 * synchronously (a promise that is already settled). Transactions take turns (one connection,
 * one transaction at a time) and yield to nothing else while they run: all their awaits are on
 * settled promises, which run before any other request's callback.
 */
export function openSqliteDb(dataDir: string): SqliteDb {
  const file = openFile(dataDir);
  const statements = new Map<string, Database.Statement>();
  const prepare = (sqlText: string) => {
    let s = statements.get(sqlText);
    if (!s) statements.set(sqlText, (s = file.prepare(sqlText)));
    return s;
  };
  const exec: Exec = {
    all: async (q) => {
      const c = compiled(q);
      return prepare(c.sql).all(...(c.parameters as unknown[])) as never[];
    },
    first: async (q) => {
      const c = compiled(q);
      return prepare(c.sql).get(...(c.parameters as unknown[])) as never;
    },
    run: async (q) => {
      const c = compiled(q);
      const s = prepare(c.sql);
      if (s.reader) return s.all(...(c.parameters as unknown[])).length;
      return s.run(...(c.parameters as unknown[])).changes;
    },
  };
  // Prepared once: better-sqlite3 would parse them again on every exec().
  const begin = file.prepare("BEGIN IMMEDIATE");
  const commit = file.prepare("COMMIT");
  const rollback = file.prepare("ROLLBACK");
  let turn: Promise<unknown> = Promise.resolve();
  const db: SqliteDb = {
    engine: "sqlite",
    q: queryBuilder("sqlite"),
    read: exec,
    file,
    tx: (fn, { access = true } = {}) => {
      const run = turn.then(async () => {
        begin.run();
        try {
          const out = await fn(exec);
          commit.run();
          if (access) db.onAccessWrite?.();
          return out;
        } catch (e) {
          if (file.inTransaction) rollback.run();
          throw e;
        }
      });
      turn = run.catch(() => undefined);
      return run;
    },
    close: async () => {
      await turn;
      file.close();
    },
  };
  return db;
}

export { iso, isoReq } from "../rows";

import { buildStore } from "../store";
import type { Store } from "../types";
import { openSqliteDb, type DB } from "./db";
import { LocalLimits } from "./limits";

export interface SqliteStore extends Store {
  /** The connection, for tests and tools that read the file's own rows. */
  db: DB;
}

/**
 * The embedded store: one SQLite file in the data dir, owned by this process. What is SQLite's
 * own: opening the file with its pragmas and lock, its migrations, limits counted in this
 * process's memory, and nothing to coordinate with (exclusive is a plain call).
 */
export function openSqliteStore(dataDir: string, pepper: Buffer, onError: (e: unknown) => void = () => undefined): SqliteStore {
  const db = openSqliteDb(dataDir);
  const store = buildStore({
    db, pepper, onError,
    limits: (counts) => new LocalLimits(counts),
    exclusive: (fn) => fn(),
    close: () => db.close(),
  });
  return { ...store, db: db.file };
}

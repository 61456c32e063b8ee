import type pg from "pg";
import { buildStore } from "../store";
import type { Store } from "../types";
import { checkPepper, long, openPg, SEED_LOCK, unavailableOr, type PgDb, type PgOptions } from "./db";
import { SharedLimits } from "./limits";
import { AccessListener } from "./listen";

export interface PostgresStore extends Store {
  db: PgDb;
  access: Store["access"] & { stats: { memo: number; database: number; invalidations: number } };
}

/**
 * writer-local on PostgreSQL, for several replicas on one database. What is PostgreSQL's own: the
 * pool and its migrations under an advisory lock, LISTEN/NOTIFY so every replica's memo hears of
 * every access change (listen.ts), limits shared through the database (limits.ts), an advisory
 * lock for seeding, and the pepper's fingerprint (the pepper itself stays out of the database).
 */
export async function openPostgresStore(url: string, pepper: Buffer, opts: PgOptions & { onError?: (e: unknown) => void } = {}): Promise<PostgresStore> {
  const db = await openPg(url, opts);
  // The listener empties the memo the store sets up; it exists before the store, so it calls through.
  let invalidate = () => {};
  const listener = new AccessListener(db, url, () => invalidate());
  const store = buildStore({
    db, pepper, onError: opts.onError,
    trusted: () => listener.trusted(),
    pool: () => ({ total: db.pool.totalCount, idle: db.pool.idleCount, waiting: db.pool.waitingCount }),
    limits: (counts) => new SharedLimits(db, counts, opts.onError),
    exclusive: async (fn) => {
      const c: pg.PoolClient = await db.pool.connect().catch((e) => { throw unavailableOr(e); });
      try {
        await c.query(long("SELECT pg_advisory_lock($1)", [SEED_LOCK]));
        return await fn();
      } finally {
        await c.query("SELECT pg_advisory_unlock($1)", [SEED_LOCK]).catch(() => undefined);
        c.release();
      }
    },
    close: async () => {
      await listener.close();
      await db.close();
    },
  });
  invalidate = () => db.onAccessWrite?.();
  try {
    await checkPepper(db.pool, pepper);
    await listener.listen();
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return { ...store, db } as PostgresStore;
}

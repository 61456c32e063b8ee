import { createHmac, randomUUID } from "node:crypto";
import pg from "pg";
import { compiled, queryBuilder, type Db, type Exec } from "../db";
import { Unavailable } from "../errors";
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from "./migrations";

/** Anything that runs a query: the pool, or the client of a transaction. */
export type Q = Pick<pg.PoolClient, "query">;

/** BIGINT (counts, milliseconds) and NUMERIC (sums) as JavaScript numbers: every value here fits in 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20 || oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** pg_advisory_lock ids: one for migrations, one for seeding an empty database. */
const MIGRATE_LOCK = 7_770_001;
export const SEED_LOCK = 7_770_002;

export class SchemaTooNewError extends Error {}
export class SchemaBehindError extends Error {}
export class PepperMismatchError extends Error {}

/** Retried as a whole: the transaction lost a race (serialization failure, deadlock). */
const RETRY_CODES = new Set(["40001", "40P01"]);
const UNAVAILABLE_NODE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"]);

const timedOut = (e: unknown) => /Query read timeout/.test((e as Error)?.message ?? "");

/** Waiting for another replica's migration, or a migration itself, may take long: not bound by the query timeout. */
export const UNBOUNDED = 24 * 3600_000;
export const long = (text: string, values?: unknown[]): pg.QueryConfig => ({ text, values, query_timeout: UNBOUNDED } as pg.QueryConfig);

/** The database cannot be reached or is shutting down: a 503 the client retries, not a 500. */
export function unavailableOr(e: unknown): unknown {
  const code = (e as { code?: string }).code ?? "";
  const msg = (e as Error).message ?? "";
  if (UNAVAILABLE_NODE.has(code) || code.startsWith("08") || code.startsWith("57P") || code === "53300" || /Connection terminated|timeout exceeded when trying to connect|Query read timeout/i.test(msg)) {
    return new Unavailable("the database is unreachable; retry shortly", "(database)");
  }
  return e;
}

export interface PgOptions {
  /** Connections this replica keeps to the database (default 10). */
  poolSize?: number;
  /**
   * A query that has not answered after this many ms fails as 503 (a database that hangs must not
   * hang every request with it); unset: no limit (the one-shot commands: migrate, export, import).
   */
  queryTimeoutMs?: number;
  /** Apply pending migrations at start (default); false: refuse to start on an older schema. */
  migrate?: boolean;
}

export interface PgDb extends Db {
  pool: pg.Pool;
  /** This process, in notifications and logs. */
  replicaId: string;
}

/** The channel every replica listens on; a payload is a replica id (a change) or "ping:<replica>:<ms>". */
export const ACCESS_CHANNEL = "writer_local_access";

/** Runs compiled queries on the pool or a transaction's client; a database that is away is a 503, not a 500. */
function executor(c: Q): Exec {
  const query = async (q: Parameters<Exec["all"]>[0]) => {
    const x = compiled(q);
    try {
      return await c.query(x.sql, x.parameters as unknown[]);
    } catch (e) {
      throw unavailableOr(e);
    }
  };
  return {
    all: async (q) => (await query(q)).rows,
    first: async (q) => (await query(q)).rows[0],
    run: async (q) => (await query(q)).rowCount ?? 0,
  };
}

export async function openPg(url: string, opts: PgOptions = {}): Promise<PgDb> {
  const pool = new pg.Pool({
    connectionString: url, max: opts.poolSize ?? 10, types,
    connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000, application_name: "writer-local",
    ...(opts.queryTimeoutMs ? { query_timeout: opts.queryTimeoutMs } : {}),
  } as pg.PoolConfig);
  // An idle client that loses its connection emits here; without a listener that would crash the process.
  pool.on("error", () => undefined);
  const replicaId = randomUUID();
  const db: PgDb = {
    engine: "postgres",
    q: queryBuilder("postgres"),
    read: executor(pool),
    pool,
    replicaId,
    // READ COMMITTED, row locks where a read decides a write; retried on serialization failures;
    // an access-relevant commit notifies every replica (postgres/listen.ts).
    async tx(fn, { access = true } = {}) {
      for (let attempt = 0; ; attempt++) {
        let c: pg.PoolClient;
        try {
          c = await pool.connect();
        } catch (e) {
          throw unavailableOr(e);
        }
        let broken = false;
        try {
          await c.query("BEGIN");
          const out = await fn(executor(c));
          if (access) await c.query("SELECT pg_notify($1, $2)", [ACCESS_CHANNEL, replicaId]);
          await c.query("COMMIT");
          if (access) db.onAccessWrite?.();
          return out;
        } catch (e) {
          // A connection whose query timed out is in an unknown state: dropped, not rolled back.
          if (timedOut(e) || e instanceof Unavailable) broken = true;
          else await c.query("ROLLBACK").catch(() => (broken = true));
          const code = (e as { code?: string }).code ?? "";
          if (RETRY_CODES.has(code) && attempt < 4) continue;
          throw unavailableOr(e);
        } finally {
          c.release(broken);
        }
      }
    },
    close: () => pool.end(),
  };
  try {
    await migrate(pool, opts.migrate ?? true);
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  return db;
}

/** The schema version of the database (0: empty). */
export async function schemaVersion(q: Q): Promise<number> {
  await q.query("CREATE TABLE IF NOT EXISTS writer_schema (version INTEGER NOT NULL)");
  const r = await q.query<{ version: number }>("SELECT max(version) AS version FROM writer_schema");
  return r.rows[0]?.version ?? 0;
}

/**
 * Brings the schema to this build's version under an advisory lock (replicas starting together
 * migrate once). A database newer than this build is refused: an old replica must not write to a
 * schema it does not know. Returns the versions applied.
 */
export async function migrate(pool: pg.Pool, apply = true): Promise<number[]> {
  const c = await pool.connect().catch((e) => { throw unavailableOr(e); });
  const applied: number[] = [];
  try {
    await c.query(long("SELECT pg_advisory_lock($1)", [MIGRATE_LOCK]));
    const current = await schemaVersion(c);
    if (current > PG_SCHEMA_VERSION) {
      throw new SchemaTooNewError(`the database's schema is version ${current}, newer than this writer-local (${PG_SCHEMA_VERSION}): run the newer writer-local`);
    }
    if (current < PG_SCHEMA_VERSION && !apply) {
      throw new SchemaBehindError(`the database's schema is version ${current}, this writer-local needs ${PG_SCHEMA_VERSION}: run \`writer-local migrate --database ...\` first`);
    }
    for (let v = current; v < PG_SCHEMA_VERSION; v++) {
      await c.query("BEGIN");
      try {
        await c.query(long(PG_MIGRATIONS[v]));
        await c.query("INSERT INTO writer_schema (version) VALUES ($1)", [v + 1]);
        await c.query("COMMIT");
      } catch (e) {
        await c.query("ROLLBACK").catch(() => undefined);
        throw e;
      }
      applied.push(v + 1);
    }
  } finally {
    await c.query("SELECT pg_advisory_unlock($1)", [MIGRATE_LOCK]).catch(() => undefined);
    c.release();
  }
  return applied;
}

/**
 * The hashes in a database are only usable with the pepper they were made with. The first replica
 * records a fingerprint of its pepper (an HMAC of a fixed text: it reveals nothing of the pepper);
 * a replica started with another pepper file is refused instead of rejecting every key.
 */
export async function checkPepper(q: Q, pepper: Buffer): Promise<void> {
  const fp = createHmac("sha256", pepper).update("writer-local pepper fingerprint v1").digest("hex").slice(0, 32);
  await q.query("INSERT INTO meta (name, value) VALUES ('pepper_fingerprint', $1) ON CONFLICT (name) DO NOTHING", [fp]);
  const r = await q.query<{ value: string }>("SELECT value FROM meta WHERE name = 'pepper_fingerprint'");
  if (r.rows[0].value !== fp) {
    throw new PepperMismatchError("this replica's pepper is not the one the database's key hashes were made with: give every replica the same --pepper-file");
  }
}

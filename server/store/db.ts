import {
  DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type Compilable, type CompiledQuery,
} from "kysely";
import type { Schema } from "./schema";

/**
 * What the domain (server/store/domain/) writes its queries against, the same for both engines:
 * queries are built with Kysely, compiled for the engine, and run by the engine's own executor
 * (better-sqlite3 statements, a pg client), so transactions keep each engine's own handling
 * (SQLite's one writer; PostgreSQL's retries, broken connections, notifications).
 */
export interface Exec {
  all<R>(q: Compilable<R> | CompiledQuery<R>): Promise<R[]>;
  first<R>(q: Compilable<R> | CompiledQuery<R>): Promise<R | undefined>;
  /** Rows changed. */
  run(q: Compilable<unknown> | CompiledQuery<unknown>): Promise<number>;
}

export type Engine = "sqlite" | "postgres";

export interface Db {
  engine: Engine;
  /** Builds queries; run them with `read` or a transaction's Exec. */
  q: Kysely<Schema>;
  /** Outside a transaction. */
  read: Exec;
  /**
   * One transaction. Every write is in one; `access: false` declares one that cannot change an
   * access decision (usage, last use, ownership, idempotency records), so the data plane's memo
   * is left alone; by default the memo is emptied when it commits (here, and on PostgreSQL on
   * every replica).
   */
  tx<T>(fn: (x: Exec) => Promise<T>, opts?: { access?: boolean }): Promise<T>;
  /** Called after a transaction that may change access decisions commits. */
  onAccessWrite?: () => void;
  close(): Promise<void>;
}

/** A query builder that only compiles (nothing runs through Kysely itself). */
export function queryBuilder(engine: Engine): Kysely<Schema> {
  return new Kysely<Schema>({
    dialect: engine === "sqlite"
      ? { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new SqliteIntrospector(k), createQueryCompiler: () => new SqliteQueryCompiler() }
      : { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new PostgresIntrospector(k), createQueryCompiler: () => new PostgresQueryCompiler() },
  });
}

export const compiled = <R>(q: Compilable<R> | CompiledQuery<R>): CompiledQuery<R> => ("compile" in q ? q.compile() : q);

/** The one mapping of a unique-constraint violation, whichever engine raised it. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/**
 * A query of a fixed shape, compiled once and then run with other values: `build` is called once
 * with markers in place of its arguments (each argument must only ever be a value of the query,
 * never change its shape), and each call only fills the parameters. Compiling costs a few
 * microseconds a query, a fifth of an admin write's CPU across its statements.
 */
export function prepared<A extends unknown[], R>(build: (k: Kysely<Schema>, ...args: A) => Compilable<R>): (k: Kysely<Schema>, ...args: A) => CompiledQuery<R> {
  // Per query builder: one per engine, so the same template serves both.
  const byEngine = new WeakMap<Kysely<Schema>, { once: CompiledQuery<R>; slots: ({ arg: number } | { value: unknown })[] }>();
  return (k, ...args) => {
    let t = byEngine.get(k);
    if (!t) {
      const markers = args.map((_, i) => `\u0000writer-arg-${i}\u0000`);
      const once = build(k, ...(markers as A)).compile();
      const slots = once.parameters.map((p) => (typeof p === "string" && markers.includes(p) ? { arg: markers.indexOf(p) } : { value: p }));
      byEngine.set(k, (t = { once, slots }));
    }
    return { ...t.once, parameters: t.slots.map((s) => ("arg" in s ? args[s.arg] : s.value)) };
  };
}

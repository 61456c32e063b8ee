import { sql } from "kysely";
import type { Db } from "../db";
import type { Dump } from "../types";

/** Tables in the order a load must fill them (references first). Same names and columns in both engines. */
export const DUMP_TABLES = ["teams", "users", "user_teams", "agents", "keys", "admin_tokens", "audit_log", "idempotency", "usage_daily", "refusals_daily", "owned_objects"] as const;
const BINARY: Record<string, string[]> = { idempotency: ["iv", "tag", "body"] };

export class DumpError extends Error {}

export function encodeRows(table: string, rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const bin = BINARY[table] ?? [];
  return rows.map((r) => {
    const o = { ...r };
    for (const c of bin) if (Buffer.isBuffer(o[c])) o[c] = (o[c] as Buffer).toString("base64");
    return o;
  });
}

export function decodeRows(table: string, rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const bin = BINARY[table] ?? [];
  return rows.map((r) => {
    const o = { ...r };
    for (const c of bin) if (typeof o[c] === "string") o[c] = Buffer.from(o[c] as string, "base64");
    return o;
  });
}

/** A dump read from a file: the format is checked and only known tables are taken. */
export function checkDump(d: unknown): Dump {
  const x = d as Dump;
  if (!x || x.format !== "writer-local-dump" || x.version !== 1 || typeof x.tables !== "object") {
    throw new DumpError("not a writer-local dump (format writer-local-dump, version 1): make it with `writer-local export`");
  }
  for (const t of Object.keys(x.tables)) {
    if (!(DUMP_TABLES as readonly string[]).includes(t)) throw new DumpError(`the dump has an unknown table ${JSON.stringify(t)}`);
    if (!Array.isArray(x.tables[t])) throw new DumpError(`table ${t} of the dump is not a list of rows`);
  }
  return x;
}

/** The column names of rows, checked to be plain identifiers (they are put into SQL). */
export function columnsOf(table: string, rows: Record<string, unknown>[]): string[] {
  const cols = Object.keys(rows[0] ?? {});
  for (const c of cols) if (!/^[a-z_][a-z0-9_]*$/.test(c)) throw new DumpError(`table ${table}: bad column name ${JSON.stringify(c)}`);
  for (const r of rows) if (Object.keys(r).length !== cols.length) throw new DumpError(`table ${table}: rows have different columns`);
  return cols;
}

/** Tables whose `seq` orders their lists (the dump keeps it, so lists and cursors survive a move). */
const SEQUENCED = new Set(["teams", "users", "agents", "keys", "admin_tokens", "audit_log"]);

/** Everything the store holds, for moving a database between engines (writer-local export). */
export async function dumpAll(db: Db): Promise<Dump> {
  const tables: Dump["tables"] = {};
  for (const t of DUMP_TABLES) {
    let q = db.q.selectFrom(t as "teams").selectAll() as any;
    if (t === "idempotency") q = q.where("status", ">", 0);
    q = SEQUENCED.has(t) ? q.orderBy("seq") : q;
    tables[t] = encodeRows(t, (await db.read.all(q)) as Record<string, unknown>[]);
  }
  return { format: "writer-local-dump", version: 1, tables };
}

/** Fills an EMPTY database from a dump (writer-local import), in one transaction. */
export async function loadAll(db: Db, d: Dump): Promise<void> {
  await db.tx(async (x) => {
    const n = await x.first(db.q.selectNoFrom([
      sql<number>`(SELECT count(*) FROM teams) + (SELECT count(*) FROM users) + (SELECT count(*) FROM agents) + (SELECT count(*) FROM keys)`.as("n"),
    ]));
    if (Number(n?.n ?? 0) > 0) throw new DumpError("the target database is not empty: import into a new data dir or database");
    for (const t of DUMP_TABLES) {
      const rows = decodeRows(t, d.tables[t] ?? []);
      if (rows.length === 0) continue;
      columnsOf(t, rows);
      for (let i = 0; i < rows.length; i += 500) await x.run(db.q.insertInto(t as "teams").values(rows.slice(i, i + 500) as never));
      if (db.engine === "postgres" && SEQUENCED.has(t)) {
        await x.run(sql`SELECT setval(pg_get_serial_sequence(${t}, 'seq'), (SELECT max(seq) FROM ${sql.table(t)}))`.compile(db.q));
      }
    }
  });
}

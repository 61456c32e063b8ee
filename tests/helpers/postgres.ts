// The PostgreSQL side of the tests: the temporary cluster started by tests/setup/build.js, a fresh
// database per caller, and whether this run puts the shared suites on PostgreSQL (jest project
// "postgres" sets WRITER_TEST_STORE=postgres).
import { randomBytes } from "node:crypto";
import pg from "pg";

export const onPostgres = () => process.env.WRITER_TEST_STORE === "postgres";

export function clusterUrl(): string {
  const url = process.env.WRITER_TEST_PG_URL;
  if (!url) throw new Error("no PostgreSQL for the tests: WRITER_TEST_PG_URL is unset (tests/setup/build.js starts one)");
  return url;
}

/** A new, empty database on the test cluster; its URL. */
export async function freshDatabase(prefix = "t"): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const c = new pg.Client({ connectionString: clusterUrl() });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(clusterUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

/** One query on a database (a plain connection, closed afterwards). */
export async function sql<R extends pg.QueryResultRow = any>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}

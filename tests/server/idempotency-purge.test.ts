// Idempotency records older than 24 h are purged on a schedule, not only at start-up.
import { useApp } from "../helpers/app";
import { onPostgres } from "../helpers/postgres";

const srv = useApp({ idempotencyPurgeIntervalMs: 50 } as any);

test("an expired record disappears while the server runs", async () => {
  const r = await srv.api.post("/v1/admin/teams", { name: "purge-me" }, { "idempotency-key": "purge-1" });
  expect(r.status).toBe(201);
  const db = (srv.app as any).store.db;
  // The table itself, on whichever engine the suite runs on.
  const query = async (text: string, ...params: unknown[]): Promise<any[]> => {
    if (!onPostgres()) return text.startsWith("SELECT") ? db.prepare(text).all(...params) : (db.prepare(text).run(...params), []);
    let i = 0;
    return (await db.pool.query(text.replace(/\?/g, () => `$${++i}`), params)).rows;
  };
  const count = async () => Number((await query("SELECT count(*) AS n FROM idempotency"))[0].n);
  expect(await count()).toBe(1);
  await query("UPDATE idempotency SET created_at = ?", Date.now() - 25 * 3600 * 1000);
  await new Promise((ok) => setTimeout(ok, 300));
  expect(await count()).toBe(0);
});

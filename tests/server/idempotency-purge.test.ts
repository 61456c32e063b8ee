// Idempotency records older than 24 h are purged on a schedule, not only at start-up.
import { useApp } from "../helpers/app";

const srv = useApp({ idempotencyPurgeIntervalMs: 50 } as any);

test("an expired record disappears while the server runs", async () => {
  const r = await srv.api.post("/v1/admin/teams", { name: "purge-me" }, { "idempotency-key": "purge-1" });
  expect(r.status).toBe(201);
  const db = (srv.app as any).store.db;
  const count = () => (db.prepare("SELECT count(*) AS n FROM idempotency").get() as { n: number }).n;
  expect(count()).toBe(1);
  db.prepare("UPDATE idempotency SET created_at = ?").run(Date.now() - 25 * 3600 * 1000);
  await new Promise((ok) => setTimeout(ok, 300));
  expect(count()).toBe(0);
});

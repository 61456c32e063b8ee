// The audit log (README "Audit log"): one entry per admin write with who made it; entries are an
// HMAC chain under the pepper, so an entry edited or removed in the database itself (by someone
// with the database but not the pepper) is found by `writer-local audit verify`, which names it.
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freshDatabase, onPostgres, sql } from "../helpers/postgres";
import { admin, startLocalServer, type LocalServer } from "../helpers/server";

jest.setTimeout(60_000);
const CLI = resolve(__dirname, "../../dist/server/cli.js");

/** A server with some history: agents, keys, an update and a revocation. */
async function withHistory(): Promise<{ srv: LocalServer; db?: string }> {
  const db = onPostgres() ? await freshDatabase("audit") : undefined;
  const srv = await startLocalServer({ extraArgs: db ? ["--database", db] : [], sqlite: !db });
  const api = admin(srv.url, srv.adminToken);
  for (let i = 0; i < 3; i++) {
    const a = await api.post("/v1/admin/agents", { name: `audited-${i}`, capabilities: ["models"] });
    await api.patch(`/v1/admin/agents/${a.body.id}`, { description: `v${i}` });
    await api.del(`/v1/admin/agents/${a.body.id}/keys/${a.body.default_key.id}`);
  }
  return { srv, db };
}

function verify(srv: LocalServer, db?: string) {
  const where = db ? ["--database", db, "--pepper-file", join(srv.dataDir, "pepper")] : ["--data-dir", srv.dataDir];
  return spawnSync(process.execPath, [CLI, "audit", "verify", ...where], { encoding: "utf8", timeout: 30000, env: { ...process.env, WRITER_LOCAL_DATABASE_URL: "" } });
}

async function rows(srv: LocalServer, db?: string): Promise<{ seq: number; id: string; action: string; changes: string }[]> {
  if (db) return (await sql(db, "SELECT seq::int AS seq, id, action, changes FROM audit_log ORDER BY seq")).map((r) => ({ ...r, changes: typeof r.changes === "string" ? r.changes : JSON.stringify(r.changes) }));
  const d = new Database(join(srv.dataDir, "writer-local.db"), { readonly: true });
  try {
    return d.prepare("SELECT seq, id, action, changes FROM audit_log ORDER BY seq").all() as never;
  } finally {
    d.close();
  }
}

async function exec(srv: LocalServer, db: string | undefined, text: string, params: unknown[]) {
  if (db) return sql(db, text.replace(/\?/g, (() => { let i = 0; return () => `$${++i}`; })()), params);
  const d = new Database(join(srv.dataDir, "writer-local.db"));
  try {
    d.prepare(text).run(...params);
  } finally {
    d.close();
  }
}

test("each write is one entry naming the token; the CLI lists them; `audit verify` passes on an untouched log", async () => {
  const { srv, db } = await withHistory();
  try {
    const api = admin(srv.url, srv.adminToken);
    const entries = (await api.get("/v1/admin/audit?limit=100")).body.data as any[];
    const actions = entries.map((e) => e.action).reverse();
    expect(actions.filter((a) => a.startsWith("agent.") || a.startsWith("key."))).toEqual(
      [0, 1, 2].flatMap(() => ["agent.create", "agent.update", "key.revoke"]));
    for (const e of entries) expect(e.actor).toMatchObject({ role: "org_admin", name: "bootstrap" });
    const update = entries.find((e) => e.action === "agent.update");
    expect(update.changes).toEqual({ description: ["", "v2"] });
    const list = spawnSync(process.execPath, [CLI, "audit", "--url", srv.url, "--action", "key.revoke"], { encoding: "utf8", env: { ...process.env, WRITER_ADMIN_TOKEN: srv.adminToken } });
    expect(list.stdout.trim().split("\n")).toHaveLength(3);
    expect(list.stdout).toMatch(/bootstrap \(org_admin\).*api\s+ok\s+key\.revoke  key /);
  } finally {
    await srv.stop();
  }
  const ok = verify(srv, db);
  expect(ok.stdout).toMatch(/the audit chain verifies \(\d+ entries\)/);
  expect(ok.status).toBe(0);
});

test("an entry edited in the database is named by `audit verify` (exit 1); so is the one after an entry deleted", async () => {
  const { srv, db } = await withHistory();
  await srv.stop();
  const before = await rows(srv, db);
  const target = before.find((r) => r.action === "key.revoke")!;
  // Someone with the database hides a revocation's details.
  await exec(srv, db, "UPDATE audit_log SET changes = ? WHERE id = ?", [db ? JSON.stringify({}) : "{}", target.id]);
  const edited = verify(srv, db);
  expect(edited.status).toBe(1);
  expect(edited.stderr).toContain(`breaks at entry ${target.id}`);
  expect(edited.stderr).toContain("edited");
  // Put it back (the chain verifies again), then delete a whole entry instead.
  await exec(srv, db, "UPDATE audit_log SET changes = ? WHERE id = ?", [target.changes, target.id]);
  expect(verify(srv, db).status).toBe(0);
  const i = before.findIndex((r) => r.id === target.id);
  await exec(srv, db, "DELETE FROM audit_log WHERE id = ?", [target.id]);
  const removed = verify(srv, db);
  expect(removed.status).toBe(1);
  expect(removed.stderr).toContain(`breaks at entry ${before[i + 1].id}`);
  expect(removed.stderr).toContain("removed");
  expect(readFileSync(join(srv.dataDir, "pepper")).length).toBeGreaterThan(0);
});

// Moving a SQLite data dir to PostgreSQL (writer-local export / import), `writer-local migrate`,
// --no-migrate, and the start-up checks of --database and --pepper-file, through the real CLI.
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PG_SCHEMA_VERSION } from "../../server/store/postgres/migrations";
import { freshDatabase, sql } from "../helpers/postgres";
import { admin, startLocalServer } from "../helpers/server";

jest.setTimeout(120_000);

const CLI = resolve(__dirname, "../../dist/server/cli.js");
const TOKEN = "writer_admin_migrate-test-token-0123456789";

function cli(args: string[]): Promise<{ code: number; out: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("WRITER_LOCAL_")));
  return new Promise((done) =>
    execFile(process.execPath, [CLI, ...args], { env }, (err, stdout, stderr) =>
      done({ code: err ? ((err as any).code ?? 1) : 0, out: String(stdout) + String(stderr) })));
}

test("a SQLite data dir exported and imported into PostgreSQL: the same agents, keys and usage, and the old secrets keep working", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "wl-export-"));
  const old = await startLocalServer({ dataDir, adminToken: TOKEN, sqlite: true });
  const api = admin(old.url, TOKEN);
  const agent = (await api.post("/v1/admin/agents", { name: "moved", capabilities: ["models", "chat"] })).body;
  const key = (await api.post(`/v1/admin/agents/${agent.id}/keys`, { name: "k", scope: "all_teams", requests_per_minute: 100 })).body;
  for (let i = 0; i < 3; i++) expect((await fetch(`${old.url}/v1/models`, { headers: { authorization: `Bearer ${key.secret}` } })).status).toBe(200);
  const before = { agents: (await api.get("/v1/admin/agents?limit=100")).body.data, keys: (await api.get(`/v1/admin/agents/${agent.id}/keys`)).body.data };
  await old.stop();

  const dump = join(mkdtempSync(join(tmpdir(), "wl-dump-")), "writer.dump");
  const ex = await cli(["export", "--data-dir", dataDir, "--out", dump]);
  expect(ex).toMatchObject({ code: 0 });
  expect(ex.out).toMatch(/exported teams 3, users 4, user_teams \d+, agents 1, keys 2/);
  expect(statSync(dump).mode & 0o777).toBe(0o600);
  expect(readFileSync(dump, "utf8")).not.toContain(key.secret);

  const db = await freshDatabase("imp");
  const im = await cli(["import", "--in", dump, "--database", db, "--pepper-file", join(dataDir, "pepper")]);
  expect(im).toMatchObject({ code: 0 });
  // A second import into the now non-empty database is refused, nothing added.
  const again = await cli(["import", "--in", dump, "--database", db, "--pepper-file", join(dataDir, "pepper")]);
  expect(again.code).not.toBe(0);
  expect(again.out).toContain("the target database is not empty");
  expect((await sql(db, "SELECT count(*)::int AS n FROM agents"))[0].n).toBe(1);

  const moved = await startLocalServer({ adminToken: TOKEN, extraArgs: ["--database", db, "--pepper-file", join(dataDir, "pepper")] });
  try {
    const api2 = admin(moved.url, TOKEN);
    expect((await api2.get("/v1/admin/agents?limit=100")).body.data).toEqual(before.agents);
    expect((await api2.get(`/v1/admin/agents/${agent.id}/keys`)).body.data.map((k: any) => ({ ...k, last_used_at: null })))
      .toEqual(before.keys.map((k: any) => ({ ...k, last_used_at: null })));
    expect((await fetch(`${moved.url}/v1/models`, { headers: { authorization: `Bearer ${key.secret}` } })).status).toBe(200);
    const day = new Date().toISOString().slice(0, 10);
    const u = await api2.get(`/v1/admin/agents/${agent.id}/keys/${key.id}/usage?from=${day}&to=${day}`);
    expect(u.body.totals.requests).toBe(4); // 3 before the move, 1 after
    // New objects continue the lists' order after the imported ones.
    const second = (await api2.post("/v1/admin/agents", { name: "after the move" })).body;
    expect((await api2.get("/v1/admin/agents?order=asc&limit=100")).body.data.map((a: any) => a.id)).toEqual([agent.id, second.id]);
  } finally {
    await moved.stop();
  }
  // The other way: the PostgreSQL database exported and imported into a new SQLite data dir.
  const dump2 = join(mkdtempSync(join(tmpdir(), "wl-dump-")), "back.dump");
  expect((await cli(["export", "--database", db, "--pepper-file", join(dataDir, "pepper"), "--out", dump2])).code).toBe(0);
  const back = mkdtempSync(join(tmpdir(), "wl-back-"));
  writeFileSync(join(back, "pepper"), readFileSync(join(dataDir, "pepper")), { mode: 0o600 });
  expect((await cli(["import", "--in", dump2, "--data-dir", back])).code).toBe(0);
  const sqliteAgain = await startLocalServer({ dataDir: back, adminToken: TOKEN, sqlite: true });
  try {
    expect((await admin(sqliteAgain.url, TOKEN).get("/v1/admin/agents?limit=100")).body.data).toHaveLength(2);
    expect((await fetch(`${sqliteAgain.url}/v1/models`, { headers: { authorization: `Bearer ${key.secret}` } })).status).toBe(200);
  } finally {
    await sqliteAgain.stop();
  }
});

test("writer-local migrate brings an empty database to the current schema; --no-migrate refuses an older one; bad --database and --pepper-file are named", async () => {
  const pepperDir = mkdtempSync(join(tmpdir(), "wl-pep-"));
  const pepper = join(pepperDir, "pepper");
  writeFileSync(pepper, Buffer.alloc(32, 7), { mode: 0o600 });
  const db = await freshDatabase("mig");
  const refused = await cli(["serve", "--port", "0", "--data-dir", pepperDir, "--database", db, "--pepper-file", pepper, "--no-migrate"]);
  expect(refused.code).not.toBe(0);
  expect(refused.out).toContain("run `writer-local migrate --database ...` first");
  const m = await cli(["migrate", "--database", db, "--pepper-file", pepper, "--data-dir", pepperDir]);
  expect(m).toMatchObject({ code: 0 });
  expect(m.out).toContain("schema is up to date");
  expect(await sql(db, "SELECT max(version)::int AS v FROM writer_schema")).toEqual([{ v: PG_SCHEMA_VERSION }]);

  const open = join(pepperDir, "open");
  writeFileSync(open, Buffer.alloc(32, 1));
  chmodSync(open, 0o644);
  const loose = await cli(["migrate", "--database", db, "--pepper-file", open]);
  expect(loose.out).toContain("is readable by others (mode 644): chmod 600 it");
  const missing = await cli(["migrate", "--database", db, "--pepper-file", join(pepperDir, "nope")]);
  expect(missing.out).toContain("does not exist: copy the first replica's <data-dir>/pepper there");
  const mysql = await cli(["migrate", "--database", "mysql://root:hunter2@localhost/x", "--pepper-file", pepper]);
  expect(mysql.out).toContain("--database must be a postgres:// URL");
  expect(mysql.out).not.toContain("hunter2");
  const down = await cli(["migrate", "--database", "postgres://u:hunter2@127.0.0.1:1/x", "--pepper-file", pepper]);
  expect(down.code).not.toBe(0);
  expect(down.out).toContain("the database is unreachable");
  expect(down.out).not.toContain("hunter2");
});

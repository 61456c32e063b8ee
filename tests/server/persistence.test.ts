// engine: sqlite (it reads SQLite's own file, pragmas or data dir)
import Database from "better-sqlite3";
import { SCHEMA_VERSION } from "../../server/store/sqlite/migrations";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { admin, startLocalServer, type LocalServer } from "../helpers/server";

const CLI = resolve(__dirname, "../../dist/server/cli.js");
let srv: LocalServer;

afterAll(() => srv?.stop());

describe("restart on the same data dir", () => {
  test("agents, keys, secrets, revocations and the admin token survive; nothing is reseeded", async () => {
    srv = await startLocalServer();
    const token = srv.adminToken;
    expect(token).toMatch(/^writer_admin_/);
    expect(statSync(join(srv.dataDir, "admin-token")).mode & 0o777).toBe(0o600);
    expect(statSync(join(srv.dataDir, "pepper")).mode & 0o777).toBe(0o600);
    // The token is never printed, only where to find it.
    expect(srv.output()).not.toContain(token);
    expect(srv.output()).toContain(join(srv.dataDir, "admin-token"));

    let api = admin(srv.url, token);
    const a = (await api.post("/v1/admin/agents", { name: "durable", capabilities: ["models", "chat"] })).body;
    const k = (await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "second" })).body;
    const gone = (await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "revoked" })).body;
    await api.del(`/v1/admin/agents/${a.id}/keys/${gone.id}`);
    const rotated = (await api.post(`/v1/admin/agents/${a.id}/keys/${k.id}/regenerate`, { grace_period_seconds: 3600 })).body;
    const replayFirst = await api.post("/v1/admin/teams", { name: "Durable team" }, { "idempotency-key": "restart-1" });

    const code = await srv.stop();
    expect(code).toBe(0);
    await srv.restart();
    api = admin(srv.url, token);

    expect(readFileSync(join(srv.dataDir, "admin-token"), "utf8").trim()).toBe(token);
    const g = await api.get(`/v1/admin/agents/${a.id}`);
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({ name: "durable", capabilities: ["chat", "models"], key_count: 2 });
    expect((await admin(srv.url, a.default_key.secret).get("/v1/models")).status).toBe(200);
    expect((await admin(srv.url, rotated.secret).get("/v1/models")).status).toBe(200);
    expect((await admin(srv.url, k.secret).get("/v1/models")).status).toBe(200); // within grace
    expect((await admin(srv.url, gone.secret).get("/v1/models")).status).toBe(401);
    expect((await api.get(`/v1/admin/agents/${a.id}/keys/${gone.id}`)).status).toBe(404);
    // The revoked key is still in the store, as an audit row. writer-local holds its database
    // exclusively, so the file is read with the server stopped, then the server comes back.
    expect(await srv.stop()).toBe(0);
    const db = new Database(join(srv.dataDir, "writer-local.db"), { readonly: true });
    try {
      const row = db.prepare("SELECT name, revoked_at FROM keys WHERE id = ?").get(gone.id) as { name: string; revoked_at: number };
      expect(row.name).toBe("revoked");
      expect(row.revoked_at).toBeGreaterThan(0);
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
    await srv.restart();
    api = admin(srv.url, token);
    const replay = await api.post("/v1/admin/teams", { name: "Durable team" }, { "idempotency-key": "restart-1" });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(replayFirst.body);
    const teams = (await api.get("/v1/admin/teams")).body.data.map((t: any) => t.name).sort();
    expect(teams).toEqual(["Durable team", "Engineering", "Sales", "Support"]);
  });

  test("SIGINT closes cleanly (exit 0) and the data stays usable", async () => {
    expect(await srv.stop("SIGINT")).toBe(0);
    await srv.restart();
    expect((await admin(srv.url, srv.adminToken).get("/v1/admin/teams")).status).toBe(200);
  });

  test("`writer-local token` prints the stored token", () => {
    const r = spawnSync(process.execPath, [CLI, "token", "--data-dir", srv.dataDir], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(srv.adminToken);
  });
});

describe("startup options", () => {
  test("--admin-token is used instead of a generated one; --seed replaces the defaults", async () => {
    const seedDir = srv.dataDir;
    const seedFile = join(seedDir, "seed.json");
    writeFileSync(seedFile, JSON.stringify({ teams: [{ name: "Ops" }], users: [{ email: "ops@example.com", name: "Ops", teams: ["Ops"] }] }));
    const s = await startLocalServer({ adminToken: "writer_admin_fixed-token-for-tests", seedFile });
    try {
      const api = admin(s.url, "writer_admin_fixed-token-for-tests");
      const teams = (await api.get("/v1/admin/teams")).body.data;
      expect(teams.map((t: any) => t.name)).toEqual(["Ops"]);
      const users = (await api.get("/v1/admin/users")).body.data;
      expect(users).toHaveLength(1);
      expect(users[0].team_ids).toEqual([teams[0].id]);
    } finally {
      await s.stop();
    }
  });

  test("env WRITER_ADMIN_TOKEN is honoured", async () => {
    const s = await startLocalServer({ env: { WRITER_ADMIN_TOKEN: "writer_admin_from-env" }, adminToken: undefined });
    try {
      expect((await admin(s.url, "writer_admin_from-env").get("/v1/admin/teams")).status).toBe(200);
    } finally {
      await s.stop();
    }
  });

  test("a bad seed file fails startup with a message naming the field", async () => {
    const seedFile = join(srv.dataDir, "bad-seed.json");
    writeFileSync(seedFile, JSON.stringify({ teams: [{ name: "A" }], users: [{ email: "x@example.com", name: "X", teams: ["B"] }] }));
    await expect(startLocalServer({ seedFile })).rejects.toThrow(/users\.0\.teams\.0/);
    writeFileSync(seedFile, JSON.stringify({ teams: [{ nom: "A" }] }));
    await expect(startLocalServer({ seedFile })).rejects.toThrow(/teams\.0/);
  });

  test("a bad fault spec fails startup", async () => {
    await expect(startLocalServer({ faults: "418=0.5" })).rejects.toThrow(/unknown kind/);
  });
});

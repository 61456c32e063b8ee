// Parallel creates, regenerates and revokes on ONE agent from several client processes against one
// writer-local (which owns its data dir): the store stays consistent and no "database is locked"
// (or any 5xx) reaches a client. A second server on the same data dir refuses to start.
import { execFile } from "node:child_process";
import { admin, startLocalServer, type LocalServer } from "../helpers/server";

jest.setTimeout(180_000);

const PROCS = 6;
const OPS = 60;
// One client process: a random mix of create / regenerate / revoke / data-plane use on the agent.
const CLIENT = `
const [url, token, agent, seed, ops] = process.argv.slice(1);
let r = Number(seed); const rnd = () => ((r = (r * 1103515245 + 12345) % 2147483648) / 2147483648);
const call = async (m, p, body, auth = token) => {
  const res = await fetch(url + p, { method: m, headers: { authorization: "Bearer " + auth, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
};
(async () => {
  const mine = new Map(); const revoked = []; const old = []; const statuses = {}; const bad = [];
  const note = (what, r) => { statuses[r.status] = (statuses[r.status] || 0) + 1; if (r.status >= 500 || /locked|busy/i.test(r.text)) bad.push(what + " " + r.status + " " + r.text.slice(0, 200)); };
  for (let i = 0; i < Number(ops); i++) {
    const live = [...mine.keys()];
    const x = rnd();
    if (x < 0.45 || live.length === 0) {
      const c = await call("POST", "/v1/admin/agents/" + agent + "/keys", { name: "c" + seed + "-" + i, scope: "all_teams" }); note("create", c);
      if (c.status === 201) mine.set(c.body.id, c.body.secret);
    } else if (x < 0.7) {
      const id = live[Math.floor(rnd() * live.length)];
      const g = await call("POST", "/v1/admin/agents/" + agent + "/keys/" + id + "/regenerate", { grace_period_seconds: 0 }); note("regenerate", g);
      if (g.status === 200) { old.push(mine.get(id)); mine.set(id, g.body.secret); }
    } else if (x < 0.85) {
      const id = live[Math.floor(rnd() * live.length)];
      const d = await call("DELETE", "/v1/admin/agents/" + agent + "/keys/" + id); note("revoke", d);
      if (d.status === 204) { revoked.push({ id, secret: mine.get(id) }); mine.delete(id); }
    } else {
      const id = live[Math.floor(rnd() * live.length)];
      const u = await call("GET", "/v1/models", undefined, mine.get(id)); note("use", u);
      if (u.status !== 200) bad.push("use of a live key: " + u.status);
    }
  }
  process.stdout.write(JSON.stringify({ live: Object.fromEntries(mine), revoked, old, statuses, bad }));
})().catch((e) => { process.stdout.write(JSON.stringify({ crash: String(e.stack || e) })); });
`;

let a: LocalServer;
beforeAll(async () => {
  a = await startLocalServer({ adminToken: "concurrency-admin-token-0123456789abcdef" });
});
afterAll(async () => {
  await a?.stop();
});

test(`${PROCS} processes x ${OPS} mixed ops on one agent on one server: consistent, no locked errors, no 5xx`, async () => {
  const api = admin(a.url, a.adminToken);
  const agent = (await api.post("/v1/admin/agents", { name: "shared", capabilities: ["models"] })).body;
  const runs = await Promise.all(
    Array.from({ length: PROCS }, (_, i) =>
      new Promise<any>((ok, fail) =>
        execFile(process.execPath, ["-e", CLIENT, a.url, a.adminToken, agent.id, String(i + 1), String(OPS)], { maxBuffer: 1 << 24 }, (err, stdout) =>
          err ? fail(err) : ok(JSON.parse(stdout)),
        ),
      ),
    ),
  );
  for (const r of runs) {
    expect(r.crash).toBeUndefined();
    expect(r.bad).toEqual([]);
  }
  // The store agrees with what the clients saw: exactly the live keys (plus Production) remain.
  const listed = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await api.get(`/v1/admin/agents/${agent.id}/keys?limit=100${after ? `&after=${after}` : ""}`);
    page.body.data.forEach((k: any) => listed.add(k.id));
    if (!page.body.has_more) break;
    after = page.body.last_id;
  }
  const live = Object.assign({}, ...runs.map((r) => r.live)) as Record<string, string>;
  expect([...listed].sort()).toEqual([agent.default_key.id, ...Object.keys(live)].sort());
  expect((await api.get(`/v1/admin/agents/${agent.id}`)).body.key_count).toBe(listed.size);
  // Every latest secret works; every revoked key and every replaced secret is refused.
  for (const s of Object.values(live)) expect((await admin(a.url, s).get("/v1/models")).status).toBe(200);
  for (const r of runs) for (const k of r.revoked) expect((await admin(a.url, k.secret).get("/v1/models")).status).toBe(401);
  for (const r of runs) for (const s of r.old) expect((await admin(a.url, s).get("/v1/models")).status).toBe(401);
  // The server logged no lock error or an unhandled error.
  expect(a.output()).not.toMatch(/SQLITE_BUSY|database is locked|unhandled error/i);
  const totals = runs.reduce((t, r) => { for (const [k, v] of Object.entries(r.statuses)) t[k] = (t[k] ?? 0) + (v as number); return t; }, {} as Record<string, number>);
  expect(Object.keys(totals).every((s) => Number(s) < 500)).toBe(true);
});

test("a second writer-local on the same data dir refuses to start, saying why; the first keeps serving", async () => {
  const second = await startLocalServer({ dataDir: a.dataDir }).then(
    async (s) => {
      await s.stop();
      return "started";
    },
    (e: Error) => e.message,
  );
  expect(second).toMatch(/data dir .* is in use by another writer-local process/);
  expect((await admin(a.url, a.adminToken).get("/v1/admin/teams")).status).toBe(200);
});

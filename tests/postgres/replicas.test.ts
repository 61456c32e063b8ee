// Several writer-local replicas (real processes) on one PostgreSQL database: idempotency, limits,
// access changes and usage hold across them; a replica killed mid-`pulumi up` behind a load
// balancer leaves no duplicate and no orphan.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import pg from "pg";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PG_SCHEMA_VERSION } from "../../server/store/postgres/migrations";
import { startBalancer } from "../helpers/balancer";
import { freshDatabase, sql } from "../helpers/postgres";
import { ProjectStack } from "../helpers/pulumi";
import { admin, startLocalServer, type LocalServer } from "../helpers/server";
import { expectConverged, FAST_RETRIES, groupsProgram, serverInventory } from "../reliability/inventory";

jest.setTimeout(300_000);

const TOKEN = "writer_admin_replicas-test-token-0123456789";
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

function pepperFile(): string {
  const f = join(mkdtempSync(join(tmpdir(), "pepper-")), "pepper");
  writeFileSync(f, randomBytes(32), { mode: 0o600 });
  chmodSync(f, 0o600);
  return f;
}

async function replicas(n: number, url?: string, pepper = pepperFile()): Promise<{ url: string; pepper: string; servers: LocalServer[] }> {
  const db = url ?? (await freshDatabase("rep"));
  const servers: LocalServer[] = [];
  // Started together: they migrate and seed the empty database once between them.
  servers.push(...(await Promise.all(Array.from({ length: n }, () =>
    startLocalServer({ adminToken: TOKEN, extraArgs: ["--database", db, "--pepper-file", pepper] })))));
  return { url: db, pepper, servers };
}

const stopAll = (s: LocalServer[]) => Promise.all(s.map((x) => x.stop().catch(() => undefined)));
const dp = (base: string, secret: string, path = "/v1/models", init: RequestInit = {}) =>
  fetch(base + path, { ...init, headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", ...(init.headers ?? {}) } });

test("replicas started together on an empty database migrate and seed it once; a replica with another pepper is refused", async () => {
  const r = await replicas(3);
  try {
    expect(await sql(r.url, "SELECT version FROM writer_schema ORDER BY version")).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
    const teams = await admin(r.servers[2].url, TOKEN).get("/v1/admin/teams?limit=100");
    expect(teams.body.data.map((t: any) => t.name).sort()).toEqual(["Engineering", "Sales", "Support"]);
    await expect(startLocalServer({ adminToken: TOKEN, extraArgs: ["--database", r.url, "--pepper-file", pepperFile()] }))
      .rejects.toThrow(/pepper is not the one the database's key hashes were made with/);
  } finally {
    await stopAll(r.servers);
  }
});

test("idempotency across replicas: the same Idempotency-Key sent to two replicas at once creates one object, and both answers carry it", async () => {
  const r = await replicas(2);
  try {
    const [a, b] = r.servers.map((s) => admin(s.url, TOKEN));
    for (let i = 0; i < 15; i++) {
      const key = `race-${i}-${randomBytes(4).toString("hex")}`;
      const body = { name: `race ${i}`, capabilities: ["chat"] };
      const [x, y] = await Promise.all([a.post("/v1/admin/agents", body, { "idempotency-key": key }), b.post("/v1/admin/agents", body, { "idempotency-key": key })]);
      expect([x.status, y.status].sort()).toEqual([201, 201].sort());
      expect(x.body.id).toBe(y.body.id);
      expect(x.body.default_key.secret).toBe(y.body.default_key.secret);
    }
    const names = (await a.get("/v1/admin/agents?limit=100")).body.data.map((x: any) => x.name);
    expect(names.length).toBe(15);
    // A reused key with another body is refused on the other replica too.
    const k = `reuse-${randomBytes(4).toString("hex")}`;
    expect((await a.post("/v1/admin/teams", { name: "T one" }, { "idempotency-key": k })).status).toBe(201);
    const other = await b.post("/v1/admin/teams", { name: "T two" }, { "idempotency-key": k });
    expect(other.status).toBe(409);
    expect(JSON.stringify(other.body)).toContain("idempotencyKeyReused");
  } finally {
    await stopAll(r.servers);
  }
});

async function agentWithKey(api: ReturnType<typeof admin>, key: Record<string, unknown> = {}) {
  const agent = (await api.post("/v1/admin/agents", { name: `a ${randomBytes(3).toString("hex")}`, capabilities: ["chat", "models"] })).body;
  const k = await api.post(`/v1/admin/agents/${agent.id}/keys`, { name: "k", scope: "all_teams", ...key });
  expect(k.status).toBe(201);
  return { agentId: agent.id as string, keyId: k.body.id as string, secret: k.body.secret as string };
}

test("limits are shared: 10 requests per minute across three replicas admit exactly 10 of 45 concurrent requests", async () => {
  const r = await replicas(3);
  try {
    const k = await agentWithKey(admin(r.servers[0].url, TOKEN), { requests_per_minute: 10 });
    // Not across a minute boundary (the window is the UTC minute).
    if (new Date().getUTCSeconds() > 50) await sleep((61 - new Date().getUTCSeconds()) * 1000);
    const answers = await Promise.all(Array.from({ length: 45 }, (_, i) => dp(r.servers[i % 3].url, k.secret).then((x) => x.status)));
    expect(answers.filter((s) => s === 200).length).toBe(10);
    expect(answers.filter((s) => s === 429).length).toBe(35);
  } finally {
    await stopAll(r.servers);
  }
});

test("token limits across three replicas: 50 concurrent clients with large max_tokens never overshoot a budget or a tokens-per-minute limit, even while settlements are slow", async () => {
  const r = await replicas(3);
  const c = new pg.Client({ connectionString: r.url });
  try {
    const api = admin(r.servers[0].url, TOKEN);
    const budget = await agentWithKey(api, { token_budget: { tokens: 3000, period: "day" } });
    const tpm = await agentWithKey(api, { tokens_per_minute: 200 });
    if (new Date().getUTCSeconds() > 45) await sleep((61 - new Date().getUTCSeconds()) * 1000);
    const chat = (secret: string, i: number, maxTokens: number) =>
      dp(r.servers[i % 3].url, secret, "/v1/chat", { method: "POST", body: JSON.stringify({ model: "palmyra-x5", messages: [{ role: "user", content: "go" }], max_tokens: maxTokens }) })
        .then(async (x) => ({ status: x.status, body: (await x.json()) as any }));
    // A slow database for the first half second: settlements wait behind a lock on usage_daily.
    await c.connect();
    await c.query("BEGIN");
    await c.query("LOCK TABLE usage_daily IN EXCLUSIVE MODE");
    const release = sleep(500).then(() => c.query("COMMIT"));
    const [big, small] = await Promise.all([
      Promise.all(Array.from({ length: 50 }, (_, i) => chat(budget.secret, i, 300))),
      Promise.all(Array.from({ length: 50 }, (_, i) => chat(tpm.secret, i, 20))),
    ]);
    await release;
    for (const [answers, limit, k] of [[big, 3000, budget], [small, 200, tpm]] as const) {
      expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
      const ok = answers.filter((a) => a.status === 200);
      expect(ok.length).toBeGreaterThan(0);
      const spent = ok.reduce((n, a) => n + a.body.usage.total_tokens, 0);
      expect(spent).toBeLessThanOrEqual(limit);
      await sleep(1500); // every replica has flushed its request counts
      const day = new Date().toISOString().slice(0, 10);
      const u = (await api.get(`/v1/admin/agents/${k.agentId}/keys/${k.keyId}/usage?from=${day}&to=${day}`)).body.totals;
      expect(u.prompt_tokens + u.completion_tokens).toBe(spent);
    }
  } finally {
    await c.end().catch(() => undefined);
    await stopAll(r.servers);
  }
});

test("an admin change holds on the replica that took it from the next request, and on the others within 1 second", async () => {
  const r = await replicas(3);
  try {
    const [a] = r.servers.map((s) => admin(s.url, TOKEN));
    for (let round = 0; round < 3; round++) {
      const k = await agentWithKey(a);
      // Warm every replica's memo with the key.
      for (const s of r.servers) for (let i = 0; i < 3; i++) expect((await dp(s.url, k.secret)).status).toBe(200);
      const changed = Date.now();
      expect((await admin(r.servers[round].url, TOKEN).del(`/v1/admin/agents/${k.agentId}/keys/${k.keyId}`)).status).toBe(204);
      expect((await dp(r.servers[round].url, k.secret)).status).toBe(401); // the replica that took it: next request
      const seen = await Promise.all(r.servers.map(async (s) => {
        while ((await dp(s.url, k.secret)).status === 200 && Date.now() - changed < 5000) await sleep(20);
        return Date.now() - changed;
      }));
      expect(Math.max(...seen)).toBeLessThan(1000);
    }
  } finally {
    await stopAll(r.servers);
  }
});

test("usage from every replica adds up exactly (requests and tokens), also after a replica stops", async () => {
  const r = await replicas(3);
  try {
    const k = await agentWithKey(admin(r.servers[0].url, TOKEN));
    let tokens = 0;
    for (let i = 0; i < 60; i++) {
      const res = await dp(r.servers[i % 3].url, k.secret, "/v1/chat", { method: "POST", body: JSON.stringify({ model: "palmyra-x5", messages: [{ role: "user", content: `hello ${i}` }], max_tokens: 5 }) });
      expect(res.status).toBe(200);
      tokens += ((await res.json()) as any).usage.total_tokens;
    }
    await r.servers[1].stop(); // its counts are written as it shuts down
    await sleep(1500); // the others write theirs at least once a second
    const day = new Date().toISOString().slice(0, 10);
    const u = await admin(r.servers[2].url, TOKEN).get(`/v1/admin/agents/${k.agentId}/keys/${k.keyId}/usage?from=${day}&to=${day}`);
    expect(u.status).toBe(200);
    expect(u.body.totals.requests).toBe(60);
    expect(u.body.totals.prompt_tokens + u.body.totals.completion_tokens).toBe(tokens);
  } finally {
    await stopAll(r.servers);
  }
});

test("a replica SIGKILLed mid-`pulumi up` behind a load balancer: the up carries on through the others and converges; no duplicate, no orphan", async () => {
  const r = await replicas(3);
  const live = new Set(r.servers.map((s) => s.url));
  const lb = await startBalancer(() => [...live]);
  try {
    const api = admin(lb.url, TOKEN);
    const p = new ProjectStack("pgkill", groupsProgram(40, "pgkill"), { ...FAST_RETRIES, WRITER_RETRIES: "8" });
    await p.init("test", { "writer:baseUrl": lb.url }, { "writer:adminToken": TOKEN });
    const up = p.run(["up", "--yes", "--skip-preview"], { allowFail: true, timeoutMs: 90_000 });
    const end = Date.now() + 120_000;
    while ((await api.get("/v1/admin/agents?limit=100")).body.data.length < 8 && Date.now() < end) await sleep(50);
    live.delete(r.servers[0].url);
    await r.servers[0].stop("SIGKILL");
    const first = await up;
    if (first.code !== 0) console.log(first.stdout, first.stderr);
    expect(first.code).toBe(0); // the balancer carried on: no second `up` needed
    await expectConverged(p, api);
    expect(lb.served.get(new URL(r.servers[1].url).origin)).toBeGreaterThan(0);
    expect(lb.served.get(new URL(r.servers[2].url).origin)).toBeGreaterThan(0);
    await p.destroy();
    expect((await serverInventory(api)).agents).toEqual([]);
  } finally {
    await lb.close();
    await stopAll(r.servers);
  }
});

test("the database goes away: admin and data plane answer 503 with Retry-After (never 500, never a key on the memo's word past 1 s), and recover when it is back", async () => {
  const { execFileSync } = await import("node:child_process");
  const script = join(__dirname, "..", "..", "scripts", "ensure-postgres");
  const dir = mkdtempSync("/tmp/writer-pg-down-");
  const url = execFileSync("bash", [script, "start", dir], { encoding: "utf8" }).trim().split("\n").pop()!;
  const r = await replicas(1, url);
  try {
    const s = r.servers[0];
    const k = await agentWithKey(admin(s.url, TOKEN));
    expect((await dp(s.url, k.secret)).status).toBe(200);
    execFileSync("bash", [script, "halt", dir]);
    await sleep(1200);
    const a = await admin(s.url, TOKEN).get("/v1/admin/agents");
    expect(a.status).toBe(503);
    expect(a.headers.get("retry-after")).toBe("1");
    const d = await dp(s.url, k.secret);
    expect(d.status).toBe(503);
    execFileSync("bash", [script, "resume", dir]);
    const end = Date.now() + 20_000;
    let back = 0;
    while (Date.now() < end && (back = (await dp(s.url, k.secret)).status) !== 200) await sleep(200);
    expect(back).toBe(200);
    expect((await admin(s.url, TOKEN).get("/v1/admin/agents")).status).toBe(200);
    // The listener is back too: a change on another connection reaches the memo again.
    await sql(url, "UPDATE keys SET status = 'disabled' WHERE id = $1", [k.keyId]);
    await sql(url, "SELECT pg_notify('writer_local_access', 'external')");
    const t = Date.now();
    while ((await dp(s.url, k.secret)).status === 200 && Date.now() - t < 5000) await sleep(20);
    expect(Date.now() - t).toBeLessThan(1000);
  } finally {
    await stopAll(r.servers);
    execFileSync("bash", [script, "stop", dir]);
  }
});

test("a database that hangs (its processes stopped): requests answer 503 within the query timeout instead of hanging with it, and recover", async () => {
  const { execFileSync } = await import("node:child_process");
  const { readFileSync } = await import("node:fs");
  const script = join(__dirname, "..", "..", "scripts", "ensure-postgres");
  const dir = mkdtempSync("/tmp/writer-pg-hang-");
  const url = execFileSync("bash", [script, "start", dir], { encoding: "utf8" }).trim().split("\n").pop()!;
  const s = await startLocalServer({ adminToken: TOKEN, extraArgs: ["--database", url, "--pepper-file", pepperFile(), "--database-timeout-ms", "1500"] });
  const postmaster = Number(readFileSync(join(dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
  const signal = (sig: NodeJS.Signals) => {
    process.kill(postmaster, sig);
    const children = execFileSync("pgrep", ["-P", String(postmaster)], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
    for (const c of children) process.kill(Number(c), sig);
  };
  try {
    // A limited key: each of its requests asks the database (its minute window).
    const k = await agentWithKey(admin(s.url, TOKEN), { requests_per_minute: 1000 });
    expect((await dp(s.url, k.secret)).status).toBe(200);
    signal("SIGSTOP");
    try {
      const t = Date.now();
      // Without a query timeout these would wait for as long as the database does.
      const bounded = { signal: AbortSignal.timeout(15_000) };
      const [d, a] = await Promise.all([
        dp(s.url, k.secret, "/v1/models", bounded),
        fetch(`${s.url}/v1/admin/agents`, { ...bounded, headers: { authorization: `Bearer ${TOKEN}` } }),
      ]);
      expect([d.status, a.status]).toEqual([503, 503]);
      expect(d.headers.get("retry-after")).toBe("1");
      expect(Date.now() - t).toBeLessThan(8000);
    } finally {
      signal("SIGCONT");
    }
    const end = Date.now() + 20_000;
    let back = 0;
    while (Date.now() < end && (back = (await dp(s.url, k.secret)).status) !== 200) await sleep(200);
    expect(back).toBe(200);
    expect((await admin(s.url, TOKEN).get("/v1/admin/agents")).status).toBe(200);
  } finally {
    await s.stop();
    execFileSync("bash", [script, "stop", dir]);
  }
});

test("under load on many keys from three replicas, usage writes never deadlock into a pile-up: admin writes keep succeeding and the counts add up", async () => {
  const r = await replicas(3);
  try {
    const api = admin(r.servers[0].url, TOKEN);
    const keys: Awaited<ReturnType<typeof agentWithKey>>[] = [];
    keys.push(...(await Promise.all(Array.from({ length: 400 }, () => agentWithKey(api)))));
    let sent = 0;
    const bad: number[] = [];
    const until = Date.now() + 5000;
    // 24 workers, each walking the keys in its own order on every replica in turn.
    const workers = Array.from({ length: 24 }, async (_, w) => {
      for (let i = w; Date.now() < until; i += 7) {
        const k = keys[(i * 131 + w * 977) % keys.length];
        const res = await dp(r.servers[i % 3].url, k.secret);
        if (res.status !== 200) bad.push(res.status);
        sent++;
      }
    });
    // Admin writes meanwhile, on every replica: none may wait for a pool emptied by usage writes.
    const adminWrites = (async () => {
      const statuses: number[] = [];
      while (Date.now() < until) {
        for (const s of r.servers) statuses.push((await admin(s.url, TOKEN).post(`/v1/admin/agents/${keys[0].agentId}/keys`, { name: "x", scope: "all_teams" })).status);
      }
      return statuses;
    })();
    await Promise.all(workers);
    const statuses = await adminWrites;
    expect(bad).toEqual([]);
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    await sleep(2500);
    const day = new Date().toISOString().slice(0, 10);
    let total = 0;
    for (const k of keys) total += (await api.get(`/v1/admin/agents/${k.agentId}/usage?from=${day}&to=${day}`)).body.totals.requests;
    expect(total).toBe(sent);
  } finally {
    await stopAll(r.servers);
  }
});

test("three replicas writing at once keep one audit chain: every write one entry, in one order, `audit verify` passes", async () => {
  const r = await replicas(3);
  try {
    const clients = r.servers.map((s) => admin(s.url, TOKEN));
    const made = await Promise.all(Array.from({ length: 60 }, (_, i) => clients[i % 3].post("/v1/admin/agents", { name: `chain ${i}`, capabilities: ["models"] })));
    expect(made.every((m) => m.status === 201)).toBe(true);
    await Promise.all(made.map((m, i) => clients[(i + 1) % 3].patch(`/v1/admin/agents/${m.body.id}`, { description: "changed" })));
    const rows = await sql(r.url, "SELECT seq::int AS seq, action, object_id, prev_hash, hash FROM audit_log ORDER BY seq");
    const creates = rows.filter((x) => x.action === "agent.create");
    expect(new Set(creates.map((x) => x.object_id))).toEqual(new Set(made.map((m) => m.body.id)));
    expect(rows.filter((x) => x.action === "agent.update")).toHaveLength(60);
    // One chain: each entry's prev_hash is the hash of the one before it, whichever replica wrote it.
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    const v = spawnSync(process.execPath, [resolve(__dirname, "../../dist/server/cli.js"), "audit", "verify", "--database", r.url, "--pepper-file", r.pepper], { encoding: "utf8", timeout: 30000 });
    expect(v.stdout).toContain(`the audit chain verifies (${rows.length} entries)`);
    expect(v.status).toBe(0);
  } finally {
    await stopAll(r.servers);
  }
});

// The PostgreSQL store against the SQLite one, in one run: the data plane (GET /v1/models, 1,000
// keys round robin) on one PostgreSQL replica vs one SQLite process, two replicas vs one (the
// scaling factor: two load generators, one per replica, against one generator on one replica),
// and admin key creates per second on each. Rounds interleaved, medians of per-round ratios.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { admin, startLocalServer, type LocalServer } from "../tests/helpers/server";
import { load, roundRobin, run, type Load } from "./dataplane";
import { interleave } from "./interleave";

const ROOT = join(__dirname, "..");
const TOKEN = "writer_admin_bench-postgres-token-0123456789";

export interface PostgresBench {
  activeKeys: number;
  rounds: number;
  seconds: number;
  /** /v1/models rps: one PostgreSQL replica / one SQLite process (median of per-round ratios). */
  pgVsSqlite: { ratio: number; pgRps: number; sqliteRps: number; pgP99: number; sqliteP99: number };
  /** Two replicas (each with its own load generator) / one replica. */
  twoVsOne: { ratio: number; twoRps: number; oneRps: number };
  /** Key creates per second, 50 concurrent clients. */
  creates: { sqlite: number; pgOne: number; pgTwo: number; pgVsSqlite: number; twoVsOne: number };
}

async function activeKeys(server: LocalServer, n: number): Promise<{ secrets: string[]; agents: string[] }> {
  const api = admin(server.url, TOKEN);
  const secrets: string[] = [];
  const agents: string[] = [];
  await Promise.all(Array.from({ length: 25 }, async (_, w) => {
    for (let i = w; i < n; i += 25) {
      const r = await api.post("/v1/admin/agents", { name: `bench-${i}`, capabilities: ["models"] });
      if (r.status !== 201) throw new Error(`agent: ${r.status}`);
      secrets.push(r.body.default_key.secret);
      agents.push(r.body.id);
    }
  }));
  return { secrets, agents };
}


// For a fixed time, not a fixed count: autocannon ends a counted run on its one-second tick, which
// made every short run read as about 1,000 creates/s whatever the server did.
async function creates(urls: string[], agents: string[], seconds: number): Promise<number> {
  let next = 0;
  const t = Date.now();
  const res = await Promise.all(urls.map((url) => run({
    url, connections: Math.floor(50 / urls.length), duration: seconds, timeout: 30, method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ name: "c", scope: "all_teams" }),
    requests: [{ method: "POST", setupRequest: (req: any) => ({ ...req, path: `/v1/admin/agents/${agents[next++ % agents.length]}/keys` }) }],
  })));
  const ok = res.reduce((n, r) => n + r.requests.total - r.non2xx, 0);
  const bad = res.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  if (bad) process.stderr.write(`  creates: ${bad} non-2xx/errors: ${JSON.stringify(res.map((r) => r.statusCodeStats))}\n`);
  return ok / ((Date.now() - t) / 1000);
}

export async function benchPostgres(opts: { seconds: number; rounds: number; activeKeys: number }, log: (s: string) => void): Promise<PostgresBench> {
  const dir = mkdtempSync("/tmp/writer-bench-pg-");
  const cluster = execFileSync("bash", [join(ROOT, "scripts", "ensure-postgres"), "start", dir, "durable"], { encoding: "utf8" }).trim().split("\n").pop()!;
  const servers: LocalServer[] = [];
  try {
    const c = new pg.Client({ connectionString: cluster });
    await c.connect();
    await c.query("CREATE DATABASE bench");
    await c.end();
    const u = new URL(cluster);
    u.pathname = "/bench";
    const pepper = join(mkdtempSync(join(tmpdir(), "bench-pepper-")), "pepper");
    writeFileSync(pepper, randomBytes(32), { mode: 0o600 });
    const pgArgs = ["--log-level", "warn", "--database", u.toString(), "--pepper-file", pepper];
    const sqlite = await startLocalServer({ adminToken: TOKEN, extraArgs: ["--log-level", "warn"] });
    servers.push(sqlite);
    const [pgA, pgB] = await Promise.all([startLocalServer({ adminToken: TOKEN, extraArgs: pgArgs }), startLocalServer({ adminToken: TOKEN, extraArgs: pgArgs })]);
    servers.push(pgA, pgB);
    log(`postgres: ${opts.activeKeys} active keys on SQLite and on PostgreSQL`);
    const sq = await activeKeys(sqlite, opts.activeKeys);
    const pk = await activeKeys(pgA, opts.activeKeys);
    const base = { connections: 10, duration: opts.seconds };
    const one = (url: string, secrets: string[]) => async () => load(await run({ ...base, url, requests: roundRobin(secrets) }));
    // Warm both (JIT, memos, pools).
    await one(sqlite.url, sq.secrets)();
    await one(pgA.url, pk.secrets)();
    await one(pgB.url, pk.secrets)();

    const a = await interleave(opts.rounds, one(pgA.url, pk.secrets), one(sqlite.url, sq.secrets), (l: Load) => l.rps);
    const pgVsSqlite = {
      ratio: a.medianRatio, pgRps: a.medianA, sqliteRps: a.medianB,
      pgP99: a.rounds.map((r) => r.a.p99).sort((x, y) => x - y)[Math.floor(a.rounds.length / 2)],
      sqliteP99: a.rounds.map((r) => r.b.p99).sort((x, y) => x - y)[Math.floor(a.rounds.length / 2)],
    };
    log(`  /v1/models: PostgreSQL replica ${pgVsSqlite.pgRps.toFixed(0)} rps (p99 ${pgVsSqlite.pgP99} ms) vs SQLite ${pgVsSqlite.sqliteRps.toFixed(0)} rps (p99 ${pgVsSqlite.sqliteP99} ms): ${pgVsSqlite.ratio.toFixed(2)}x`);

    const two = async () => {
      const [x, y] = await Promise.all([one(pgA.url, pk.secrets)(), one(pgB.url, pk.secrets)()]);
      return { rps: x.rps + y.rps };
    };
    const b = await interleave(opts.rounds, two, async () => ({ rps: (await one(pgA.url, pk.secrets)()).rps }), (l) => l.rps);
    const twoVsOne = { ratio: b.medianRatio, twoRps: b.medianA, oneRps: b.medianB };
    log(`  two replicas ${twoVsOne.twoRps.toFixed(0)} rps vs one ${twoVsOne.oneRps.toFixed(0)} rps: ${twoVsOne.ratio.toFixed(2)}x`);

    // Creates, interleaved the same way: one replica vs SQLite, two replicas vs one.
    const c1 = await interleave(opts.rounds, () => creates([pgA.url], pk.agents, opts.seconds), () => creates([sqlite.url], sq.agents, opts.seconds), (v) => v);
    const c2 = await interleave(opts.rounds, () => creates([pgA.url, pgB.url], pk.agents, opts.seconds), () => creates([pgA.url], pk.agents, opts.seconds), (v) => v);
    const cr = { sqlite: c1.medianB, pgOne: c1.medianA, pgTwo: c2.medianA, pgVsSqlite: c1.medianRatio, twoVsOne: c2.medianRatio };
    log(`  key creates/s (50 clients): SQLite ${cr.sqlite.toFixed(0)}, PostgreSQL one replica ${cr.pgOne.toFixed(0)} (${cr.pgVsSqlite.toFixed(2)}x), two replicas ${cr.pgTwo.toFixed(0)} (${cr.twoVsOne.toFixed(2)}x one)`);
    return { activeKeys: opts.activeKeys, rounds: opts.rounds, seconds: opts.seconds, pgVsSqlite, twoVsOne, creates: cr };
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
    execFileSync("bash", [join(ROOT, "scripts", "ensure-postgres"), "stop", dir]);
  }
}

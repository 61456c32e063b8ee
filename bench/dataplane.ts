// Benchmarks 3 and 4: the server's data plane (authenticated GET /v1/models vs the unauthenticated
// GET /healthz of the same process, interleaved in the same run) with realistic traffic, 1,000
// active keys used round robin, at 1,000 and 100,000 stored keys; the server's RSS; and admin key
// creates per second with 50 concurrent clients (autocannon).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { admin, startLocalServer } from "../tests/helpers/server";
import { interleave, median } from "./interleave";
// autocannon ships no types of its own.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon = require("autocannon");

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}
export interface DataPlaneResult {
  /** Keys stored on the server. */
  keys: number;
  /** Distinct keys the traffic uses, round robin. */
  activeKeys: number;
  rounds: number;
  /** Medians over the rounds. */
  models: { rps: number; p99: number };
  healthz: { rps: number; p99: number };
  /** Median of the per-round rps ratios /v1/models : /healthz. */
  ratioRps: number;
  perRound: { models: Load; healthz: Load; ratio: number }[];
  rssMB: number;
}
export interface AdminResult {
  connections: number;
  created: number;
  seconds: number;
  createsPerSecond: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export function run(opts: Record<string, unknown>): Promise<any> {
  return new Promise((ok, fail) => {
    autocannon(opts, (err: Error | null, res: any) => (err ? fail(err) : ok(res)));
  });
}

/** autocannon requests that each present the next key (autocannon caches a built request in requestBuffer: dropped). */
export function roundRobin(secrets: string[], req: Record<string, unknown> = { method: "GET", path: "/v1/models" }): Record<string, unknown>[] {
  let turn = 0;
  return [{ ...req, setupRequest: ({ requestBuffer: _b, ...r }: any) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${secrets[turn++ % secrets.length]}` } }) }];
}

export function load(r: any): Load {
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function benchDataPlane(
  opts: { seconds: number; rounds: number; bigKeys: number; activeKeys: number; connections: number },
  log: (s: string) => void,
): Promise<{ dataPlane: DataPlaneResult[]; admin: AdminResult }> {
  // warn: per-request info logs would measure the logger, not the server; both routes pay the same.
  // Audit (with its JSON-lines file) and metrics on, as a production deployment runs.
  const server = await startLocalServer({ extraArgs: ["--log-level", "warn", "--audit-file", join(mkdtempSync(join(tmpdir(), "bench-audit-")), "audit.jsonl")] });
  try {
    const api = admin(server.url, server.adminToken);
    // The active keys: one agent each (with the models capability), their default keys used round
    // robin, so every request of a connection presents another key, as a fleet of workloads would.
    const active: string[] = [];
    const seedAgents: string[] = [];
    await Promise.all(Array.from({ length: 50 }, async (_, w) => {
      for (let i = w; i < opts.activeKeys; i += 50) {
        const r = await api.post("/v1/admin/agents", { name: `bench-active-${i}`, capabilities: ["models"] });
        if (r.status !== 201) throw new Error(`active agent: ${r.status}`);
        active.push(r.body.default_key.secret);
        seedAgents.push(r.body.id);
      }
    }));
    let next = 0;
    const keysPaths = () => [{ method: "POST", setupRequest: (req: any) => ({ ...req, path: `/v1/admin/agents/${seedAgents[next++ % seedAgents.length]}/keys` }) }];
    // /healthz gets the same rotating header (and ignores it), so the load generator, which shares
    // the machine, does the same work on both sides of the ratio.
    const models = roundRobin(active);
    const healthz = roundRobin(active, { method: "GET", path: "/healthz" });
    const measure = async (keys: number): Promise<DataPlaneResult> => {
      const base = { connections: opts.connections, duration: opts.seconds };
      // Warm the JIT on both routes.
      await run({ ...base, duration: 1, url: server.url, requests: healthz });
      await run({ ...base, duration: 1, url: server.url, requests: models });
      const r = await interleave(
        opts.rounds,
        async () => load(await run({ ...base, url: server.url, requests: models })),
        async () => load(await run({ ...base, url: server.url, requests: healthz })),
        (l) => l.rps,
      );
      const perRound = r.rounds.map((x) => ({ models: x.a, healthz: x.b, ratio: x.ratio }));
      const non2xx = perRound.reduce((n, x) => n + x.models.non2xx + x.healthz.non2xx, 0);
      if (non2xx) throw new Error(`non-2xx answers under load: ${non2xx}`);
      // Metrics were counting all along (a scrape after the rounds sees the requests).
      const scraped = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminToken}` } })).text();
      const counted = Number(/^writer_dataplane_requests_total\{capability="models",status="200"\} (\d+)/m.exec(scraped)?.[1] ?? 0);
      if (counted < r.medianA) throw new Error(`/metrics counted ${counted} /v1/models requests after the rounds`);
      const out: DataPlaneResult = {
        keys, activeKeys: active.length, rounds: opts.rounds,
        models: { rps: r.medianA, p99: median(perRound.map((x) => x.models.p99)) },
        healthz: { rps: r.medianB, p99: median(perRound.map((x) => x.healthz.p99)) },
        ratioRps: r.medianRatio, perRound, rssMB: rssMB(server.proc.pid!),
      };
      log(`  ${keys} keys stored, ${active.length} in use: /v1/models ${out.models.rps.toFixed(0)} rps p99 ${out.models.p99} ms; /healthz ${out.healthz.rps.toFixed(0)} rps; median ratio of ${opts.rounds} rounds ${out.ratioRps.toFixed(2)} (${perRound.map((x) => x.ratio.toFixed(2)).join(" ")}); RSS ${out.rssMB.toFixed(0)} MB`);
      return out;
    };

    log(`data plane: ${opts.activeKeys} keys stored and in use`);
    const at1k = await measure(opts.activeKeys);

    // Benchmark 4 doubles as the 100,000-key seeding: 50 concurrent clients creating keys.
    const amount = opts.bigKeys - opts.activeKeys;
    log(`admin: creating ${amount} keys with 50 concurrent clients`);
    const t = Date.now();
    const big = await run({
      url: server.url, requests: keysPaths(), method: "POST", connections: 50, amount, timeout: 30,
      headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "seed", scope: "all_teams" }),
    });
    const seconds = (Date.now() - t) / 1000;
    const adminResult: AdminResult = {
      connections: 50, created: big.requests.total - big.non2xx, seconds, createsPerSecond: (big.requests.total - big.non2xx) / seconds,
      p99: big.latency.p99, non2xx: big.non2xx, errors: big.errors + big.timeouts,
    };
    log(`  ${adminResult.created} keys in ${seconds.toFixed(1)} s: ${adminResult.createsPerSecond.toFixed(0)} creates/s, p99 ${adminResult.p99} ms, ${big.non2xx} non-2xx`);
    const atBig = await measure(adminResult.created + opts.activeKeys);
    return { dataPlane: [at1k, atBig], admin: adminResult };
  } finally {
    await server.stop();
  }
}

// Benchmarks 3 and 4: the server's data plane (authenticated GET /v1/models vs the unauthenticated
// GET /healthz of the same process, in the same run) at 1,000 and 100,000 stored keys, the
// server's RSS, and admin key creates per second with 50 concurrent clients (autocannon).
import { readFileSync } from "node:fs";
import { admin, startLocalServer } from "../tests/helpers/server";
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
  keys: number;
  models: Load;
  healthz: Load;
  ratioRps: number;
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

function run(opts: Record<string, unknown>): Promise<any> {
  return new Promise((ok, fail) => {
    autocannon(opts, (err: Error | null, res: any) => (err ? fail(err) : ok(res)));
  });
}

function load(r: any): Load {
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
  opts: { seconds: number; bigKeys: number; connections: number },
  log: (s: string) => void,
): Promise<{ dataPlane: DataPlaneResult[]; admin: AdminResult }> {
  // warn: per-request info logs would measure the logger, not the server; both routes pay the same.
  const server = await startLocalServer({ extraArgs: ["--log-level", "warn"] });
  try {
    const api = admin(server.url, server.adminToken);
    const agent = await api.post("/v1/admin/agents", { name: "bench-plane", capabilities: ["models"] });
    const secret: string = agent.body.default_key.secret;
    // Stored keys are spread over 999 seed agents (~100 keys each, like a real fleet): key_count is
    // computed per agent, so piling 100k keys on one agent would measure that instead (see notes).
    const seedAgents: string[] = [];
    await Promise.all(Array.from({ length: 50 }, async (_, w) => {
      for (let i = w; i < 999; i += 50) {
        const r = await api.post("/v1/admin/agents", { name: `bench-seed-${i}`, capabilities: [] });
        if (r.status !== 201) throw new Error(`seed agent: ${r.status}`);
        seedAgents.push(r.body.id);
      }
    }));
    let next = 0;
    const keysPaths = () => [{ method: "POST", setupRequest: (req: any) => ({ ...req, path: `/v1/admin/agents/${seedAgents[next++ % seedAgents.length]}/keys` }) }];
    const measure = async (keys: number): Promise<DataPlaneResult> => {
      const base = { connections: opts.connections, duration: opts.seconds };
      // Warm the JIT on both routes, then measure each.
      await run({ ...base, duration: 1, url: server.url + "/healthz" });
      await run({ ...base, duration: 1, url: server.url + "/v1/models", headers: { authorization: `Bearer ${secret}` } });
      const healthz = load(await run({ ...base, url: server.url + "/healthz" }));
      const models = load(await run({ ...base, url: server.url + "/v1/models", headers: { authorization: `Bearer ${secret}` } }));
      const r = { keys, models, healthz, ratioRps: models.rps / healthz.rps, rssMB: rssMB(server.proc.pid!) };
      log(`  ${keys} keys: /v1/models ${models.rps.toFixed(0)} rps p99 ${models.p99} ms; /healthz ${healthz.rps.toFixed(0)} rps p99 ${healthz.p99} ms; ratio ${r.ratioRps.toFixed(2)}; RSS ${r.rssMB.toFixed(0)} MB`);
      if (models.non2xx || healthz.non2xx) throw new Error(`non-2xx answers under load: ${models.non2xx} + ${healthz.non2xx}`);
      return r;
    };

    // 1,000 stored keys: the default keys of the measured agent and of the 999 seed agents.
    log("data plane: 1,000 keys stored");
    const at1k = await measure(1000);

    // Benchmark 4 doubles as the 100,000-key seeding: 50 concurrent clients creating keys.
    const amount = opts.bigKeys - 1000;
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
    const stored = adminResult.created + 1000;
    const atBig = await measure(stored);
    return { dataPlane: [at1k, atBig], admin: adminResult };
  } finally {
    await server.stop();
  }
}

// Benchmark 5: writer-local as a gateway. A canned writer-local stands in for Writer's API (U), a
// gateway (G) runs in front of it with an upstream key. Interleaved rounds compare
// client -> G -> U with client -> U directly: /v1/models and a non-streaming chat (throughput ratio,
// added p99), then 200 concurrent SSE streams of 200 chunks (added time to first byte, the
// gateway's RSS before, during and after).
import { readFileSync } from "node:fs";
import { request } from "undici";
import { CAPABILITY_IDS } from "../api";
import { admin, startLocalServer } from "../tests/helpers/server";
import { interleave, median } from "./interleave";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon = require("autocannon");

const run = (opts: Record<string, unknown>): Promise<any> =>
  new Promise((ok, fail) => autocannon(opts, (err: Error | null, res: any) => (err ? fail(err) : ok(res))));
export const rssMB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

export interface RouteResult { route: string; ratioRps: number; gatewayRps: number; directRps: number; gatewayP99: number; directP99: number; addedP99: number; rounds: number[] }
export interface BudgetResult { budgetedRps: number; unlimitedRps: number; costRatio: number; rounds: number[] }
export interface StreamResult { streams: number; chunks: number; gatewayTtfbMs: number; directTtfbMs: number; addedTtfbMs: number; rounds: number[]; rssMB: { before: number; peak: number; after: number } }

/**
 * `n` streams that all overlap (each lasts longer than the ramp), started `rampMs` apart as real
 * workloads start them, rather than in one burst whose queueing would be all that is measured.
 */
export async function streams(url: string, key: string | string[], n: number, chunks: number, rampMs: number): Promise<{ ttfb: number; complete: number }> {
  const keys = Array.isArray(key) ? key : [key];
  const ttfbs: number[] = [];
  let complete = 0;
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    await new Promise((ok) => setTimeout(ok, i * rampMs));
    const t0 = performance.now();
    const res = await request(`${url}/v1/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${keys[i % keys.length]}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "palmyra-x5", messages: [{ role: "user", content: "go" }], stream: true, max_tokens: chunks }),
    });
    let first = true;
    let events = 0;
    for await (const c of res.body) {
      if (first) {
        ttfbs.push(performance.now() - t0);
        first = false;
      }
      events += String(c).split("\n\n").length - 1;
    }
    if (events >= chunks) complete++;
  }));
  return { ttfb: median(ttfbs), complete };
}

/**
 * `latencyMs`: how long the stand-in upstream takes before it answers. 0 measures pure CPU cost on
 * this shared machine, where the load generator, the gateway and the upstream (writer-local itself)
 * share 2 cores; a model API's answers take tens to thousands of ms, which is the realistic case.
 */
export async function benchGateway(opts: { seconds: number; rounds: number; connections: number; latencyMs: number }, log: (s: string) => void): Promise<{ routes: RouteResult[]; budget: BudgetResult; streams: StreamResult }> {
  // A realistic model streams its tokens at about 100 per second; an instant one all at once.
  const interval = opts.latencyMs > 0 ? 10 : 0;
  const up = await startLocalServer({ extraArgs: ["--log-level", "warn", "--canned-latency-ms", String(opts.latencyMs), "--canned-chunk-interval-ms", String(interval)] });
  const org = await admin(up.url, up.adminToken).post("/v1/admin/agents", { name: "org", capabilities: [...CAPABILITY_IDS] });
  const upstreamKey: string = org.body.default_key.secret;
  const gw = await startLocalServer({ extraArgs: ["--log-level", "warn", "--upstream", up.url], env: { WRITER_UPSTREAM_API_KEY: upstreamKey } });
  try {
    const a = await admin(gw.url, gw.adminToken).post("/v1/admin/agents", { name: "bench", capabilities: [...CAPABILITY_IDS] });
    const key: string = a.body.default_key.secret;
    const routes: RouteResult[] = [];
    for (const [route, method, body] of [
      ["GET /v1/models", "GET", undefined],
      ["POST /v1/chat", "POST", JSON.stringify({ model: "palmyra-x5", messages: [{ role: "user", content: "Hello there" }] })],
    ] as const) {
      const load = (url: string, k: string) => async () => {
        const r = await run({ url: url + route.split(" ")[1], method, body, connections: opts.connections, duration: opts.seconds, headers: { authorization: `Bearer ${k}`, "content-type": "application/json" } });
        if (r.non2xx) throw new Error(`${route}: ${r.non2xx} non-2xx answers`);
        return { rps: r.requests.average as number, p99: r.latency.p99 as number };
      };
      await load(gw.url, key)();
      await load(up.url, upstreamKey)();
      const r = await interleave(opts.rounds, load(gw.url, key), load(up.url, upstreamKey), (x) => x.rps);
      const gatewayP99 = median(r.rounds.map((x) => x.a.p99));
      const directP99 = median(r.rounds.map((x) => x.b.p99));
      const res = { route, ratioRps: r.medianRatio, gatewayRps: r.medianA, directRps: r.medianB, gatewayP99, directP99, addedP99: gatewayP99 - directP99, rounds: r.rounds.map((x) => x.ratio) };
      log(`  ${route}: gateway ${res.gatewayRps.toFixed(0)} rps vs direct ${res.directRps.toFixed(0)} rps, median ratio ${res.ratioRps.toFixed(2)} (${res.rounds.map((x) => x.toFixed(2)).join(" ")}); p99 ${gatewayP99} vs ${directP99} ms`);
      routes.push(res);
    }

    // The same chat through the gateway with a key whose tokens are limited (a budget and a
    // tokens-per-minute limit, both far from reached: every request reserves, then settles) and
    // with an unlimited key: what enforcing budgets costs per request.
    const gwApi = admin(gw.url, gw.adminToken);
    const limited = (await gwApi.post(`/v1/admin/agents/${a.body.id}/keys`, { name: "budgeted", token_budget: { tokens: 1e12, period: "month" }, tokens_per_minute: 1e9 })).body.secret as string;
    const chatBody = JSON.stringify({ model: "palmyra-x5", messages: [{ role: "user", content: "Hello there" }], max_tokens: 16 });
    const chatLoad = (k: string) => async () => {
      const r = await run({ url: `${gw.url}/v1/chat`, method: "POST", body: chatBody, connections: opts.connections, duration: opts.seconds, headers: { authorization: `Bearer ${k}`, "content-type": "application/json" } });
      if (r.non2xx) throw new Error(`budgeted chat: ${r.non2xx} non-2xx answers`);
      return r.requests.average as number;
    };
    await chatLoad(limited)();
    const b = await interleave(opts.rounds, chatLoad(key), chatLoad(limited), (x) => x);
    const budget: BudgetResult = { unlimitedRps: b.medianA, budgetedRps: b.medianB, costRatio: b.medianRatio, rounds: b.rounds.map((x) => x.ratio) };
    log(`  POST /v1/chat through the gateway, budgeted key vs unlimited: ${budget.budgetedRps.toFixed(0)} vs ${budget.unlimitedRps.toFixed(0)} rps, cost ratio ${budget.costRatio.toFixed(2)} (${budget.rounds.map((x) => x.toFixed(2)).join(" ")})`);

    const N = 200;
    const CHUNKS = 200;
    // With paced tokens a stream lasts 2 s, so 200 started 5 ms apart (over 1 s) all overlap.
    const ramp = interval > 0 ? 5 : 0;
    const before = rssMB(gw.proc.pid!);
    let peak = before;
    const sample = () => (peak = Math.max(peak, rssMB(gw.proc.pid!)));
    const ticker = setInterval(sample, 50);
    const r = await interleave(
      opts.rounds,
      async () => {
        const x = await streams(gw.url, key, N, CHUNKS, ramp);
        if (x.complete !== N) throw new Error(`only ${x.complete} of ${N} streams through the gateway completed`);
        return x.ttfb;
      },
      async () => (await streams(up.url, upstreamKey, N, CHUNKS, ramp)).ttfb,
      (x) => x,
    );
    clearInterval(ticker);
    await new Promise((ok) => setTimeout(ok, 500));
    const after = rssMB(gw.proc.pid!);
    const ttfbA = r.medianA;
    const ttfbB = r.medianB;
    const s: StreamResult = {
      streams: N, chunks: CHUNKS, gatewayTtfbMs: ttfbA, directTtfbMs: ttfbB,
      addedTtfbMs: median(r.rounds.map((x) => x.a - x.b)), rounds: r.rounds.map((x) => x.a - x.b), rssMB: { before, peak, after },
    };
    log(`  ${N} overlapping SSE streams x ${CHUNKS} chunks (started ${ramp} ms apart): time to first byte ${ttfbA.toFixed(1)} ms via gateway vs ${ttfbB.toFixed(1)} ms direct (added ${s.addedTtfbMs.toFixed(1)} ms median of rounds); gateway RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} -> ${after.toFixed(0)} MB`);
    return { routes, budget, streams: s };
  } finally {
    await gw.stop();
    await up.stop();
  }
}

// The gateway's cost as one HTTP hop, next to nginx's (issue: "the gateway's cost next to nginx's").
// A canned writer-local is the upstream (U). In the same interleaved rounds, rotating order:
//   direct   client -> U
//   nginx    client -> nginx (Debian's, proxy_pass with keep-alive, sets the upstream key) -> U
//   node     client -> bench/node-proxy.js (node:http + undici, sets the key, nothing else) -> U
//   gateway  client -> writer-local's gateway (auth, limits, usage, forwarding) -> U
// 1. U answering at once, GET /v1/models, `keys` keys round robin: throughput vs direct, and the
//    CPU per request of the hop process and of U (utime+stime from /proc, in microseconds).
// 2. U answering in 50 ms and streaming an event a second: the p99 each hop adds to
//    GET /v1/models (10 clients, exact percentiles), then `streams` concurrent SSE streams: the
//    time to first byte each hop adds and the hop process's RSS per stream in flight.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CAPABILITY_IDS } from "../api";
import { ROOT } from "../tests/helpers/pulumi";
import { admin, startLocalServer } from "../tests/helpers/server";
import { Pool } from "undici";
import { median } from "./interleave";
import { rssMB, streams } from "./gateway";
import { roundRobin, run } from "./dataplane";
import { cpuUs } from "./proc";

/** utime + stime of a process, in microseconds. */
const cpu = (pid: number) => cpuUs(pid)[0];

const freePort = (): Promise<number> =>
  new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });

/** nginx in the foreground, one process (no master): its CPU is the hop's. */
export async function startNginx(upstream: string, upstreamKey: string): Promise<{ url: string; proc: ChildProcess; stop(): Promise<void> }> {
  const bin = execFileSync("bash", [join(ROOT, "scripts", "ensure-nginx")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop()!;
  const dir = mkdtempSync(join(tmpdir(), "bench-nginx-"));
  const port = await freePort();
  const u = new URL(upstream);
  writeFileSync(join(dir, "nginx.conf"), `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 8192; }
worker_rlimit_nofile 20000;
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream writer { server ${u.host}; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://writer;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "Bearer ${upstreamKey}";
      proxy_buffering off;
    }
  }
}
`);
  const proc = spawn(bin, ["-p", dir, "-c", join(dir, "nginx.conf")], { stdio: ["ignore", "ignore", "inherit"] });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      break;
    } catch {
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
  return { url: `http://127.0.0.1:${port}`, proc, stop: () => new Promise((ok) => (proc.exitCode !== null ? ok() : (proc.once("exit", () => ok()), proc.kill("SIGQUIT")))) };
}

const NAMES = ["direct", "nginx", "node", "gateway"] as const;
type Name = (typeof NAMES)[number];
interface Path { url: string; keys: string[]; pid: number | undefined }
/** Each round starts with the next path, so warming and drift fall on every path alike. */
const order = (round: number): Name[] => NAMES.map((_, i) => NAMES[(i + round) % NAMES.length]);

/** The bare Node.js hop (bench/node-proxy.js) on a free port. */
async function startNodeProxy(upstream: string, upstreamKey: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(__dirname, "node-proxy.js"), upstream, String(port)], { env: { ...process.env, UPSTREAM_KEY: upstreamKey }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((ok, fail) => {
    proc.stdout!.once("data", ok);
    proc.once("exit", (c) => fail(new Error(`bench/node-proxy.js exited with ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}`, proc };
}

/** U (with `upstreamArgs`) and the three hops in front of it, for the time `fn` runs. */
async function withPaths<T>(upstreamArgs: string[], keys: number, fn: (paths: Record<Name, Path>, upstreamPid: number) => Promise<T>): Promise<T> {
  const up = await startLocalServer({ extraArgs: ["--log-level", "warn", ...upstreamArgs] });
  const org = await admin(up.url, up.adminToken).post("/v1/admin/agents", { name: "org", capabilities: [...CAPABILITY_IDS] });
  const upstreamKey: string = org.body.default_key.secret;
  const gw = await startLocalServer({ extraArgs: ["--log-level", "warn", "--upstream", up.url], env: { WRITER_UPSTREAM_API_KEY: upstreamKey } });
  const nginx = await startNginx(up.url, upstreamKey);
  const node = await startNodeProxy(up.url, upstreamKey);
  try {
    const gwApi = admin(gw.url, gw.adminToken);
    const gwKeys: string[] = [];
    for (let i = 0; i < keys; i++) gwKeys.push((await gwApi.post("/v1/admin/agents", { name: `hop-${i}`, capabilities: ["models", "chat"] })).body.default_key.secret);
    return await fn({
      direct: { url: up.url, keys: [upstreamKey], pid: undefined },
      nginx: { url: nginx.url, keys: [upstreamKey], pid: nginx.proc.pid },
      node: { url: node.url, keys: [upstreamKey], pid: node.proc.pid },
      gateway: { url: gw.url, keys: gwKeys, pid: gw.proc.pid },
    }, up.proc.pid!);
  } finally {
    node.proc.kill("SIGKILL");
    await nginx.stop();
    await gw.stop();
    await up.stop();
  }
}

/** Whether the process still runs (a hop that dies under the streams' load fails the bench, naming it). */
function alive(name: string, pid: number): true {
  if (!/VmRSS:/.test(readFileSync(`/proc/${pid}/status`, "utf8"))) throw new Error(`the ${name} hop's process (${pid}) exited`);
  return true;
}

/**
 * GET /v1/models from `connections` clients for `seconds`: every request's time (ms). The clients' pool is the caller's and stays warm across rounds: a hop's first request
 * on a new connection is not what a long-running client waits for.
 */
async function latencies(p: Path, pool: Pool, connections: number, seconds: number): Promise<number[]> {
  const xs: number[] = [];
  let turn = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < until) {
      const t = performance.now();
      const r = await pool.request({ method: "GET", path: "/v1/models", headers: { authorization: `Bearer ${p.keys[turn++ % p.keys.length]}` } });
      await r.body.text();
      if (r.statusCode !== 200) throw new Error(`${p.url}: ${r.statusCode}`);
      xs.push(performance.now() - t);
    }
  }));
  return xs;
}

const percentile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)];

export interface HopPath { rps: number; ratioToDirect: number; hopCpuUsPerRequest: number; upstreamCpuUsPerRequest: number; p99: number }
export interface SlowPath { p99Ms: number; addedP99Ms: number; ttfbMs: number; addedTtfbMs: number; rssKBPerStream: number; peakRssMB: number; idleRssMB: number }
export interface HopResult {
  keys: number; seconds: number; rounds: number; streams: number; chunks: number;
  atOnce: Record<Name, HopPath>;
  slow: Record<Name, SlowPath>;
  gatewayCpuVsNginx: number; gatewayCpuVsNode: number; nodeCpuVsNginx: number; gatewayRatioVsNginxRatio: number;
  gatewayAddedP99VsNginxMs: number; gatewayRssPerStreamVsNginx: number;
}

export async function benchHop(opts: { seconds: number; rounds: number; keys: number; connections: number; streams: number }, log: (s: string) => void): Promise<HopResult> {
  // 1. The upstream answers at once: what each hop costs in CPU.
  const atOnce = await withPaths([], opts.keys, async (paths, upstreamPid) => {
    const once = async (name: Name, seconds: number) => {
      const p = paths[name];
      const hop0 = p.pid ? cpu(p.pid) : 0;
      const up0 = cpu(upstreamPid);
      const r = await run({ url: p.url, connections: opts.connections, duration: seconds, requests: roundRobin(p.keys) });
      if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      const n = r.requests.total as number;
      return { rps: r.requests.average as number, p99: r.latency.p99 as number, hopCpu: p.pid ? (cpu(p.pid) - hop0) / n : 0, upCpu: (cpu(upstreamPid) - up0) / n };
    };
    for (const name of NAMES) await once(name, 1);
    const rounds = Object.fromEntries(NAMES.map((n) => [n, [] as Awaited<ReturnType<typeof once>>[]])) as Record<Name, Awaited<ReturnType<typeof once>>[]>;
    for (let i = 0; i < opts.rounds; i++) for (const name of order(i)) rounds[name].push(await once(name, opts.seconds));
    return Object.fromEntries(NAMES.map((name) => [name, {
      rps: median(rounds[name].map((x) => x.rps)),
      ratioToDirect: median(rounds[name].map((x, i) => x.rps / rounds.direct[i].rps)),
      hopCpuUsPerRequest: median(rounds[name].map((x) => x.hopCpu)),
      upstreamCpuUsPerRequest: median(rounds[name].map((x) => x.upCpu)),
      p99: median(rounds[name].map((x) => x.p99)),
    }])) as Record<Name, HopPath>;
  });
  for (const name of NAMES) {
    const p = atOnce[name];
    log(`  hop ${name}: ${p.rps.toFixed(0)} rps (${p.ratioToDirect.toFixed(2)}x direct), hop CPU ${p.hopCpuUsPerRequest.toFixed(1)} us/request, upstream ${p.upstreamCpuUsPerRequest.toFixed(1)} us/request`);
  }

  // 2. A model-like upstream: answers in 50 ms, then an event a second.
  // Streams start 2 ms apart (500 a second: a faster ramp measures the stand-in upstream's own
  // queue, which runs on the same two cores) and send an event a second for 8 s, so all overlap.
  const chunks = 8;
  const slow = await withPaths(["--canned-latency-ms", "50", "--canned-chunk-interval-ms", "1000"], opts.keys, async (paths) => {
    // Every request's time, of all rounds: the p99 of a few thousand, not a median of per-round
    // p99s that one stall of the shared upstream decides.
    const lat = Object.fromEntries(NAMES.map((n) => [n, [] as number[]])) as Record<Name, number[]>;
    const pools = Object.fromEntries(NAMES.map((n) => [n, new Pool(paths[n].url, { connections: opts.connections })])) as Record<Name, Pool>;
    try {
      for (const name of NAMES) await latencies(paths[name], pools[name], opts.connections, 1);
      for (let i = 0; i < opts.rounds; i++) {
        for (const name of order(i)) {
          // Half a second first, not counted: a hop idle while the others ran may have closed its
          // keep-alive connections (both sides time them out), and reconnecting is not its p99.
          await latencies(paths[name], pools[name], opts.connections, 0.5);
          lat[name].push(...(await latencies(paths[name], pools[name], opts.connections, opts.seconds + 2)));
        }
      }
    } finally {
      await Promise.all(NAMES.map((n) => pools[n].close()));
    }
    // RSS per stream: the highest RSS while they ran above the process's RSS before the first of them, per stream.
    const idle = Object.fromEntries(NAMES.map((n) => [n, paths[n].pid ? rssMB(paths[n].pid!) : 0])) as Record<Name, number>;
    const peak = { ...idle };
    const ttfb = Object.fromEntries(NAMES.map((n) => [n, [] as number[]])) as Record<Name, number[]>;
    for (let i = 0; i < opts.rounds; i++) {
      for (const name of order(i)) {
        const pid = paths[name].pid;
        const ticker = pid ? setInterval(() => (peak[name] = Math.max(peak[name], alive(name, pid) && rssMB(pid))), 50) : undefined;
        const x = await streams(paths[name].url, paths[name].keys, opts.streams, chunks, 2);
        clearInterval(ticker);
        if (x.complete !== opts.streams) throw new Error(`${name}: only ${x.complete} of ${opts.streams} streams completed`);
        ttfb[name].push(x.ttfb);
      }
    }
    return Object.fromEntries(NAMES.map((name) => [name, {
      p99Ms: percentile(lat[name], 0.99),
      addedP99Ms: percentile(lat[name], 0.99) - percentile(lat.direct, 0.99),
      ttfbMs: median(ttfb[name]),
      addedTtfbMs: median(ttfb[name].map((x, i) => x - ttfb.direct[i])),
      rssKBPerStream: ((peak[name] - idle[name]) * 1024) / opts.streams,
      peakRssMB: peak[name],
      idleRssMB: idle[name],
    }])) as Record<Name, SlowPath>;
  });
  for (const name of NAMES) {
    const s = slow[name];
    log(`  hop ${name}, 50 ms upstream: p99 ${s.p99Ms.toFixed(2)} ms (added ${s.addedP99Ms.toFixed(2)} ms); ${opts.streams} streams: first byte +${s.addedTtfbMs.toFixed(1)} ms, RSS ${s.idleRssMB.toFixed(0)} -> ${s.peakRssMB.toFixed(0)} MB (${s.rssKBPerStream.toFixed(1)} KB/stream)`);
  }
  return {
    keys: opts.keys, seconds: opts.seconds, rounds: opts.rounds, streams: opts.streams, chunks, atOnce, slow,
    gatewayCpuVsNginx: atOnce.gateway.hopCpuUsPerRequest / atOnce.nginx.hopCpuUsPerRequest,
    gatewayCpuVsNode: atOnce.gateway.hopCpuUsPerRequest / atOnce.node.hopCpuUsPerRequest,
    nodeCpuVsNginx: atOnce.node.hopCpuUsPerRequest / atOnce.nginx.hopCpuUsPerRequest,
    gatewayRatioVsNginxRatio: atOnce.gateway.ratioToDirect / atOnce.nginx.ratioToDirect,
    gatewayAddedP99VsNginxMs: slow.gateway.addedP99Ms - slow.nginx.addedP99Ms,
    gatewayRssPerStreamVsNginx: slow.gateway.rssKBPerStream / slow.nginx.rssKBPerStream,
  };
}

// The gateway's cost as one HTTP hop, next to nginx's (issue: "the gateway's cost next to nginx's").
// One canned writer-local answering at once is the upstream (U). In the same interleaved rounds:
//   direct   client -> U
//   nginx    client -> nginx (Debian's, proxy_pass with keep-alive, sets the upstream key) -> U
//   gateway  client -> writer-local's gateway (auth, limits, usage, forwarding) -> U
// GET /v1/models, `keys` keys round robin. For each path: throughput vs direct, and the CPU per
// request of the hop process and of U (utime+stime from /proc, in microseconds).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CAPABILITY_IDS } from "../api";
import { ROOT } from "../tests/helpers/pulumi";
import { admin, startLocalServer } from "../tests/helpers/server";
import { median } from "./interleave";
import { run } from "./dataplane";

const TICK_US = 1e6 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** utime + stime of a process (and its reaped children), in microseconds. */
function cpuUs(pid: number): number {
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * TICK_US;
}

const freePort = (): Promise<number> =>
  new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });

/** nginx in the foreground, one process (no master): its CPU is the hop's. */
async function startNginx(upstream: string, upstreamKey: string): Promise<{ url: string; proc: ChildProcess; stop(): Promise<void> }> {
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
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream writer { server ${u.host}; keepalive 64; }
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

export interface HopPath { rps: number; ratioToDirect: number; hopCpuUsPerRequest: number; upstreamCpuUsPerRequest: number; p99: number }
export interface HopResult { keys: number; seconds: number; rounds: number; direct: HopPath; nginx: HopPath; gateway: HopPath; gatewayCpuVsNginx: number; gatewayRatioVsNginxRatio: number }

export async function benchHop(opts: { seconds: number; rounds: number; keys: number; connections: number }, log: (s: string) => void): Promise<HopResult> {
  const up = await startLocalServer({ extraArgs: ["--log-level", "warn"] });
  const org = await admin(up.url, up.adminToken).post("/v1/admin/agents", { name: "org", capabilities: [...CAPABILITY_IDS] });
  const upstreamKey: string = org.body.default_key.secret;
  const gw = await startLocalServer({ extraArgs: ["--log-level", "warn", "--upstream", up.url], env: { WRITER_UPSTREAM_API_KEY: upstreamKey } });
  const nginx = await startNginx(up.url, upstreamKey);
  try {
    const gwApi = admin(gw.url, gw.adminToken);
    const keys: string[] = [];
    for (let i = 0; i < opts.keys; i++) keys.push((await gwApi.post("/v1/admin/agents", { name: `hop-${i}`, capabilities: ["models"] })).body.default_key.secret);
    const upKeys: string[] = [upstreamKey];
    let turn = 0;
    const rotating = (ks: string[]) => [{ method: "GET", path: "/v1/models", setupRequest: ({ requestBuffer: _b, ...req }: any) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${ks[turn++ % ks.length]}` } }) }];
    const paths = {
      direct: { url: up.url, keys: upKeys, pid: undefined as number | undefined },
      nginx: { url: nginx.url, keys: upKeys, pid: nginx.proc.pid },
      gateway: { url: gw.url, keys, pid: gw.proc.pid },
    };
    type Name = keyof typeof paths;
    const once = async (name: Name, seconds: number) => {
      const p = paths[name];
      const hop0 = p.pid ? cpuUs(p.pid) : 0;
      const up0 = cpuUs(up.proc.pid!);
      const r = await run({ url: p.url, connections: opts.connections, duration: seconds, requests: rotating(p.keys) });
      if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      const n = r.requests.total as number;
      return { rps: r.requests.average as number, p99: r.latency.p99 as number, hopCpu: p.pid ? (cpuUs(p.pid) - hop0) / n : 0, upCpu: (cpuUs(up.proc.pid!) - up0) / n };
    };
    for (const name of Object.keys(paths) as Name[]) await once(name, 1);
    const rounds: Record<Name, Awaited<ReturnType<typeof once>>[]> = { direct: [], nginx: [], gateway: [] };
    const orders: Name[][] = [["direct", "nginx", "gateway"], ["gateway", "direct", "nginx"], ["nginx", "gateway", "direct"]];
    for (let i = 0; i < opts.rounds; i++) for (const name of orders[i % orders.length]) rounds[name].push(await once(name, opts.seconds));
    const ratio = (name: Name) => median(rounds[name].map((x, i) => x.rps / rounds.direct[i].rps));
    const path = (name: Name): HopPath => ({
      rps: median(rounds[name].map((x) => x.rps)),
      ratioToDirect: ratio(name),
      hopCpuUsPerRequest: median(rounds[name].map((x) => x.hopCpu)),
      upstreamCpuUsPerRequest: median(rounds[name].map((x) => x.upCpu)),
      p99: median(rounds[name].map((x) => x.p99)),
    });
    const res: HopResult = {
      keys: opts.keys, seconds: opts.seconds, rounds: opts.rounds,
      direct: path("direct"), nginx: path("nginx"), gateway: path("gateway"),
      gatewayCpuVsNginx: 0, gatewayRatioVsNginxRatio: 0,
    };
    res.gatewayCpuVsNginx = res.gateway.hopCpuUsPerRequest / res.nginx.hopCpuUsPerRequest;
    res.gatewayRatioVsNginxRatio = res.gateway.ratioToDirect / res.nginx.ratioToDirect;
    for (const name of Object.keys(paths) as Name[]) {
      const p = res[name];
      log(`  hop ${name}: ${p.rps.toFixed(0)} rps (${p.ratioToDirect.toFixed(2)}x direct), hop CPU ${p.hopCpuUsPerRequest.toFixed(1)} us/request, upstream ${p.upstreamCpuUsPerRequest.toFixed(1)} us/request`);
    }
    return res;
  } finally {
    await nginx.stop();
    await gw.stop();
    await up.stop();
  }
}

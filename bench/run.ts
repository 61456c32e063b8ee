// `npm run bench`: provisioning at scale vs the engine's floor, state size, the data plane vs
// /healthz at 1,000 and 100,000 keys, admin key creates with 50 clients. Prints a markdown table
// and writes bench/results/*.json. Timings are only ever ratios within this run, or counts.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { benchProvision, SizeResult } from "./provision";
import { benchDataPlane } from "./dataplane";
import { benchGateway } from "./gateway";
import { benchPostgres } from "./postgres";
import { benchArchiveUp, benchStartUp, installArchive } from "./plugin-archive";
import { benchHop } from "./hop";
import { benchCapacity, capacityTables } from "./capacity";

const RESULTS = join(__dirname, "results");
const sizes = (process.env.BENCH_SIZES ?? "100,200,400").split(",").map((s) => Number(s.trim())).filter((n) => n > 0);
const bigKeys = Number(process.env.BENCH_KEYS ?? 100_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const activeKeys = Number(process.env.BENCH_ACTIVE_KEYS ?? 1000);
const upstreamLatency = Number(process.env.BENCH_UPSTREAM_LATENCY_MS ?? 50);
const only = new Set((process.env.BENCH_ONLY ?? "provision,dataplane,gateway,hop,postgres,capacity").split(","));
const hopKeys = Number(process.env.BENCH_HOP_KEYS ?? 200);
const hopStreams = Number(process.env.BENCH_HOP_STREAMS ?? 2000);
const log = (s: string) => process.stderr.write(s + "\n");

const env = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memGB: Math.round(totalmem() / 2 ** 30), date: new Date().toISOString() };
const write = (name: string, data: unknown) => {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${name}.json`), JSON.stringify({ env, ...(data as object) }, null, 2) + "\n");
};
const x = (v: number) => `${v.toFixed(2)}x`;
const ok = (met: boolean | undefined) => (met === undefined ? "reported" : met ? "met" : "**missed**");

async function main() {
  const started = Date.now();
  const rows: string[] = [];
  const row = (what: string, target: string, measured: string, met: boolean | undefined, cmd: string) =>
    rows.push(`| ${what} | ${target} | ${measured} | ${ok(met)} | \`${cmd}\` |`);

  // The release archive is built once (about a minute) and serves the native rows too.
  const archive = only.has("provision") || only.has("plugin") ? installArchive() : undefined;
  if (archive) {
    const s = await benchStartUp(archive, 2 * rounds + 1);
    row("plugin archive: start-up (spawn to port) vs the repository build on Node.js", "<= 1.0x", `${x(s.ratio)} (${s.archiveMs.toFixed(0)} vs ${s.repositoryMs.toFixed(0)} ms)`, s.ratio <= 1.0, "BENCH_ONLY=plugin npm run bench");
    const n = sizes[sizes.length - 1];
    log(`plugin archive: up of ${n} resources, interleaved with the repository build and the dynamic floor`);
    const ab = await benchArchiveUp(archive, n, Math.max(3, Math.min(rounds, 5)), log);
    write("plugin", { archive: archive.archive, startUp: s, up: ab });
    row(`native provider, interleaved rounds: \`up\` of ${n} vs the dynamic floor, plugin archive (repository build)`, "<= 1.0x", `${x(ab.archiveVsFloor)} (${x(ab.repositoryVsFloor)})`, ab.archiveVsFloor <= 1.0, "BENCH_ONLY=plugin npm run bench");
  }
  const prov: SizeResult[] = only.has("provision") ? await benchProvision(sizes, log, archive) : [];
  if (prov.length) provisionRows(prov, row);
  if (only.has("dataplane")) await dataPlaneRows(row);
  if (only.has("gateway")) await gatewayRows(row);
  if (only.has("hop")) await hopRows(row);
  if (only.has("postgres")) await postgresRows(row);
  if (only.has("capacity")) await capacityRows(row);
  finish(rows, prov, started);
}

function provisionRows(prov: SizeResult[], row: (what: string, target: string, measured: string, met: boolean | undefined, cmd: string) => void) {
  const first = prov[0];
  const last = prov[prov.length - 1];
  const growth = { ours: last.ours.up / first.ours.up, floor: last.floor.up / first.floor.up, sizeRatio: last.n / first.n };
  const stateAvg = prov.reduce((s, r) => s + r.stateBytesPerResource.ours, 0) / prov.length;
  const floorStateAvg = prov.reduce((s, r) => s + r.stateBytesPerResource.floor, 0) / prov.length;
  write("provisioning", { sizes, results: prov, growth, stateBytesPerResource: { ours: stateAvg, floor: floorStateAvg } });
  const cmd = "npm run bench";
  const N = last.n;
  row(`\`up\` of ${N} resources vs floor`, "<= 1.3x", x(last.ratio.up), last.ratio.up <= 1.3, cmd);
  row(`no-op preview of ${N} vs floor`, "<= 1.2x", x(last.ratio.preview), last.ratio.preview <= 1.2, cmd);
  row(`refresh of ${N} vs floor`, "(reported)", x(last.ratio.refresh), undefined, cmd);
  row(`destroy of ${N} vs floor`, "(reported)", x(last.ratio.destroy), undefined, cmd);
  row(`\`up\` growth N=${last.n} vs N=${first.n}`, `<= ${(1.1 * growth.sizeRatio).toFixed(1)}x`, `${x(growth.ours)} (floor ${x(growth.floor)})`, growth.ours <= 1.1 * growth.sizeRatio, `BENCH_SIZES=${first.n},${last.n} ${cmd}`);
  row("state per resource (stack export)", "< 1,500 B", `${stateAvg.toFixed(0)} B (floor ${floorStateAvg.toFixed(0)} B)`, stateAvg < 1500, cmd);
  row(`native provider: \`up\` of ${N} resources vs the dynamic floor`, "<= 1.0x", x(last.nativeRatio.up), last.nativeRatio.up <= 1.0, cmd);
  if (last.archiveRatio) row(`native provider from the plugin archive: \`up\` of ${N} resources vs the dynamic floor`, "<= 1.0x", x(last.archiveRatio.up), last.archiveRatio.up <= 1.0, cmd);
  row(`native provider: no-op preview of ${N} vs the dynamic floor`, "(reported)", x(last.nativeRatio.preview), undefined, cmd);
  row("native provider: state per resource", "below the dynamic floor", `${last.stateBytesPerResource.native.toFixed(0)} B (floor ${last.stateBytesPerResource.floor.toFixed(0)} B)`, last.stateBytesPerResource.native < last.stateBytesPerResource.floor, cmd);
}

async function dataPlaneRows(row: (what: string, target: string, measured: string, met: boolean | undefined, cmd: string) => void) {
  const dp = await benchDataPlane({ seconds, rounds, bigKeys, activeKeys, connections: 10 }, log);
  const [small, big] = dp.dataPlane;
  // Each phase's rps is read against /healthz of the same phase, so machine drift between the two
  // phases cancels out.
  const change = big.ratioRps / small.ratioRps - 1;
  write("dataplane", { seconds, rounds, connections: 10, results: dp.dataPlane, rpsChangeSmallToBig: change });
  write("admin", dp.admin);

  const cmd = "npm run bench";
  const rr = `${small.activeKeys} keys round robin`;
  row(`/v1/models rps vs /healthz, ${rr}, ${small.keys} stored (median of ${rounds} interleaved rounds)`, ">= 0.8x", x(small.ratioRps), small.ratioRps >= 0.8, cmd);
  row(`/v1/models p99, ${rr}, ${small.keys} stored`, "<= 2 ms", `${small.models.p99} ms`, small.models.p99 <= 2, cmd);
  row(`/v1/models rps vs /healthz, ${rr}, ${big.keys} stored`, ">= 0.8x", x(big.ratioRps), big.ratioRps >= 0.8, cmd);
  row(`/v1/models p99, ${rr}, ${big.keys} stored`, "<= 2 ms", `${big.models.p99} ms`, big.models.p99 <= 2, cmd);
  row(`/v1/models rps (vs /healthz), ${big.keys} vs ${small.keys} keys stored`, "within 10%", `${(change * 100).toFixed(1)}%`, Math.abs(change) <= 0.1, cmd);
  row(`server RSS, ${big.keys} keys`, "(reported)", `${big.rssMB.toFixed(0)} MB (${small.rssMB.toFixed(0)} MB at ${small.keys})`, undefined, cmd);
  row("key creates/s, 50 concurrent clients", "(reported)", `${dp.admin.createsPerSecond.toFixed(0)}/s (p99 ${dp.admin.p99} ms, ${dp.admin.non2xx} non-2xx)`, undefined, cmd);
}

async function gatewayRows(row: (what: string, target: string, measured: string, met: boolean | undefined, cmd: string) => void) {
  const cmd = "BENCH_ONLY=gateway npm run bench";
  const results: Record<string, unknown> = {};
  for (const latencyMs of [upstreamLatency, 0]) {
    const label = latencyMs ? `upstream answering in ${latencyMs} ms` : "upstream answering at once (CPU-bound)";
    log(`gateway: client -> gateway -> canned upstream vs client -> upstream, ${label}`);
    const g = await benchGateway({ seconds, rounds, connections: 10, latencyMs }, log);
    results[`latency${latencyMs}ms`] = g;
    const target = latencyMs > 0;
    for (const r of g.routes) {
      row(`gateway ${r.route} rps vs direct, ${label}`, target ? ">= 0.8x" : "(reported)", x(r.ratioRps), target ? r.ratioRps >= 0.8 : undefined, cmd);
      row(`gateway ${r.route} added p99, ${label}`, target ? "<= 2 ms" : "(reported)", `${r.addedP99} ms (${r.gatewayP99} vs ${r.directP99})`, target ? r.addedP99 <= 2 : undefined, cmd);
    }
    row(`gateway: a budgeted key's POST /v1/chat vs an unlimited key's (cost per request), ${label}`, target ? "(reported)" : "<= 1.2x", x(g.budget.costRatio), target ? undefined : g.budget.costRatio <= 1.2, cmd);
    const s = g.streams;
    row(`gateway: ${s.streams} concurrent SSE streams x ${s.chunks} chunks, added time to first byte, ${label}`, target ? "<= 2 ms" : "(reported)", `${s.addedTtfbMs.toFixed(1)} ms`, target ? s.addedTtfbMs <= 2 : undefined, cmd);
    row(`gateway RSS during those streams, ${label}`, "flat", `${s.rssMB.before.toFixed(0)} -> peak ${s.rssMB.peak.toFixed(0)} -> ${s.rssMB.after.toFixed(0)} MB`, undefined, cmd);
  }
  write("gateway", { seconds, rounds, connections: 10, ...results });
}

async function hopRows(row: (what: string, target: string, measured: string, met: boolean | undefined, cmd: string) => void) {
  log(`hop: direct vs nginx vs a bare Node.js proxy vs the gateway, ${hopKeys} keys round robin`);
  const h = await benchHop({ seconds, rounds: Math.max(3, rounds), keys: hopKeys, connections: 10, streams: hopStreams }, log);
  write("hop", h);
  const cmd = "BENCH_ONLY=hop npm run bench";
  const us = (v: number) => `${v.toFixed(1)} us`;
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const a = h.atOnce;
  row(`hop: nginx GET /v1/models rps vs direct (${hopKeys} keys, upstream at once)`, "(reported)", x(a.nginx.ratioToDirect), undefined, cmd);
  row(`hop: bare Node.js proxy (node:http + undici) rps vs direct`, "(reported)", x(a.node.ratioToDirect), undefined, cmd);
  row(`hop: gateway GET /v1/models rps vs direct (${hopKeys} keys, upstream at once)`, ">= 0.8x nginx's ratio", `${x(a.gateway.ratioToDirect)} (${x(h.gatewayRatioVsNginxRatio)} of nginx's)`, h.gatewayRatioVsNginxRatio >= 0.8, cmd);
  row("hop: CPU per request of the hop process, gateway vs nginx", "<= 2.0x", `${x(h.gatewayCpuVsNginx)} (${us(a.gateway.hopCpuUsPerRequest)} vs ${us(a.nginx.hopCpuUsPerRequest)}; upstream ${us(a.direct.upstreamCpuUsPerRequest)})`, h.gatewayCpuVsNginx <= 2.0, cmd);
  row("hop: CPU per request, bare Node.js proxy vs nginx (Node.js's own floor)", "(reported)", `${x(h.nodeCpuVsNginx)} (${us(a.node.hopCpuUsPerRequest)})`, undefined, cmd);
  row("hop: CPU per request, gateway vs the bare Node.js proxy (the gateway's own work)", "(reported)", x(h.gatewayCpuVsNode), undefined, cmd);
  const sl = h.slow;
  row("hop: added p99 of GET /v1/models, upstream answering in 50 ms, gateway vs nginx", "<= nginx's + 1 ms", `${ms(sl.gateway.addedP99Ms)} vs ${ms(sl.nginx.addedP99Ms)} (bare Node.js ${ms(sl.node.addedP99Ms)})`, h.gatewayAddedP99VsNginxMs <= 1, cmd);
  row(`hop: ${h.streams} concurrent SSE streams, added time to first byte, gateway / nginx / bare Node.js`, "(reported)", `${ms(sl.gateway.addedTtfbMs)} / ${ms(sl.nginx.addedTtfbMs)} / ${ms(sl.node.addedTtfbMs)}`, undefined, cmd);
  row(`hop: RSS per SSE stream in flight at ${h.streams}, gateway vs nginx`, "<= 2x", `${x(h.gatewayRssPerStreamVsNginx)} (${sl.gateway.rssKBPerStream.toFixed(1)} vs ${sl.nginx.rssKBPerStream.toFixed(1)} KB; bare Node.js ${sl.node.rssKBPerStream.toFixed(1)} KB)`, h.gatewayRssPerStreamVsNginx <= 2, cmd);
}

async function postgresRows(row: (what: string, target: string, measured: string, met: boolean | undefined, cmd: string) => void) {
  const r = await benchPostgres({ seconds: Math.min(seconds, 3), rounds, activeKeys }, log);
  write("postgres", r);
  const cmd = "BENCH_ONLY=postgres npm run bench";
  row(`PostgreSQL: /v1/models rps, one replica vs one SQLite process, ${r.activeKeys} keys round robin`, "(reported)", `${x(r.pgVsSqlite.ratio)} (${r.pgVsSqlite.pgRps.toFixed(0)} vs ${r.pgVsSqlite.sqliteRps.toFixed(0)} rps; p99 ${r.pgVsSqlite.pgP99} vs ${r.pgVsSqlite.sqliteP99} ms)`, undefined, cmd);
  row("PostgreSQL: /v1/models rps, two replicas vs one (scaling factor)", "(reported)", `${x(r.twoVsOne.ratio)} (${r.twoVsOne.twoRps.toFixed(0)} vs ${r.twoVsOne.oneRps.toFixed(0)} rps)`, undefined, cmd);
  row("PostgreSQL: key creates/s, 50 clients, one replica vs SQLite", "(reported)", `${x(r.creates.pgVsSqlite)} (${r.creates.pgOne.toFixed(0)} vs ${r.creates.sqlite.toFixed(0)}/s)`, undefined, cmd);
  row("PostgreSQL: key creates/s, two replicas vs one", "(reported)", `${x(r.creates.twoVsOne)} (${r.creates.pgTwo.toFixed(0)} vs ${r.creates.pgOne.toFixed(0)}/s)`, undefined, cmd);
}

function finish(rows: string[], prov: SizeResult[], started: number) {

  const detail = prov.map((r) =>
    `| ${r.n} | ${x(r.ratio.up)} | ${x(r.ratio.preview)} | ${x(r.ratio.refresh)} | ${x(r.ratio.destroy)} | ${r.stateBytesPerResource.ours.toFixed(0)} / ${r.stateBytesPerResource.floor.toFixed(0)} |`);
  const table = [
    "| figure | target | measured | | reproduce |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    "| N | up | no-op preview | refresh | destroy | state B/resource (ours / floor) |",
    "|---|---|---|---|---|---|",
    ...detail,
  ].join("\n");
  write("summary", { table, minutes: (Date.now() - started) / 60000 });
  process.stdout.write(table + "\n");
  log(`bench done in ${((Date.now() - started) / 60000).toFixed(1)} min; results in bench/results/`);
}


async function capacityRows(row: (what: string, target: string, measured: string, met: boolean | undefined, cmd: string) => void) {
  log(`capacity: per-request costs on one PostgreSQL replica (${activeKeys} keys), the projection to N replicas, and its check at this machine's scale (taskset)`);
  const r = await benchCapacity({ seconds: Math.min(seconds, 3), rounds: Math.max(3, rounds), activeKeys }, log);
  write("capacity", { ...r, tables: capacityTables(r) });
  const cmd = "BENCH_ONLY=capacity npm run bench";
  const us = (v: number) => `${v.toFixed(1)} us`;
  const pct = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(1)}%`;
  for (const k of r.kinds) {
    const c = k.inputs;
    const p8 = k.projection.find((p) => p.dbCores === 8)!;
    const v = k.validation.pinned;
    row(`capacity: ${k.kind}, CPU per request (replica / PostgreSQL / load generator), rows and WAL per request`, "(reported)", `${us(c.replicaUs)} / ${us(c.dbUs)} / ${us(c.loadgenUs)}; ${c.rows.toFixed(2)} rows, ${c.walBytes.toFixed(0)} B WAL`, undefined, cmd);
    const limit = k.batched ? "no longer keeps up with the once-a-second flushes" : p8.lockRps ? "or the audit lock is the limit" : "is the limit";
    row(`capacity: ${k.kind}, N* (${r.replicaCores}-core replica hosts at which an 8-core database ${limit})`, "(reported)", `${p8.nStar.toFixed(1)} (${Math.min(p8.dbRps, p8.lockRps ?? Infinity).toFixed(0)} rps)`, undefined, cmd);
    row(`capacity: ${k.kind}, pinned check (${v.limit}), measured vs predicted`, "(reported)", `${pct(v.errorPct)} (${v.measured.toFixed(0)} vs ${v.predicted.toFixed(0)} rps; ${pct(v.available.errorPct)} from the CPU other processes left)`, undefined, cmd);
  }
  const l = r.auditLock;
  row("capacity: admin writes' ceiling from the audit chain's lock, whatever N", "(reported)", `${l.ceiling.toFixed(0)}/s (held ${(l.auditLockHeld * 100).toFixed(0)}% of the time at ${l.createsPerSecond.toFixed(0)} creates/s, ${l.holdMsPerEntry.toFixed(2)} ms per entry)`, undefined, cmd);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e.stack ?? e}\n`);
  process.exit(1);
});

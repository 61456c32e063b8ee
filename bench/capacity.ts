// A capacity model on paper (issue #22): what one request of each kind costs, measured on one
// replica and one PostgreSQL cluster (CPU of the replica, of every PostgreSQL process and of the
// load generator, from /proc; rows and WAL bytes from the WAL itself, with pg_walinspect), the throughput
// those costs project for N replicas on a database of C cores, and a check of the projection at
// this machine's scale: the processes pinned to cores with taskset (one side the bottleneck), and
// unpinned, predicted vs measured.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { admin, startLocalServer, type LocalServer } from "../tests/helpers/server";
import { roundRobin, run } from "./dataplane";
import { median } from "./interleave";
import { cpuUs, TICK_US } from "./proc";

const ROOT = join(__dirname, "..");
const TOKEN = "writer_admin_bench-capacity-token-0123456789";
/** server/store/domain/audit.ts: the chain's pg_advisory_xact_lock, taken by every replica's audit appends. */
const AUDIT_LOCK = 7_770_003;
/** After a load ends: the replica's once-a-second flush of usage and last uses lands and the WAL writer flushes it (commits are asynchronous). */
const TAIL_MS = 1500;
/** The validation's split: the replica alone on one core, PostgreSQL and the load generator on the other. */
const REPLICA_CPU = "0";
const OTHER_CPU = "1";
/** The projection's replica hosts and database sizes. */
const R = 2;
const DB_CORES = [2, 4, 8, 16];
const REPLICAS = [1, 2, 4, 8, 16];

/** Per request, over one run. */
export interface Cost {
  /** 2xx answers per second. */
  rps: number;
  requests: number;
  /** CPU per request, in microseconds: the writer-local process, every PostgreSQL process, the load generator. */
  replicaUs: number;
  dbUs: number;
  loadgenUs: number;
  /** Heap inserts, updates (HOT or not) and deletes in the WAL, per request; row locks (SELECT ... FOR UPDATE) apart. */
  rows: number;
  rowLocks: number;
  /** WAL written per request, and the part of it that is full-page images (the first change of a page after a checkpoint). */
  walBytes: number;
  fpiBytes: number;
  /** Commit records per request: transactions that wrote (read-only ones leave none). */
  xacts: number;
  /** Share of that CPU spent in the kernel (stime): sockets, mostly. */
  sysShare: { replica: number; db: number };
  /** Cores each kept busy (CPU / wall time): a replica is one event loop, so near 1.0 it is the limit. */
  cores: { replica: number; db: number; loadgen: number };
  /** Share of each CPU busy during the load (/proc/stat), and the cores' worth that none of the three used: another benchmark on the same machine. */
  busyPerCpu: number[];
  foreignCores: number;
}

export interface Check {
  predicted: number;
  measured: number;
  errorPct: number;
  limit: string;
  /** Round by round, from the CPU other processes left on the cores in that round: the median prediction and the median error. */
  available: { predicted: number; errorPct: number };
}

export interface Projection {
  dbCores: number;
  /** The database's CPU per request the projection used (see project()). */
  dbUs: number;
  /** What one replica host of R cores answers, and what the database answers, alone. */
  perHostRps: number;
  dbRps: number;
  /** Admin writes only: the audit chain's lock, whatever N. */
  lockRps?: number;
  /** Hosts at which the database (or the lock) becomes the limit. */
  nStar: number;
  throughput: { n: number; rps: number }[];
}

export interface KindResult {
  kind: string;
  batched: boolean;
  connections: number;
  /** Medians over the unpinned rounds: the model's inputs. */
  inputs: Cost;
  /** Medians over the pinned rounds (the same costs measured under the split, for comparison). */
  pinnedCosts: Cost;
  rounds: { unpinned: Cost; pinned: Cost }[];
  validation: { pinned: Check; unpinned: Check };
  projection: Projection[];
}

export interface AuditLock {
  createsPerSecond: number;
  samples: number;
  /** Share of samples in which a backend held the chain's lock, and the notify queue's commit lock. */
  auditLockHeld: number;
  notifyLockHeld: number;
  /** Distinct lock-holding transactions seen (short ones can fall between samples). */
  holdersSeen: number;
  /** Upper estimates: time held per transaction seen, entries per transaction. */
  holdMsPerTransaction: number;
  entriesPerTransaction: number;
  /** Each entry is one INSERT round trip while the lock is held: the time one entry keeps the chain locked. */
  holdMsPerEntry: number;
  /** createsPerSecond / auditLockHeld: the creates a second at which the lock would be held all the time, at this batching. */
  ceiling: number;
}

export interface CapacityResult {
  seconds: number;
  rounds: number;
  activeKeys: number;
  cpus: number;
  replicaCores: number;
  pinning: { replica: string; database: string; loadgen: string };
  /** Background CPU with no load (the listener's pings, empty flushes), in microseconds per second. */
  idle: { replicaUsPerSecond: number; dbUsPerSecond: number };
  kinds: KindResult[];
  auditLock: AuditLock;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const children = (pid: number): number[] =>
  readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim().split(" ").filter(Boolean).map(Number));

/**
 * Every PostgreSQL process: the live children, then the postmaster with the children it reaped,
 * so a backend that exits inside a window still counts (its ticks move to the postmaster's
 * cutime). writer-local's pool keeps its backends for the whole run anyway.
 */
function pgCpuUs(postmaster: number): [number, number] {
  const us: [number, number] = [0, 0];
  const add = ([a, b]: [number, number]) => ((us[0] += a), (us[1] += b));
  for (const c of children(postmaster)) {
    try {
      add(cpuUs(c));
    } catch {
      // Exited since the listing: its ticks are in the postmaster's cutime, read next.
    }
  }
  add(cpuUs(postmaster, true));
  return us;
}

/** Busy microseconds per CPU, from /proc/stat (user nice system irq softirq steal). */
function busyPerCpu(): number[] {
  return readFileSync("/proc/stat", "utf8").split("\n").filter((l) => /^cpu\d+ /.test(l)).map((l) => {
    const v = l.split(/\s+/).slice(1).map(Number);
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * TICK_US;
  });
}

const lsn = (s: string) => {
  const [hi, lo] = s.split("/");
  return parseInt(hi, 16) * 2 ** 32 + parseInt(lo, 16);
};

/** All threads of each process; a PostgreSQL child may exit between listing and pinning, so failures are skipped. */
function taskset(cpuList: string, pids: number[]): void {
  for (const pid of pids) {
    try {
      execFileSync("taskset", ["-a", "-p", "-c", cpuList, String(pid)], { stdio: "ignore" });
    } catch {
      // gone
    }
  }
}

/** `batched`: the database is off the request's path (an unlimited key: usage and last use are flushed once a second). */
interface Kind { kind: string; batched?: boolean; connections: number; opts: Record<string, unknown> }


export async function benchCapacity(opts: { seconds: number; rounds: number; activeKeys: number }, log: (s: string) => void): Promise<CapacityResult> {
  const dir = mkdtempSync("/tmp/writer-bench-capacity-");
  const ensure = (...a: string[]) => execFileSync("bash", [join(ROOT, "scripts", "ensure-postgres"), ...a], { encoding: "utf8" });
  let server: LocalServer | undefined;
  let stats: pg.Client | undefined;
  // The bench process pins itself too: put it back as it was, whatever happens.
  const ownAffinity = /: (\S+)\s*$/.exec(execFileSync("taskset", ["-c", "-p", String(process.pid)], { encoding: "utf8" }))![1];
  try {
    const cluster = ensure("start", dir, "durable").trim().split("\n").pop()!;
    const postmaster = Number(readFileSync(join(dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    // The bench's own queries (WAL positions and records, pg_locks) go to the postgres database, not the measured one.
    stats = new pg.Client({ connectionString: cluster.replace(/\/writer$/, "/postgres") });
    await stats.connect();
    await stats.query("CREATE DATABASE bench");
    const u = new URL(cluster);
    u.pathname = "/bench";
    const pepper = join(mkdtempSync(join(tmpdir(), "bench-pepper-")), "pepper");
    writeFileSync(pepper, randomBytes(32), { mode: 0o600 });
    server = await startLocalServer({ adminToken: TOKEN, extraArgs: ["--log-level", "warn", "--database", u.toString(), "--pepper-file", pepper] });
    const replica = server.proc.pid!;
    const url = server.url;

    log(`capacity: ${opts.activeKeys} agents (models + chat), an unlimited and a budgeted key each`);
    const api = admin(url, TOKEN);
    const unlimited: string[] = [];
    const budgeted: string[] = [];
    const agents: string[] = [];
    await Promise.all(Array.from({ length: 25 }, async (_, w) => {
      for (let i = w; i < opts.activeKeys; i += 25) {
        const a = await api.post("/v1/admin/agents", { name: `cap-${i}`, capabilities: ["models", "chat"] });
        if (a.status !== 201) throw new Error(`agent: ${a.status}`);
        const k = await api.post(`/v1/admin/agents/${a.body.id}/keys`, { name: "budgeted", token_budget: { tokens: 1e12, period: "month" }, tokens_per_minute: 1e9 });
        if (k.status !== 201) throw new Error(`budgeted key: ${k.status} ${JSON.stringify(k.body)}`);
        agents.push(a.body.id);
        unlimited.push(a.body.default_key.secret);
        budgeted.push(k.body.secret);
      }
    }));

    const pgPids = () => [postmaster, ...children(postmaster)];
    const unpin = () => taskset(ownAffinity, [replica, process.pid, ...pgPids()]);
    const pin = () => {
      taskset(REPLICA_CPU, [replica]);
      // New backends fork from the postmaster and inherit its affinity.
      taskset(OTHER_CPU, [process.pid, ...pgPids()]);
    };
    // The WAL, not pg_stat_database: a backend that reported less than a second ago holds its
    // counts back for up to 10 s (PGSTAT_IDLE_INTERVAL), which spilled setup into the first window.
    await stats.query("CREATE EXTENSION pg_walinspect");
    const lsnNow = async () => String((await stats!.query("SELECT pg_current_wal_flush_lsn()::text AS l")).rows[0].l);
    const walBetween = async (from: string, to: string) => {
      const r = await stats!.query<{ t: string; count: string; fpi: string }>(`SELECT "resource_manager/record_type" AS t, count, fpi_size AS fpi FROM pg_get_wal_stats($1, $2, true)`, [from, to]);
      const n = (re: RegExp) => r.rows.filter((x) => re.test(x.t)).reduce((a, x) => a + Number(x.count), 0);
      return {
        rows: n(/^Heap\/(INSERT|UPDATE|HOT_UPDATE|DELETE)/) + n(/^Heap2\/MULTI_INSERT/), rowLocks: n(/^Heap\/LOCK/), xacts: n(/^Transaction\/COMMIT/),
        wal: lsn(to) - lsn(from), fpi: r.rows.reduce((a, x) => a + Number(x.fpi), 0),
      };
    };
    const cpuNow = () => ({ t: performance.now(), replica: cpuUs(replica, true), db: pgCpuUs(postmaster), gen: process.cpuUsage(), busy: busyPerCpu() });

    const idleWindow = async () => {
      const a = cpuNow();
      await sleep(2000);
      const b = cpuNow();
      const s = (b.t - a.t) / 1000;
      return { replicaUsPerSecond: (b.replica[0] - a.replica[0]) / s, dbUsPerSecond: (b.db[0] - a.db[0]) / s };
    };
    await sleep(TAIL_MS);
    const idle = await idleWindow();
    log(`  idle: replica ${idle.replicaUsPerSecond.toFixed(0)} us/s, PostgreSQL ${idle.dbUsPerSecond.toFixed(0)} us/s`);

    // The tail after each load (for the last flush and the statistics) is background work only:
    // its idle share is taken off, so what remains is what the requests cost.
    const measure = async (k: Kind): Promise<Cost> => {
      const l0 = await lsnNow();
      const c0 = cpuNow();
      const res = await run({ ...k.opts, url, connections: k.connections, duration: opts.seconds, timeout: 30 });
      const cl = cpuNow();
      await sleep(TAIL_MS);
      const c1 = cpuNow();
      const w = await walBetween(l0, await lsnNow());
      if (res.non2xx || res.errors || res.timeouts) throw new Error(`${k.kind}: ${res.non2xx} non-2xx, ${res.errors} errors, ${res.timeouts} timeouts (${JSON.stringify(res.statusCodeStats)})`);
      const n: number = res.requests.total;
      const tailS = (c1.t - cl.t) / 1000;
      const replicaUs = c1.replica[0] - c0.replica[0] - idle.replicaUsPerSecond * tailS;
      const dbUs = c1.db[0] - c0.db[0] - idle.dbUsPerSecond * tailS;
      const gen = (a: ReturnType<typeof cpuNow>, b: ReturnType<typeof cpuNow>) => b.gen.user - a.gen.user + b.gen.system - a.gen.system;
      // Shares of the load's own window (the tail is left to whoever else runs here).
      const wallUs = (cl.t - c0.t) * 1000;
      const busy = cl.busy.map((v, i) => (v - c0.busy[i]) / wallUs);
      const ours = (cl.replica[0] - c0.replica[0] + cl.db[0] - c0.db[0] + gen(c0, cl)) / wallUs;
      return {
        rps: n / res.duration, requests: n,
        replicaUs: replicaUs / n, dbUs: dbUs / n, loadgenUs: gen(c0, c1) / n,
        rows: w.rows / n, rowLocks: w.rowLocks / n, walBytes: w.wal / n, fpiBytes: w.fpi / n, xacts: w.xacts / n,
        sysShare: { replica: (c1.replica[1] - c0.replica[1]) / (c1.replica[0] - c0.replica[0]), db: (c1.db[1] - c0.db[1]) / (c1.db[0] - c0.db[0]) },
        cores: { replica: (cl.replica[0] - c0.replica[0]) / wallUs, db: (cl.db[0] - c0.db[0]) / wallUs, loadgen: gen(c0, cl) / wallUs },
        busyPerCpu: busy,
        foreignCores: Math.max(0, busy.reduce((a, b) => a + b, 0) - ours),
      };
    };

    const chatBody = JSON.stringify({ model: "palmyra-x5", messages: [{ role: "user", content: "Hello there" }], max_tokens: 16 });
    let next = 0;
    const kinds: Kind[] = [
      { kind: "GET /v1/models, unlimited keys", batched: true, connections: 10, opts: { requests: roundRobin(unlimited, { method: "GET", path: "/v1/models" }) } },
      // The same chat with unlimited keys: what the budget's two round trips add.
      { kind: "POST /v1/chat, unlimited keys", batched: true, connections: 10, opts: { headers: { "content-type": "application/json" }, requests: roundRobin(unlimited, { method: "POST", path: "/v1/chat", body: chatBody }) } },
      { kind: "POST /v1/chat, budgeted keys", connections: 10, opts: { headers: { "content-type": "application/json" }, requests: roundRobin(budgeted, { method: "POST", path: "/v1/chat", body: chatBody }) } },
      {
        kind: "admin key create", connections: 50,
        opts: {
          method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ name: "c", scope: "all_teams" }),
          requests: [{ method: "POST", setupRequest: (req: any) => ({ ...req, path: `/v1/admin/agents/${agents[next++ % agents.length]}/keys` }) }],
        },
      },
    ];

    const out: KindResult[] = [];
    for (const k of kinds) {
      log(`  ${k.kind}: ${opts.rounds} rounds unpinned and pinned (replica on CPU ${REPLICA_CPU}; PostgreSQL and the load generator on CPU ${OTHER_CPU}), ${opts.seconds} s each`);
      await run({ ...k.opts, url, connections: k.connections, duration: 2 });
      await sleep(TAIL_MS);
      const rounds: { unpinned: Cost; pinned: Cost }[] = [];
      for (let i = 0; i < opts.rounds; i++) {
        // Alternate which goes first, so warming and drift fall on both.
        let unpinned: Cost, pinned: Cost;
        const pinnedRun = async () => {
          pin();
          try {
            return await measure(k);
          } finally {
            unpin();
          }
        };
        if (i % 2 === 0) {
          unpinned = await measure(k);
          pinned = await pinnedRun();
        } else {
          pinned = await pinnedRun();
          unpinned = await measure(k);
        }
        rounds.push({ unpinned, pinned });
        log(`    round ${i + 1}: unpinned ${unpinned.rps.toFixed(0)} rps (replica ${unpinned.replicaUs.toFixed(1)} us, db ${unpinned.dbUs.toFixed(1)} us, loadgen ${unpinned.loadgenUs.toFixed(1)} us, ${unpinned.rows.toFixed(2)} rows, ${unpinned.walBytes.toFixed(0)} WAL B, foreign ${unpinned.foreignCores.toFixed(2)} cores); pinned ${pinned.rps.toFixed(0)} rps (CPUs busy ${pinned.busyPerCpu.map((b) => (b * 100).toFixed(0) + "%").join(" ")}, foreign ${pinned.foreignCores.toFixed(2)} cores)`);
      }
      const inputs = medianCost(rounds.map((r) => r.unpinned));
      const pinnedCosts = medianCost(rounds.map((r) => r.pinned));
      const validation = validate(inputs, rounds);
      const v = (x: Check) => `predicted ${x.predicted.toFixed(0)} rps vs measured ${x.measured.toFixed(0)}: ${x.errorPct.toFixed(1)}% (from the CPU left: ${x.available.predicted.toFixed(0)}, ${x.available.errorPct.toFixed(1)}%)`;
      log(`    pinned (${validation.pinned.limit}): ${v(validation.pinned)}; unpinned: ${v(validation.unpinned)}`);
      out.push({ kind: k.kind, batched: !!k.batched, connections: k.connections, inputs, pinnedCosts, rounds, validation, projection: [] });
    }

    // The audit chain's lock is one for all replicas: how much of the time one create load keeps
    // it held bounds admin writes whatever N. Sampled in a run of its own (the sampling queries
    // cost the database CPU the cost rounds must not see).
    const auditLock = await sampleLocks(stats, () => run({ ...kinds[3].opts, url, connections: kinds[3].connections, duration: opts.seconds, timeout: 30 }));
    log(`  audit lock: held ${(auditLock.auditLockHeld * 100).toFixed(0)}% of ${auditLock.samples} samples at ${auditLock.createsPerSecond.toFixed(0)} creates/s (notify lock ${(auditLock.notifyLockHeld * 100).toFixed(0)}%): ceiling ~${auditLock.ceiling.toFixed(0)} creates/s, ${auditLock.entriesPerTransaction.toFixed(1)} entries per audit transaction, ${auditLock.holdMsPerEntry.toFixed(2)} ms held per entry`);
    for (const k of out) k.projection = project(k.inputs, { batched: k.batched, lockRps: k.kind === kinds[3].kind ? auditLock.ceiling : undefined });

    return {
      seconds: opts.seconds, rounds: opts.rounds, activeKeys: opts.activeKeys, cpus: cpus().length, replicaCores: R,
      pinning: { replica: REPLICA_CPU, database: OTHER_CPU, loadgen: OTHER_CPU }, idle, kinds: out, auditLock,
    };
  } finally {
    taskset(ownAffinity, [process.pid]);
    await stats?.end().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    ensure("stop", dir);
  }
}

function medianCost(cs: Cost[]): Cost {
  const m = (f: (c: Cost) => number) => median(cs.map(f));
  return {
    rps: m((c) => c.rps), requests: m((c) => c.requests), replicaUs: m((c) => c.replicaUs), dbUs: m((c) => c.dbUs), loadgenUs: m((c) => c.loadgenUs),
    rows: m((c) => c.rows), rowLocks: m((c) => c.rowLocks), walBytes: m((c) => c.walBytes), fpiBytes: m((c) => c.fpiBytes), xacts: m((c) => c.xacts),
    sysShare: { replica: m((c) => c.sysShare.replica), db: m((c) => c.sysShare.db) },
    cores: { replica: m((c) => c.cores.replica), db: m((c) => c.cores.db), loadgen: m((c) => c.cores.loadgen) },
    busyPerCpu: cs[0].busyPerCpu.map((_, i) => m((c) => c.busyPerCpu[i])), foreignCores: m((c) => c.foreignCores),
  };
}

const check = (predicted: number, measured: number[], left: number[], limit: string): Check => ({
  predicted, measured: median(measured), errorPct: (median(measured) / predicted - 1) * 100, limit,
  available: { predicted: median(left), errorPct: median(measured.map((m, i) => (m / left[i] - 1) * 100)) },
});

/**
 * Pinned: each core serves the sum of what runs on it, the busiest one sets the rate. Unpinned:
 * every core serves everything (the costs' sum over the machine's cores); the costs come from the
 * unpinned rounds themselves, so what this checks is how fully the cores were kept busy. Each is
 * also predicted, round by round, from the CPU that other processes left on the cores.
 */
export function validate(c: Cost, rounds: { unpinned: Cost; pinned: Cost }[]): { pinned: Check; unpinned: Check } {
  const left = (busy: number, ours: number) => Math.max(0, 1 - Math.max(0, busy - ours));
  const core0 = 1e6 / c.replicaUs;
  const core1 = 1e6 / (c.dbUs + c.loadgenUs);
  const n = cpus().length;
  const all = 1e6 / (c.replicaUs + c.dbUs + c.loadgenUs);
  const pinnedLeft = rounds.map(({ pinned: p }) => Math.min(
    left(p.busyPerCpu[Number(REPLICA_CPU)], p.cores.replica) * core0,
    left(p.busyPerCpu[Number(OTHER_CPU)], p.cores.db + p.cores.loadgen) * core1,
  ));
  return {
    pinned: check(Math.min(core0, core1), rounds.map((r) => r.pinned.rps), pinnedLeft, core0 <= core1 ? `CPU ${REPLICA_CPU}: the replica` : `CPU ${OTHER_CPU}: PostgreSQL + load generator`),
    unpinned: check(n * all, rounds.map((r) => r.unpinned.rps), rounds.map((r) => Math.max(0, n - r.unpinned.foreignCores) * all), `${n} cores shared by all`),
  };
}

/**
 * N replica hosts of R cores each (R writer-local processes: one process is one event loop), on a
 * database of C cores, all CPU-bound at the measured costs (clients elsewhere):
 * min(N·R·1e6/r, C·1e6/d), and for admin writes also the audit lock's ceiling. Where the database
 * only sees the once-a-second flushes (`batched`), its cost is per replica-second, not per
 * request: d is taken at a replica running flat out (d × the cores the replica used when measured).
 */
export function project(c: Cost, o: { lockRps?: number; batched?: boolean } = {}): Projection[] {
  const d = o.batched ? c.dbUs * c.cores.replica : c.dbUs;
  return DB_CORES.map((C) => {
    const perHostRps = (R * 1e6) / c.replicaUs;
    const dbRps = (C * 1e6) / d;
    const cap = Math.min(dbRps, o.lockRps ?? Infinity);
    return {
      dbCores: C, dbUs: d, perHostRps, dbRps, ...(o.lockRps ? { lockRps: o.lockRps } : {}),
      nStar: cap / perHostRps,
      throughput: REPLICAS.map((n) => ({ n, rps: Math.min(n * perHostRps, cap) })),
    };
  });
}

async function sampleLocks(c: pg.Client, load: () => Promise<any>): Promise<AuditLock> {
  let samples = 0;
  let audit = 0;
  let notify = 0;
  const holders = new Set<string>();
  let done = false;
  // PreCommit_Notify takes an exclusive lock on database 0 (pg_database) for a notifying commit:
  // every access-relevant write of every replica passes it.
  const sql = `SELECT l.locktype, l.pid, a.xact_start::text AS xs FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.granted AND ((l.locktype = 'advisory' AND l.objid = ${AUDIT_LOCK}) OR (l.locktype = 'object' AND l.classid = 'pg_database'::regclass AND l.objid = 0))`;
  const sampler = (async () => {
    while (!done) {
      const r = await c.query(sql);
      samples++;
      if (r.rows.some((x) => x.locktype === "advisory")) audit++;
      if (r.rows.some((x) => x.locktype === "object")) notify++;
      for (const x of r.rows) if (x.locktype === "advisory") holders.add(`${x.pid} ${x.xs}`);
      await sleep(2);
    }
  })();
  let res: any;
  try {
    res = await load();
  } finally {
    done = true;
    await sampler;
  }
  const ok = res.requests.total - res.non2xx;
  const held = audit / samples;
  return {
    createsPerSecond: ok / res.duration, samples, auditLockHeld: held, notifyLockHeld: notify / samples, holdersSeen: holders.size,
    holdMsPerTransaction: holders.size ? (held * res.duration * 1000) / holders.size : 0,
    entriesPerTransaction: holders.size ? ok / holders.size : 0,
    holdMsPerEntry: ok ? (held * res.duration * 1000) / ok : 0,
    ceiling: held > 0 ? ok / res.duration / held : Infinity,
  };
}

/** The projection and validation tables of a result, as markdown (for bench/README.md). */
export function capacityTables(r: CapacityResult): string {
  const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "-");
  const lines = [
    "| request kind | rps (1 replica) | replica CPU/req (kernel) | PostgreSQL CPU/req (kernel) | load generator CPU/req | rows/req (+ row locks) | WAL B/req (full pages) | write commits/req | replica cores busy | foreign cores |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...r.kinds.map((k) => {
      const c = k.inputs;
      return `| ${k.kind} | ${f(c.rps)} | ${f(c.replicaUs, 1)} us (${f(c.sysShare.replica * 100)}%) | ${f(c.dbUs, 1)} us (${f(c.sysShare.db * 100)}%) | ${f(c.loadgenUs, 1)} us | ${f(c.rows, 2)} (+${f(c.rowLocks, 2)}) | ${f(c.walBytes)} (${f(c.fpiBytes)}) | ${f(c.xacts, 2)} | ${f(c.cores.replica, 2)} | ${f(c.foreignCores, 2)} |`;
    }),
    "",
    `| request kind | d used | C | one host (R=${r.replicaCores}) | database alone | N* | ${REPLICAS.map((n) => `N=${n}`).join(" | ")} |`,
    `|---|---|---|---|---|---|${REPLICAS.map(() => "---").join("|")}|`,
    ...r.kinds.flatMap((k) => k.projection.map((p) => `| ${k.kind} | ${f(p.dbUs, 1)} us | ${p.dbCores} | ${f(p.perHostRps)} | ${f(p.dbRps)}${p.lockRps ? ` (lock ${f(p.lockRps)})` : ""} | ${f(p.nStar, 1)} | ${p.throughput.map((t) => f(t.rps)).join(" | ")} |`)),
    "",
    "| request kind | split | predicted rps | measured rps | error | predicted from the CPU left | error | limit |",
    "|---|---|---|---|---|---|---|---|",
    ...r.kinds.flatMap((k) => [
      ...(["pinned", "unpinned"] as const).map((w) => {
        const x = k.validation[w];
        return `| ${k.kind} | ${w} | ${f(x.predicted)} | ${f(x.measured)} | ${f(x.errorPct, 1)}% | ${f(x.available.predicted)} | ${f(x.available.errorPct, 1)}% | ${x.limit} |`;
      }),
    ]),
  ];
  return lines.join("\n");
}

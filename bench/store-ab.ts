// This build's store against an earlier commit's, in one run: admin key creates per second (50
// clients for a fixed time) on SQLite and on PostgreSQL, the earlier commit built in a git
// worktree beside this one, rounds interleaved, the median of per-round ratios (this / earlier).
//   BENCH_BASELINE_REV=<rev> npx ts-node --transpile-only -P tsconfig.test.json bench/store-ab.ts
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "./dataplane";
import { interleave } from "./interleave";

const ROOT = join(__dirname, "..");
const TOKEN = "writer_admin_bench-store-ab-token-0123456789";
const rev = process.env.BENCH_BASELINE_REV ?? "HEAD~1";
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const log = (s: string) => process.stderr.write(s + "\n");

/** The earlier commit, checked out and built once (its own dist/, this checkout's node_modules). */
function baseline(): string {
  const sha = execFileSync("git", ["rev-parse", rev], { cwd: ROOT, encoding: "utf8" }).trim();
  const dir = join(tmpdir(), `writer-store-ab-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, "dist", "server", "cli.js"))) {
    if (!existsSync(dir)) execFileSync("git", ["worktree", "add", "--detach", dir, sha], { cwd: ROOT, stdio: "ignore" });
    if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: dir, stdio: "inherit" });
  }
  log(`baseline ${rev} (${sha.slice(0, 12)}) built in ${dir}`);
  return dir;
}

async function serve(checkout: string, extra: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const dataDir = mkdtempSync(join(tmpdir(), "writer-store-ab-data-"));
  const proc = spawn(process.execPath, [join(checkout, "dist", "server", "cli.js"), "serve", "--port", "0", "--data-dir", dataDir, "--log-level", "warn", ...extra],
    { env: { ...process.env, WRITER_ADMIN_TOKEN: TOKEN }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const url = await new Promise<string>((ok, fail) => {
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+) /.exec(out);
      if (m) ok(m[1]);
    });
    proc.stderr!.on("data", (d) => (out += d));
    proc.on("exit", (c) => fail(new Error(`writer-local exited ${c}: ${out}`)));
  });
  return { url, proc };
}

async function agents(url: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${url}/v1/admin/agents`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ name: `ab-${i}` }) });
    ids.push(((await r.json()) as { id: string }).id);
  }
  return ids;
}

async function creates(url: string, ids: string[]): Promise<number> {
  let next = 0;
  const t = Date.now();
  const r = await run({
    url, connections: 50, duration: seconds, timeout: 30, method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ name: "c", scope: "all_teams" }),
    requests: [{ method: "POST", setupRequest: (req: any) => ({ ...req, path: `/v1/admin/agents/${ids[next++ % ids.length]}/keys` }) }],
  });
  if (r.non2xx || r.errors) throw new Error(`creates: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.requests.total / ((Date.now() - t) / 1000);
}

async function main() {
  const base = baseline();
  const results: Record<string, unknown> = {};
  const pgDir = mkdtempSync("/tmp/writer-store-ab-pg-");
  const cluster = execFileSync("bash", [join(ROOT, "scripts", "ensure-postgres"), "start", pgDir, "durable"], { encoding: "utf8" }).trim().split("\n").pop()!;
  const dbs = [0, 1].map((i) => `${cluster.replace(/\/writer$/, "")}/ab${i}`);
  execFileSync("bash", ["-c", dbs.map((d) => `psql "${cluster}" -qc "CREATE DATABASE ${d.split("/").pop()}"`).join(" && ")]);
  try {
    const engines = (process.env.BENCH_ENGINES ?? "SQLite,PostgreSQL").split(",");
    for (const [engine, extra] of [["SQLite", [[], []]], ["PostgreSQL", [["--database", dbs[0]], ["--database", dbs[1]]]]] as const) {
      if (!engines.includes(engine)) continue;
      const now = await serve(ROOT, [...extra[0]]);
      const then = await serve(base, [...extra[1]]);
      try {
        const [a, b] = await Promise.all([agents(now.url, 20), agents(then.url, 20)]);
        await creates(now.url, a);
        await creates(then.url, b);
        const r = await interleave(rounds, () => creates(now.url, a), () => creates(then.url, b), (x) => x);
        results[engine] = { ratio: r.medianRatio, now: r.medianA, baseline: r.medianB, rounds: r.rounds.map((x) => x.ratio) };
        log(`${engine}: key creates/s this build ${r.medianA.toFixed(0)} vs ${rev} ${r.medianB.toFixed(0)}: ratio ${r.medianRatio.toFixed(2)} (${r.rounds.map((x) => x.ratio.toFixed(2)).join(" ")})`);
      } finally {
        now.proc.kill("SIGTERM");
        then.proc.kill("SIGTERM");
      }
    }
  } finally {
    execFileSync("bash", [join(ROOT, "scripts", "ensure-postgres"), "stop", pgDir]);
  }
  process.stdout.write(JSON.stringify({ baseline: rev, seconds, rounds, results }, null, 2) + "\n");
}

main().catch((e) => {
  process.stderr.write(`store-ab failed: ${e.stack ?? e}\n`);
  process.exit(1);
});

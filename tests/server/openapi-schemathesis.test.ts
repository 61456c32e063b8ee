// engine: sqlite (a bounded two-minute run; the store is behind the schemas it checks, and the suites that run on both engines cover the store)
// The OpenAPI document says exactly what the server enforces: schemathesis (pinned in
// tests/python-requirements.txt) generates requests from api/openapi.json against the real
// writer-local process, valid ones and ones the document forbids, every method a path does not
// declare, and no or wrong credentials, and checks each answer against the document. The document
// covers the admin API only (the data plane is Writer's own contract, tests/server/openapi.test.ts),
// so that is what it runs against.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { admin, useLocalServer } from "../helpers/server";

const root = join(__dirname, "..", "..");
const here = join(__dirname, "schemathesis");
/**
 * Cases per operation and mode: about 5,000 cases, 45 s on 2 idle cores. The count bounds the run,
 * not --max-time (with it, fuzzing repeats until the time is spent, so what runs would depend on speed).
 */
const MAX_EXAMPLES = 150;
/**
 * Only a guard against a hang (the run is then killed and the test fails for want of a report):
 * the case count bounds the run. Niced, it gets what the other suites leave: 47 s alone, minutes
 * beside the rest of the suite and a busy machine (170 s was once too little).
 */
const KILL_AFTER_S = 900;

jest.setTimeout((KILL_AFTER_S + 30) * 1000);

// The run's own probes (no token, wrong tokens) are far more than 20 failed sign-ins a minute from
// one address: the throttle would answer 429 where the document's 401 is what is checked.
const srv = useLocalServer({ extraArgs: ["--auth-failures-per-minute", "1000000"] });

interface Report {
  test_cases: { generated: number; with_failures: number; errored: number };
  failures: { code: string; title: string; count: number; operations: string[] }[];
  errors: { title: string; count: number }[];
  running_time: number;
}

test("schemathesis finds nothing: no failure, no server error", async () => {
  const python = execFileSync("bash", [join(root, "scripts", "ensure-python-venv")], { encoding: "utf8" }).trim().split("\n").pop()!;
  const tokens = await admin(srv.url, srv.adminToken).get("/v1/admin/tokens");
  const tokenId = tokens.body.data.find((t: { name: string }) => t.name === "bootstrap").id;
  const reports = mkdtempSync(join(tmpdir(), "writer-schemathesis-"));
  const args = [
    "--config-file", join(here, "schemathesis.toml"),
    "run", join(root, "api", "openapi.json"), "--url", srv.url,
    "--header", `Authorization: Bearer ${srv.adminToken}`,
    "--checks", "all", "--phases", "examples,coverage,fuzzing",
    // Reproducible: one worker, a fixed seed, no examples carried over from an earlier run.
    "--workers", "1", "--seed", "20231", "--generation-database", "none",
    "--max-examples", String(MAX_EXAMPLES), "--max-response-time", "10",
    "--report", "json", "--report-json-path", join(reports, "report.json"), "--no-color",
  ];
  // Niced: the run shares the machine with the suite's other tests, which have time bounds of their own.
  const run = await promisify(execFile)("nice", ["-n", "10", join(dirname(python), "schemathesis"), ...args], {
    cwd: reports, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: KILL_AFTER_S * 1000,
    env: { ...process.env, SCHEMATHESIS_HOOKS: join(here, "keep-token.py"), WRITER_SCHEMATHESIS_TOKEN_ID: tokenId },
  }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? "", stderr: e.stderr ?? String(e) }));
  let report: Report;
  try {
    report = JSON.parse(readFileSync(join(reports, "report.json"), "utf8"));
  } catch {
    throw new Error(`schemathesis wrote no report:\n${run.stdout}\n${run.stderr}`);
  }
  const failures = report.failures.reduce((n, f) => n + f.count, 0);
  const serverErrors = report.failures.filter((f) => f.code === "ST101").reduce((n, f) => n + f.count, 0);
  const logged500s = srv.output().split("\n").filter((l) => l.includes('"unhandled error"')).length;
  // The closing note: what was run and what it found.
  console.log(
    `schemathesis: ${report.test_cases.generated} cases generated against ${srv.url} in ${report.running_time.toFixed(0)} s: ` +
      `${failures} failures, ${serverErrors} server errors (${logged500s} in the server's log), ${report.errors.length} errors`,
  );
  if (failures + report.errors.length > 0) console.log(run.stdout);
  expect(report.failures.map((f) => `${f.code} ${f.title}: ${f.operations.join(", ")}`)).toEqual([]);
  expect(report.errors).toEqual([]);
  expect(serverErrors + logged500s).toBe(0);
  expect(report.test_cases.generated).toBeGreaterThan(1000);
});

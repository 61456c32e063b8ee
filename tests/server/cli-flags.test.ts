// Bad numbers on the command line are refused at start, naming the flag: in particular a delay
// past what Node's timers hold (2^31-1 ms), which Node would silently turn into 1 ms (every query
// or upstream call timing out at once).
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(__dirname, "..", "..", "dist", "server", "cli.js");

function serve(args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "writer-local-flags-"));
  // A server that starts anyway is killed after 8 s: status null, and the test fails on it.
  return spawnSync(process.execPath, [CLI, "serve", "--port", "0", "--data-dir", dir, ...args], { encoding: "utf8", timeout: 8000 });
}

test.each([
  ["--database-timeout-ms", "99999999999"],
  ["--database-timeout-ms", "2147483648"],
  ["--database-timeout-ms", "0"],
  ["--database-timeout-ms", "ten"],
  ["--upstream-headers-timeout-ms", "1e10"],
  ["--request-timeout-ms", "-1"],
  ["--canned-latency-ms", "3000000000"],
  ["--fault-hang-ms", "2.5"],
])("%s %s is refused with the flag's name", (flag, value) => {
  const r = serve([flag, value]);
  expect(r.status).not.toBe(0);
  expect(r.status).not.toBeNull();
  expect(r.stderr).toContain(flag);
  expect(r.stderr).toMatch(/milliseconds|integer/);
});


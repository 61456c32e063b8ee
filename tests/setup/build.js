// Jest global setup: build once before any test, so no test (nor the real processes they start:
// writer-local, the engine's provider process) ever runs a stale dist/. Incremental, so a build
// that is already current takes a second or two. Then a temporary PostgreSQL cluster on loopback
// for the PostgreSQL store's tests (scripts/ensure-postgres; about a second), unless
// WRITER_TEST_PG_URL already names one; tests/setup/teardown.js stops it.
const { execFileSync } = require("node:child_process");
const { mkdtempSync } = require("node:fs");
const { join } = require("node:path");

module.exports = async () => {
  const root = join(__dirname, "..", "..");
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
  execFileSync(process.execPath, [join(root, "scripts", "link-self.js")], { cwd: root, stdio: "inherit" });
  if (!process.env.WRITER_TEST_PG_URL) {
    const dir = mkdtempSync("/tmp/writer-test-pg-");
    const out = execFileSync("bash", [join(root, "scripts", "ensure-postgres"), "start", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    process.env.WRITER_TEST_PG_URL = out.trim().split("\n").pop();
    process.env.WRITER_TEST_PG_DIR = dir;
  }
};

// Jest global setup: build once before any test, so no test (nor the real processes they start:
// writer-local, the engine's provider process) ever runs a stale dist/. Incremental, so a build
// that is already current takes a second or two.
const { execFileSync } = require("node:child_process");
const { join } = require("node:path");

module.exports = async () => {
  const root = join(__dirname, "..", "..");
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
  execFileSync(process.execPath, [join(root, "scripts", "link-self.js")], { cwd: root, stdio: "inherit" });
};

// ts-jest only transpiles (isolatedModules), so the whole project, tests and examples' imports
// included, is type-checked here once: a public type that drifts fails the suite.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

jest.setTimeout(120_000);

test("tsc --noEmit over api, provider, sdk, server, tests, bench and scripts reports no errors", () => {
  const root = join(__dirname, "..", "..");
  const r = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "--noEmit", "-p", "tsconfig.test.json"], { cwd: root, encoding: "utf8" });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
});

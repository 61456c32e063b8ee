// Projects: fast unit tests, fresh (the tool scripts on an empty module cache; scripts/test.sh runs it
// alone, first), server tests (in-process with app.inject, or the real process),
// integration tests through the real engine and the real server process, the reliability suite
// (faults, kills, fuzzing, secret scans), packaging (npm pack, installed into a fresh project), and
// browser (the console in real headless Chromium), and postgres: the store-agnostic contract,
// server and provider suites again with writer-local on PostgreSQL, plus the replica tests.
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");

/**
 * Every server suite runs on both engines, except one that says in its first lines
 * `// engine: sqlite (why)`: it reads SQLite's own file, pragmas or data dir.
 */
const serverDir = join(__dirname, "tests", "server");
const onBothEngines = readdirSync(serverDir)
  .filter((f) => f.endsWith(".test.ts") && !/^\/\/ engine: sqlite\b/m.test(readFileSync(join(serverDir, f), "utf8").split("\n").slice(0, 5).join("\n")))
  .map((f) => `<rootDir>/tests/server/${f}`);

const common = {
  preset: "ts-jest",
  testEnvironment: "node",
  modulePathIgnorePatterns: ["<rootDir>/.tmp/", "<rootDir>/dist/"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.test.json" }] },
};
module.exports = {
  globalSetup: "<rootDir>/tests/setup/build.js",
  globalTeardown: "<rootDir>/tests/setup/teardown.js",
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
    { ...common, displayName: "fresh", testMatch: ["<rootDir>/tests/fresh/**/*.test.ts"] },
    { ...common, displayName: "server", testMatch: ["<rootDir>/tests/server/**/*.test.ts"] },
    { ...common, displayName: "integration", testMatch: ["<rootDir>/tests/integration/**/*.test.ts"] },
    { ...common, displayName: "reliability", testMatch: ["<rootDir>/tests/reliability/**/*.test.ts"] },
    { ...common, displayName: "packaging", testMatch: ["<rootDir>/tests/packaging/**/*.test.ts"] },
    { ...common, displayName: "browser", testMatch: ["<rootDir>/tests/browser/**/*.test.ts"] },
    {
      ...common,
      displayName: "postgres",
      setupFiles: ["<rootDir>/tests/setup/postgres-env.js"],
      testMatch: [
        "<rootDir>/tests/postgres/**/*.test.ts",
        ...onBothEngines,
        "<rootDir>/tests/integration/resources.test.ts",
      ],
    },
  ],
};

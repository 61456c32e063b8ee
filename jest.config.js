// Three projects: fast unit tests, integration tests through the real engine and the real
// server process, and the reliability suite (faults, kills, fuzzing, secret scans).
const common = {
  preset: "ts-jest",
  testEnvironment: "node",
  modulePathIgnorePatterns: ["<rootDir>/.tmp/", "<rootDir>/dist/"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.test.json" }] },
};
module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
    { ...common, displayName: "server", testMatch: ["<rootDir>/tests/server/**/*.test.ts"] },
    { ...common, displayName: "integration", testMatch: ["<rootDir>/tests/integration/**/*.test.ts"] },
    { ...common, displayName: "reliability", testMatch: ["<rootDir>/tests/reliability/**/*.test.ts"] },
  ],
};

// Prints jest's JSON results as the one line CI reads: "N passed, M failed[, K skipped]".
// A suite that failed to run counts as a failure even though it reported no tests.
const { readFileSync } = require("node:fs");

try {
  const r = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  console.log(`${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
} catch {
  console.log("0 passed, 1 failed");
}

// Prints jest's JSON results (one file per jest run) as the one line CI reads:
// "N passed, M failed[, K skipped]". A suite that failed to run counts as a failure even though it
// reported no tests; a run whose results file is missing or unreadable counts as one failure.
const { readFileSync } = require("node:fs");

let passed = 0, failed = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  try {
    const r = JSON.parse(readFileSync(file, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
    skipped += r.numPendingTests + r.numTodoTests;
  } catch {
    failed += 1;
  }
}
if (process.argv.length < 3) failed += 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);

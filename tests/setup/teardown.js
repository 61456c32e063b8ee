// Stops the temporary PostgreSQL cluster of tests/setup/build.js (if it started one).
const { execFileSync } = require("node:child_process");
const { join } = require("node:path");

module.exports = async () => {
  const dir = process.env.WRITER_TEST_PG_DIR;
  if (dir) execFileSync("bash", [join(__dirname, "..", "..", "scripts", "ensure-postgres"), "stop", dir], { stdio: "inherit" });
};

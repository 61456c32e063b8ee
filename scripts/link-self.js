// Makes `require("pulumi-writer")` resolve to this checkout from the examples,
// the tests' Pulumi programs and the dynamic-provider process (whose working
// directory is the program directory), exactly as it resolves for a user who
// installed the package from the registry.
const fs = require("fs");
const path = require("path");
const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-writer");
if (!fs.existsSync(path.join(root, "node_modules"))) process.exit(0);
try {
  const st = fs.lstatSync(link);
  if (st.isSymbolicLink() && fs.realpathSync(link) === root) process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {}
fs.symlinkSync("..", link, "dir");

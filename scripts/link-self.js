// Installs this checkout's build into node_modules/pulumi-writer, as a user's `npm install`
// would, so the examples, the tests' Pulumi programs and the dynamic-provider process (whose
// working directory is the program's) resolve `pulumi-writer` exactly as for a user. A copy, not
// a symlink: Node resolves symlinks to their target, and Pulumi serializes modules outside
// node_modules by value, which is what a real install never does. Built aside and renamed into
// place, so two runs at once (two test processes) never see a half-copied package.
const fs = require("fs");
const path = require("path");
const root = path.resolve(__dirname, "..");
const target = path.join(root, "node_modules", "pulumi-writer");
if (!fs.existsSync(path.join(root, "node_modules")) || !fs.existsSync(path.join(root, "dist"))) process.exit(0);
const aside = path.join(root, "node_modules", `.pulumi-writer-${process.pid}`);
fs.rmSync(aside, { recursive: true, force: true });
fs.mkdirSync(aside);
fs.copyFileSync(path.join(root, "package.json"), path.join(aside, "package.json"));
fs.cpSync(path.join(root, "dist"), path.join(aside, "dist"), { recursive: true, filter: (src) => !src.endsWith(".map") && !src.endsWith(".tsbuildinfo") });
// The console's templates and assets ship as files of their own (package.json "files").
for (const dir of ["server/console/views", "server/console/assets"]) fs.cpSync(path.join(root, dir), path.join(aside, dir), { recursive: true });
for (let i = 0; ; i++) {
  fs.rmSync(target, { recursive: true, force: true });
  try {
    fs.renameSync(aside, target);
    break;
  } catch (e) {
    if (i >= 20 || (e.code !== "ENOTEMPTY" && e.code !== "EEXIST")) throw e;
  }
}

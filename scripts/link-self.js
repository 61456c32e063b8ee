// Installs this checkout's build into node_modules/pulumi-writer, as a user's `npm install`
// would, so the examples, the tests' Pulumi programs and the dynamic-provider process (whose
// working directory is the program's) resolve `pulumi-writer` exactly as for a user. A copy, not
// a symlink: Node resolves symlinks to their target, and Pulumi serializes modules outside
// node_modules by value, which is what a real install never does.
const fs = require("fs");
const path = require("path");
const root = path.resolve(__dirname, "..");
const target = path.join(root, "node_modules", "pulumi-writer");
if (!fs.existsSync(path.join(root, "node_modules")) || !fs.existsSync(path.join(root, "dist"))) process.exit(0);
fs.rmSync(target, { recursive: true, force: true });
fs.mkdirSync(target);
fs.copyFileSync(path.join(root, "package.json"), path.join(target, "package.json"));
fs.cpSync(path.join(root, "dist"), path.join(target, "dist"), { recursive: true, filter: (src) => !src.endsWith(".map") });

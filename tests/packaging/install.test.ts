// The package the way users get it: `npm pack`, installed into a fresh project with npm, then
// the installed bin (writer-local), the installed engine script and a TypeScript program that
// runs `pulumi up`/`destroy` through the real engine with the installed package.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, PASSPHRASE } from "../helpers/pulumi";

jest.setTimeout(900_000);

const work = (() => {
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  return mkdtempSync(join(ROOT, ".tmp", "packaging-"));
})();
const app = join(work, "app");
let server: ChildProcess | undefined;
afterAll(() => server?.kill("SIGTERM"));

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd = app) =>
  execFileSync(cmd, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });

test("npm pack -> npm install in a fresh project -> writer-local, ensure-pulumi and pulumi up/destroy", async () => {
  run("npm", ["pack", "--pack-destination", work], process.env, ROOT);
  const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"))!;
  expect(tgz).toMatch(/^pulumi-writer-\d+\.\d+\.\d+\.tgz$/);

  mkdirSync(app);
  const pkg = {
    name: "fresh-app", private: true, main: "index.ts",
    dependencies: { "pulumi-writer": `file:../${tgz}`, "@pulumi/pulumi": "3.248.0", typescript: "5.9.3", "ts-node": "10.9.2" },
  };
  writeFileSync(join(app, "package.json"), JSON.stringify(pkg, null, 2));
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"]);

  // The installed bin starts writer-local.
  const dataDir = join(work, "data");
  server = spawn(join(app, "node_modules", ".bin", "writer-local"), ["serve", "--port", "0", "--data-dir", dataDir], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise<string>((ok, fail) => {
    let out = "";
    server!.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    server!.stderr!.on("data", (d) => (out += d));
    server!.on("exit", (c) => fail(new Error(`writer-local exited ${c}: ${out}`)));
  });
  const token = run(join(app, "node_modules", ".bin", "writer-local"), ["token", "--data-dir", dataDir]).trim();
  expect(token).toMatch(/^writer_admin_/);

  // The installed engine script finds (or builds) the engine; PULUMI_WRITER_TOOLS shares the repo's build.
  const bin = run("bash", [join(app, "node_modules", "pulumi-writer", "scripts", "ensure-pulumi")], { ...process.env, PULUMI_WRITER_TOOLS: join(ROOT, ".tools") })
    .trim().split("\n").pop()!;
  expect(readdirSync(bin)).toEqual(expect.arrayContaining(["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]));

  writeFileSync(join(app, "Pulumi.yaml"), "name: fresh-app\nruntime: nodejs\n");
  writeFileSync(join(app, "index.ts"), `import * as writer from "pulumi-writer";
const a = new writer.ApiAgent("agent", { capabilities: ["models"] });
const k = new writer.ApiKey("key", { agentId: a.id });
export const secret = k.secret;
`);
  const env = {
    ...process.env, PATH: `${bin}:${process.env.PATH}`, PULUMI_BACKEND_URL: `file://${work}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_HOME: join(work, ".pulumi"), PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    WRITER_BASE_URL: url, WRITER_ADMIN_TOKEN: token,
  };
  run("pulumi", ["stack", "init", "dev", "--non-interactive"], env);
  run("pulumi", ["up", "--yes", "--non-interactive", "--skip-preview"], env);
  const secret = run("pulumi", ["stack", "output", "secret", "--show-secrets", "--non-interactive"], env).trim();
  const models = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
  expect(models.status).toBe(200);

  // Serialized by reference, as from a registry: a require() of the installed subpath, a few hundred bytes.
  const state = JSON.parse(run("pulumi", ["stack", "export", "--non-interactive"], env));
  const key = state.deployment.resources.find((r: any) => r.type === "pulumi-nodejs:dynamic/writer:ApiKey");
  expect(key.inputs.__provider).toContain("pulumi-writer/dynamic/ApiKey");
  expect(key.inputs.__provider.length).toBeLessThan(1000);

  run("pulumi", ["destroy", "--yes", "--non-interactive", "--skip-preview"], env);
  expect((await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
});

// The native provider as a release ships it (README "Every Pulumi language"): the plugin archive
// from `npm run package:plugin` installed with `pulumi plugin install --file` into an empty
// PULUMI_HOME, the wheel from `npm run package:python` into a new virtualenv, and programs run
// with a PATH that holds only the engine and its language hosts: no Node.js, no checkout, no npm
// package. A Python program and a YAML program each: up (the key works), a no-op preview,
// `pulumi import` of a key made by hand, destroy.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planCounts, ProjectStack, pulumiBin, ROOT } from "../helpers/pulumi";
import { admin, useLocalServer } from "../helpers/server";

jest.setTimeout(900_000);

const server = useLocalServer();
const api = () => admin(server.url, server.adminToken);
const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
const lastLine = (s: string) => s.trim().split("\n").pop()!;

let archive = "";
let wheel = "";
let env: Record<string, string> = {};
let venv = "";

beforeAll(() => {
  archive = lastLine(execFileSync("bash", [join(ROOT, "scripts", "package-plugin")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
  wheel = lastLine(execFileSync("bash", [join(ROOT, "scripts", "package-python")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
  expect(archive).toMatch(new RegExp(`/pulumi-resource-writer-v${version.replace(/\./g, "\\.")}-linux-(amd64|arm64)\\.tar\\.gz$`));
  expect(wheel).toMatch(new RegExp(`/pulumi_writer-${version.replace(/\./g, "\\.")}-py3-none-any\\.whl$`));

  // Only the engine, its language hosts and the machine's Python (as a Python shop has them): the
  // checkout's plugin launcher and Node.js are not on PATH.
  const bin = mkdtempSync(join(tmpdir(), "release-bin-"));
  for (const f of ["pulumi", "pulumi-language-python", "pulumi-language-python-exec", "pulumi-language-yaml"]) symlinkSync(join(pulumiBin(), f), join(bin, f));
  // The interpreter itself (a pyenv shim is a bash script that needs pyenv).
  const python = execFileSync("python3", ["-c", "import os, sys; print(os.path.realpath(sys.executable))"], { encoding: "utf8" }).trim();
  symlinkSync(python, join(bin, "python3"));
  const home = mkdtempSync(join(tmpdir(), "release-home-"));
  env = { PATH: bin, PULUMI_HOME: home, HOME: home, PULUMI_IGNORE_AMBIENT_PLUGINS: "true" };
  execFileSync(join(bin, "pulumi"), ["plugin", "install", "resource", "writer", version, "--file", archive], { env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" }, stdio: "pipe" });
  expect(readdirSync(join(home, "plugins"))).toContain(`resource-writer-v${version}`);

  // A new virtualenv: the pinned pulumi, then the wheel (which brings its own dependencies).
  venv = join(mkdtempSync(join(tmpdir(), "release-venv-")), "venv");
  execFileSync("python3", ["-m", "venv", venv], { stdio: "pipe" });
  const pip = (...a: string[]) => execFileSync(join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", ...a], { stdio: "pipe", timeout: 600_000 });
  pip("-r", join(ROOT, "scripts", "pulumi-engine", "python-host", "requirements.txt"));
  pip(wheel);
  const plugin = JSON.parse(execFileSync(join(venv, "bin", "python"), ["-c", "import importlib.resources as r; print(r.files('pulumi_writer').joinpath('pulumi-plugin.json').read_text())"], { encoding: "utf8" }));
  expect(plugin).toEqual({ resource: true, name: "writer", version, server: expect.stringContaining("${VERSION}") });
}, 900_000);

/** A key made by hand (admin API), for `pulumi import`. */
async function handMadeKey(): Promise<{ agent: string; key: string }> {
  const a = await api().post("/v1/admin/agents", { name: `hand-made-${Math.random()}`, capabilities: ["models"] });
  const k = await api().post(`/v1/admin/agents/${a.body.id}/keys`, { name: "by-hand" });
  return { agent: a.body.id, key: k.body.id };
}

async function lifecycle(p: ProjectStack, importFlags: string[] = [], afterUp: (out: Record<string, any>) => Promise<void> = async () => {}) {
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  await p.up();
  const out = await p.outputs(true);
  expect(out.secret).toMatch(/^writer_sk_/);
  expect((await admin(server.url, out.secret).get("/v1/models")).status).toBe(200);
  await afterUp(out);
  const agentId = out.agentId as string;
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});
  const hand = await handMadeKey();
  await p.run(["import", "writer:index:ApiKey", "imported", `${hand.agent}/${hand.key}`, "--yes", "--protect=false", ...importFlags]);
  const imported = (await p.exportState()).json.deployment.resources.find((r: any) => r.urn.endsWith("::imported"));
  expect(imported.id).toBe(`${hand.agent}/${hand.key}`);
  // The plugin that served it is the installed archive's: no other is reachable.
  expect(imported.provider ?? "").toMatch(/writer/);
  await p.destroy();
  expect((await api().get(`/v1/admin/agents/${agentId}`)).status).toBe(404);
  return out;
}

test("Python: the wheel's SDK with the archive's plugin: up, no-op preview, import, destroy", async () => {
  // The virtualenv activated, as `source venv/bin/activate` does: its bin first on PATH.
  const p = new ProjectStack("release-python", readFileSync(join(ROOT, "examples", "python", "__main__.py"), "utf8"), { ...env, PATH: `${join(venv, "bin")}:${env.PATH}`, VIRTUAL_ENV: venv }, "python");
  // The import itself lands either way; generating its Python code fails after the state is
  // written ("package block label is deprecated, and 1 other diagnostic"): the Python host here is
  // built from sdk/v3 v3.79.0 (the newest that has it, README), older than the engine's PCL.
  // YAML's code generation works, and is checked below.
  await lifecycle(p, ["--generate-code=false"]);
});

test("YAML: the archive's plugin alone: up (a resource, the AccessPolicy component, getUsage), no-op preview, import, destroy", async () => {
  // The component and the invoke too: Construct runs the bundled @pulumi/pulumi runtime inside the
  // single executable, which the repository build never exercises.
  const p = ProjectStack.yaml("release-yaml", `
variables:
  usage:
    fn::invoke:
      function: writer:index:getUsage
      arguments: { agentId: "\${agent.id}" }
resources:
  agent:
    type: writer:index:ApiAgent
    properties:
      name: release-yaml
      capabilities: [models]
  env:
    type: writer:index:AccessPolicy
    properties:
      namePrefix: "[release] "
      spec:
        agents:
          bot: { name: Bot, capabilities: [models], revokeDefaultKey: true, keys: { ci: { allTeams: true } } }
outputs:
  agentId: \${agent.id}
  secret: \${agent.defaultKeySecret}
  policyKey: \${env.keys["bot/ci"]}
  requests: \${usage.totals.requests}
`, env);
  await lifecycle(p, [], async (out) => {
    expect((await admin(server.url, out.policyKey).get("/v1/models")).status).toBe(200);
    expect(out.requests).toBe(0);
  });
});

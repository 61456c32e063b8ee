// The native provider (pulumi-resource-writer, put beside the engine by scripts/ensure-pulumi)
// through the real engine against writer-local: a Pulumi YAML program's whole lifecycle,
// `pulumi import` of objects made by hand, invokes at preview, and a Python program with the
// generated SDK (sdk/python).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { admin, useLocalServer } from "../helpers/server";
import { planCounts, ProjectStack, ROOT } from "../helpers/pulumi";

jest.setTimeout(300_000);

const server = useLocalServer();
const api = () => admin(server.url, server.adminToken);
const plane = (secret: string) => admin(server.url, secret);

const program = (v: { agentName: string; team: string; owner: string }) => `
variables:
  team:
    fn::invoke:
      function: writer:index:getTeam
      arguments: { name: ${v.team} }
  owner:
    fn::invoke:
      function: writer:index:getUser
      arguments: { email: ${v.owner} }
resources:
  agent:
    type: writer:index:ApiAgent
    properties:
      name: ${v.agentName}
      capabilities: [chat, models]
  key:
    type: writer:index:ApiKey
    properties:
      agentId: \${agent.id}
      name: worker
      teamId: \${team.id}
      ownerId: \${owner.id}
outputs:
  agentId: \${agent.id}
  keyId: \${key.id}
  secret: \${key.secret}
`;

async function yamlStack(name: string, body: string) {
  const p = ProjectStack.yaml(name, body);
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  return p;
}

test("YAML: up, no-op preview, in-place update, replacement that creates first, out-of-band revoke + refresh + up, destroy; no plaintext secret in state", async () => {
  const p = await yamlStack("native-yaml", program({ agentName: "YAML agent", team: "Support", owner: "lead@example.com" }));
  await p.up();
  const first = await p.outputs(true);
  expect(first.keyId).toMatch(/^[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  expect((await plane(first.secret).get("/v1/models")).status).toBe(200);
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});

  // The state holds only ciphertext for the secret, and no admin token.
  const exported = await p.exportState(false);
  expect(exported.raw).not.toContain(first.secret);
  expect(exported.raw).not.toContain(server.adminToken);
  const key = (await p.resources("writer:index:ApiKey"))[0];
  expect(key.outputs.secret).toHaveProperty("ciphertext");

  // In place: the preview names the property; ids stay.
  p.setProgram(program({ agentName: "YAML agent renamed", team: "Support", owner: "lead@example.com" }));
  const rename = await p.preview();
  expect(rename.stdout).toMatch(/~ name\s*: "YAML agent" => "YAML agent renamed"/);
  expect(planCounts(rename.stdout)).toEqual({ update: 1 });
  await p.up();
  const renamed = await p.outputs(true);
  expect([renamed.agentId, renamed.keyId]).toEqual([first.agentId, first.keyId]);
  expect((await api().get(`/v1/admin/agents/${first.agentId}`)).body.name).toBe("YAML agent renamed");

  // Another team replaces the key: created before the old one is revoked.
  p.setProgram(program({ agentName: "YAML agent renamed", team: "Sales", owner: "admin@example.com" }));
  const plan = await p.preview();
  expect(plan.stdout).toMatch(/\+-writer:index:ApiKey: \(replace\)/);
  expect(planCounts(plan.stdout)).toEqual({ replace: 1 });
  const up = await p.up();
  const created = up.stdout.search(/writer:index:ApiKey key created replacement/);
  const deleted = up.stdout.search(/writer:index:ApiKey key deleted original/);
  expect(created).toBeGreaterThan(-1);
  expect(deleted).toBeGreaterThan(created);
  const replaced = await p.outputs(true);
  expect(replaced.keyId).not.toBe(first.keyId);
  expect((await plane(first.secret).get("/v1/models")).status).toBe(401);
  expect((await plane(replaced.secret).get("/v1/models")).status).toBe(200);

  // Revoked by hand: refresh drops it, up makes a new one.
  const [agentId, keyId] = replaced.keyId.split("/");
  expect((await api().del(`/v1/admin/agents/${agentId}/keys/${keyId}`)).status).toBe(204);
  await p.refresh();
  expect(planCounts((await p.preview()).stdout)).toEqual({ create: 1 });
  await p.up();
  const again = await p.outputs(true);
  expect(again.keyId).not.toBe(replaced.keyId);
  expect((await plane(again.secret).get("/v1/models")).status).toBe(200);

  await p.destroy();
  expect((await api().get(`/v1/admin/agents/${first.agentId}`)).status).toBe(404);
  expect((await plane(again.secret).get("/v1/models")).status).toBe(401);
});

test("invokes run at preview: an unknown team fails it with the names that exist", async () => {
  const p = await yamlStack("native-invoke", program({ agentName: "x", team: "Enginering", owner: "lead@example.com" }));
  const r = await p.run(["preview"], { allowFail: true });
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/no team named "Enginering"; teams are: Support, Engineering, Sales/);
  expect((await api().get("/v1/admin/agents?limit=100")).body.data.map((a: any) => a.name)).not.toContain("x");
});

test("pulumi import of an agent and a key made by hand: generated code round-trips to a no-op preview; the key's secret is empty with a warning", async () => {
  const a = await api().post("/v1/admin/agents", { name: "Clicked by hand", description: "made in AI Studio", capabilities: ["chat"] });
  const k = await api().post(`/v1/admin/agents/${a.body.id}/keys`, { name: "hand key", requests_per_minute: 30 });
  const p = await yamlStack("native-import", "resources: {}\n");
  await p.up();
  const agentOut = join(p.dir, "agent.yaml");
  const keyOut = join(p.dir, "key.yaml");
  await p.run(["import", "writer:index:ApiAgent", "handAgent", a.body.id, "--yes", "--out", agentOut]);
  const keyImport = await p.run(["import", "writer:index:ApiKey", "handKey", `${a.body.id}/${k.body.id}`, "--yes", "--out", keyOut]);
  expect(keyImport.stdout + keyImport.stderr).toMatch(/imported without its secret/);
  const generated = readFileSync(agentOut, "utf8") + readFileSync(keyOut, "utf8").replace(/^resources:\n/, "");
  expect(generated).toMatch(/type: writer:ApiAgent/);
  expect(generated).toMatch(/requestsPerMinute: 30/);
  p.setProgram(generated);
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});
  const state = (await p.resources("writer:index:ApiKey", true))[0];
  expect(state.outputs.secret).toMatchObject({ plaintext: '""' });
  // Imported objects are protected by the generated code; they stay on the server.
  expect((await api().get(`/v1/admin/agents/${a.body.id}/keys/${k.body.id}`)).status).toBe(200);
});

test("Python: the generated SDK (sdk/python) runs up and destroy through the Python language host", async () => {
  const python = execFileSync("bash", [join(ROOT, "scripts", "ensure-python-venv")], { encoding: "utf8" }).trim().split("\n").pop()!;
  const p = new ProjectStack("native-python", readFileSync(join(ROOT, "examples", "python", "__main__.py"), "utf8"), { PULUMI_PYTHON_CMD: python }, "python");
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  await p.up();
  const out = await p.outputs(true);
  expect(out.capabilities).toEqual(["chat", "models"]);
  expect((await plane(out.secret).post("/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
  const [agentId, keyId] = out.keyId.split("/");
  expect((await api().get(`/v1/admin/agents/${agentId}/keys/${keyId}`)).body).toMatchObject({ scope: "team", requests_per_minute: 60 });
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});
  await p.destroy();
  expect((await api().get(`/v1/admin/agents/${agentId}`)).status).toBe(404);
});

test("sdk/python is what gensdk generates from schema.json (run `npm run schema` to regenerate)", () => {
  const { mkdtempSync, readdirSync, statSync } = require("node:fs") as typeof import("node:fs");
  const out = mkdtempSync(join(ROOT, ".tmp", "pysdk-"));
  execFileSync("bash", [join(ROOT, "scripts", "gen-python-sdk"), out], { encoding: "utf8" });
  const files = (dir: string, base = ""): string[] =>
    readdirSync(join(dir, base)).flatMap((f) => (statSync(join(dir, base, f)).isDirectory() ? files(dir, join(base, f)) : [join(base, f)])).sort();
  const committed = files(join(ROOT, "sdk", "python")).filter((f) => !f.includes("__pycache__") && !f.includes(".egg-info") && !f.startsWith("build"));
  expect(files(out)).toEqual(committed);
  for (const f of committed) expect([f, readFileSync(join(out, f), "utf8")]).toEqual([f, readFileSync(join(ROOT, "sdk", "python", f), "utf8")]);
});

const PLANTED = "planted-secret-Qx7mZ2vL9wR4";

test("secret inputs stay secret: a --secret config value in rotationTriggers and description is ciphertext only in the state (YAML, Python)", async () => {
  const yaml = await yamlStack("native-secret-inputs", `
config:
  trigger: { type: string, secret: true }
resources:
  agent:
    type: writer:index:ApiAgent
    properties:
      name: secret-inputs
      description: \${trigger}
      capabilities: [models]
  key:
    type: writer:index:ApiKey
    properties:
      agentId: \${agent.id}
      name: k
      rotationTriggers:
        reason: \${trigger}
outputs:
  secret: \${key.secret}
`);
  await yaml.run(["config", "set", "--secret", "trigger", PLANTED]);
  await yaml.up();
  const after = await yaml.exportState();
  expect(after.raw).not.toContain(PLANTED);
  const key = after.json.deployment.resources.find((r: any) => r.type === "writer:index:ApiKey");
  const agent = after.json.deployment.resources.find((r: any) => r.type === "writer:index:ApiAgent");
  expect(key.inputs.rotationTriggers).toHaveProperty("ciphertext");
  expect(key.outputs.rotationTriggers).toHaveProperty("ciphertext");
  expect(agent.inputs.description).toHaveProperty("ciphertext");
  expect(agent.outputs.description).toHaveProperty("ciphertext");
  // A refresh and a changed secret input (an in-place rotation) keep it so.
  await yaml.refresh();
  await yaml.run(["config", "set", "--secret", "trigger", PLANTED + "-2"]);
  await yaml.up();
  expect((await yaml.exportState()).raw).not.toContain(PLANTED);
  await yaml.destroy();

  const python = execFileSync("bash", [join(ROOT, "scripts", "ensure-python-venv")], { encoding: "utf8" }).trim().split("\n").pop()!;
  const py = new ProjectStack("native-secret-python", `
import pulumi
import pulumi_writer as writer
trigger = pulumi.Config().require_secret("trigger")
agent = writer.ApiAgent("agent", name="secret-inputs-py", description=trigger, capabilities=[writer.Capability.MODELS])
key = writer.ApiKey("key", agent_id=agent.id, name="k", rotation_triggers=trigger.apply(lambda t: {"reason": t}))
pulumi.export("secret", key.secret)
`, { PULUMI_PYTHON_CMD: python }, "python");
  await py.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken, trigger: PLANTED });
  await py.up();
  expect((await py.exportState()).raw).not.toContain(PLANTED);
  await py.destroy();
});

// Who changed what, through the real engine (README "Audit log"): `pulumi up` of a TypeScript
// program (dynamic providers) and of a YAML program (the native provider) leaves audit entries
// that carry the project, the stack, the resource's URN as in the state and the operation, and
// the objects record the stack that manages them. An AdminToken declared in code works at once
// with its role, and is revoked on destroy.
import { admin, useLocalServer } from "../helpers/server";
import { ProjectStack } from "../helpers/pulumi";

jest.setTimeout(300_000);

const server = useLocalServer();
const api = () => admin(server.url, server.adminToken);

async function urns(p: ProjectStack): Promise<Record<string, string>> {
  const state = await p.exportState(false);
  const resources = state.json.deployment.resources as { urn: string }[];
  return Object.fromEntries(resources.map((r) => [r.urn.split("::").pop()!, r.urn]));
}

const entriesFor = async (id: string) => (await api().get(`/v1/admin/audit?object_id=${id}&limit=100`)).body.data as any[];

test("TypeScript program: create and update entries carry project, stack, URN and operation; managed_by names the stack; an AdminToken works and is revoked on destroy", async () => {
  const program = (description: string) => `import * as writer from "pulumi-writer";
const agent = new writer.ApiAgent("audited-bot", { description: ${JSON.stringify(description)}, capabilities: ["models"] });
const ci = new writer.AdminToken("ci-viewer", { role: "viewer" });
export const agentId = agent.id;
export const tokenId = ci.id;
export const token = ci.secret;
`;
  const p = new ProjectStack("audited", program("first"));
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  await p.up();
  const out = await p.outputs(true);
  const urn = (await urns(p))["audited-bot"];
  expect(urn).toMatch(/^urn:pulumi:test::audited::pulumi-nodejs:dynamic\/writer:ApiAgent::audited-bot$/);

  const created = (await entriesFor(out.agentId)).find((e) => e.action === "agent.create");
  expect(created).toMatchObject({ source: "api", outcome: "ok", actor: { name: "bootstrap", role: "org_admin" }, pulumi: { project: "audited", stack: "test", urn, operation: "create" } });
  expect((await api().get(`/v1/admin/agents/${out.agentId}`)).body.managed_by).toEqual({ project: "audited", stack: "test", urn });

  // The declared token: a viewer, at once; it cannot write.
  const viewer = admin(server.url, out.token);
  expect((await viewer.get("/v1/admin/agents")).status).toBe(200);
  expect((await viewer.post("/v1/admin/agents", { name: "nope" })).status).toBe(403);
  expect((await api().get(`/v1/admin/tokens/${out.tokenId}`)).body).toMatchObject({ name: "ci-viewer", role: "viewer" });
  expect((await p.exportState(false)).raw).not.toContain(out.token);

  p.setProgram(program("second"));
  await p.up();
  const updated = (await entriesFor(out.agentId)).find((e) => e.action === "agent.update");
  expect(updated).toMatchObject({ changes: { description: ["first", "second"] }, pulumi: { stack: "test", urn, operation: "update" } });

  await p.destroy();
  expect((await viewer.get("/v1/admin/agents")).status).toBe(401);
  const deleted = (await entriesFor(out.agentId)).find((e) => e.action === "agent.delete");
  expect(deleted.pulumi).toMatchObject({ urn, operation: "delete" });
});

test("YAML program (native provider): the entry's URN is the engine's own", async () => {
  const p = ProjectStack.yaml("audited-yaml", `
resources:
  agent:
    type: writer:index:ApiAgent
    properties:
      name: yaml-audited
      capabilities: [models]
outputs:
  agentId: \${agent.id}
`);
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  await p.up();
  const out = await p.outputs(true);
  const urn = (await urns(p)).agent;
  expect(urn).toBe("urn:pulumi:test::audited-yaml::writer:index:ApiAgent::agent");
  const created = (await entriesFor(out.agentId)).find((e) => e.action === "agent.create");
  expect(created.pulumi).toEqual({ project: "audited-yaml", stack: "test", urn, operation: "create" });
  await p.destroy();
});

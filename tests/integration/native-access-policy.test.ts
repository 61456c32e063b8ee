// AccessPolicy as a component of the native provider (writer:index:AccessPolicy, served by
// Construct from the same code as the TypeScript class): a YAML program declares an environment
// from a spec; a one-line change previews as exactly one create; ids renamed with renamedFrom
// replace nothing; a bad spec fails the preview naming every path; destroy leaves nothing.
import { admin, useLocalServer } from "../helpers/server";
import { planCounts, ProjectStack } from "../helpers/pulumi";

jest.setTimeout(300_000);

const server = useLocalServer();
const api = () => admin(server.url, server.adminToken);

const program = (spec: string) => `
resources:
  env:
    type: writer:index:AccessPolicy
    properties:
      namePrefix: "[yaml] "
      spec:
${spec.replace(/^/gm, "        ")}
outputs:
  agentIds: \${env.agentIds}
  keyIds: \${env.keyIds}
  keys: \${env.keys}
  masked: \${env.maskedKeys}
`;

const spec = (v: { agent: string; from?: string; extraKey?: boolean }) => `agents:
  ${v.agent}:
    name: Helpdesk${v.from ? `\n    renamedFrom: [${v.from}]` : ""}
    capabilities: [chat, models]
    revokeDefaultKey: true
    keys:
      prod: { team: Support, owner: lead@example.com, requestsPerMinute: 60 }${v.extraKey ? "\n      ci: { allTeams: true }" : ""}`;

test("YAML: an environment from a spec; one more key is one create; a renamed id replaces nothing; destroy", async () => {
  const p = ProjectStack.yaml("native-policy", program(spec({ agent: "helpdesk" })));
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  await p.up();
  const o1 = await p.outputs(true);
  const agentId = o1.agentIds.helpdesk;
  expect((await api().get(`/v1/admin/agents/${agentId}`)).body).toMatchObject({ name: "[yaml] Helpdesk", capabilities: ["chat", "models"], key_count: 1 });
  const teams = Object.fromEntries(((await api().get("/v1/admin/teams")).body.data as any[]).map((t) => [t.name, t.id]));
  const [agent, key] = String(o1.keyIds["helpdesk/prod"]).includes("/") ? String(o1.keyIds["helpdesk/prod"]).split("/") : [agentId, o1.keyIds["helpdesk/prod"]];
  expect((await api().get(`/v1/admin/agents/${agent}/keys/${key}`)).body).toMatchObject({ scope: "team", team_id: teams.Support, requests_per_minute: 60 });
  expect((await admin(server.url, o1.keys["helpdesk/prod"]).get("/v1/models")).status).toBe(200);
  expect(o1.masked["helpdesk/prod"]).toMatch(/^writer_sk_…/);
  const plain = await p.exportState(false);
  expect(plain.raw).not.toContain(o1.keys["helpdesk/prod"]);
  // The children are the provider's own resources, under the component.
  const types = plain.json.deployment.resources.map((r: any) => r.type);
  expect(types).toEqual(expect.arrayContaining(["writer:index:AccessPolicy", "writer:index:ApiAgent", "writer:index:ApiKey"]));
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});

  p.setProgram(program(spec({ agent: "helpdesk", extraKey: true })));
  expect(planCounts((await p.preview()).stdout)).toEqual({ create: 1 });
  await p.up();

  p.setProgram(program(spec({ agent: "support", from: "helpdesk", extraKey: true })));
  expect(planCounts((await p.preview()).stdout)).toEqual({});
  await p.up();
  const o2 = await p.outputs(true);
  expect(o2.agentIds).toEqual({ support: agentId });
  expect(o2.keys["support/prod"]).toBe(o1.keys["helpdesk/prod"]);

  await p.destroy();
  expect((await api().get(`/v1/admin/agents/${agentId}`)).status).toBe(404);
});

test("YAML: a bad spec fails the preview naming each problem's path; nothing is created", async () => {
  const before = (await api().get("/v1/admin/agents?limit=100")).body.data.length;
  const p = ProjectStack.yaml("native-policy-bad", program(`agents:
  broken:
    capabilities: [chat, teleport]
    keys:
      prod: { team: Support }`));
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  const r = await p.run(["preview"], { allowFail: true });
  expect(r.code).not.toBe(0);
  const text = r.stdout + r.stderr;
  expect(text).toContain('agents.broken.capabilities.1: unknown capability "teleport"');
  expect(text).toContain("agents.broken.keys.prod.owner");
  expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
  expect((await api().get("/v1/admin/agents?limit=100")).body.data.length).toBe(before);
});

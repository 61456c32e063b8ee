// AccessPolicy (declarative Writer access spec) through the real Pulumi engine against the real
// writer-local process: the examples/environments program on dev/staging/prod stacks, renames
// in place, and spec errors at preview, before any API call.
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { admin, useLocalServer } from "../helpers/server";
import { planCounts, ProjectStack, ROOT } from "../helpers/pulumi";

jest.setTimeout(300_000);

const server = useLocalServer();

const api = () => admin(server.url, server.adminToken);
const plane = (secret: string) => admin(server.url, secret);
const EXAMPLE = join(ROOT, "examples", "environments");

/** A copy of examples/environments under .tmp/ (the example's own files, untouched). */
function exampleProject(name: string): ProjectStack {
  const p = new ProjectStack(name, "");
  for (const f of readdirSync(EXAMPLE)) if (statSync(join(EXAMPLE, f)).isFile()) copyFileSync(join(EXAMPLE, f), join(p.dir, f));
  return p;
}

async function agentsNamed(prefix: string): Promise<any[]> {
  const r = await api().get(`/v1/admin/agents?limit=100`);
  return r.body.data.filter((a: any) => a.name.startsWith(prefix));
}
async function liveKeys(agentId: string): Promise<any[]> {
  const r = await api().get(`/v1/admin/agents/${agentId}/keys?limit=100`);
  return r.status === 200 ? r.body.data : [];
}
const chat = (secret: string, team?: string) =>
  plane(secret).post("/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hi" }] }, team ? { "x-writer-team-id": team } : {});

test("examples/environments: dev, staging and prod stacks of one program differ only in config; keys are one secret map by agent/key", async () => {
  const p = exampleProject("envs");
  const teams = Object.fromEntries(((await api().get("/v1/admin/teams")).body.data as any[]).map((t) => [t.name, t.id]));
  const outs: Record<string, any> = {};
  for (const stack of ["dev", "staging", "prod"]) {
    await p.init(stack, { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
    await p.up(["--stack", stack]);
    outs[stack] = await p.run(["stack", "output", "--json", "--show-secrets", "--stack", stack]).then((r) => JSON.parse(r.stdout));
  }
  expect(Object.keys(outs.dev.keys).sort()).toEqual(["research/ci", "support/eng"]);
  expect(Object.keys(outs.staging.keys).sort()).toEqual(["support/eng", "support/support"]);
  expect(Object.keys(outs.prod.keys).sort()).toEqual(["sales/partner-pilot", "sales/sales", "support/support"]);

  // On the server: stack-derived display names, the spec's capabilities, only the spec's keys
  // (the default "Production" key revoked), team scopes and owners resolved from names and emails.
  const [prodSupport] = await agentsNamed("[prod] Support bot");
  expect(prodSupport).toMatchObject({ id: outs.prod.agentIds.support, capabilities: ["chat", "knowledge_graph"], key_count: 1 });
  const [prodKey] = await liveKeys(prodSupport.id);
  expect(prodKey).toMatchObject({ id: outs.prod.keyIds["support/support"], name: "support", scope: "team", team_id: teams.Support, status: "active" });
  const pilot = (await liveKeys(outs.prod.agentIds.sales)).find((k) => k.name === "partner-pilot");
  expect(Date.parse(pilot.expires_at)).toBe(Date.parse("2030-01-31T00:00:00Z"));
  expect(await agentsNamed("[dev] ")).toHaveLength(2);
  expect(await agentsNamed("[staging] ")).toHaveLength(1);

  // The secrets work as the spec says: the prod support key for the Support team only.
  expect((await chat(outs.prod.keys["support/support"], teams.Support)).status).toBe(200);
  expect((await chat(outs.prod.keys["support/support"], teams.Sales)).status).toBe(403);
  expect((await chat(outs.dev.keys["research/ci"])).status).toBe(200);

  // The map is one secret: masked in outputs and nowhere in the plain state.
  const masked = JSON.parse((await p.run(["stack", "output", "--json", "--stack", "prod"])).stdout);
  expect(masked.keys).toBe("[secret]");
  expect(masked.maskedKeys["support/support"]).toMatch(/^writer_sk_…/);
  const state = (await p.run(["stack", "export", "--stack", "prod"])).stdout;
  for (const s of Object.values(outs.prod.keys) as string[]) expect(state).not.toContain(s);

  expect(planCounts((await p.preview(["--stack", "prod", "--expect-no-changes"])).stdout)).toEqual({});
  for (const stack of ["dev", "staging", "prod"]) await p.destroy(["--stack", stack]);
  expect(await agentsNamed("[dev] ")).toEqual([]);
  expect(await agentsNamed("[prod] ")).toEqual([]);
});

test("renames: display names update in place; ids renamed with renamedFrom keep the same agent and key; spec from a YAML file", async () => {
  const spec = (v: { agentId: string; agentFrom?: string; agentName: string; keyId: string; keyFrom?: string; keyName: string }) => `
agents:
  ${v.agentId}:
    name: ${v.agentName}${v.agentFrom ? `\n    renamedFrom: ${v.agentFrom}` : ""}
    capabilities: [chat]
    keys:
      ${v.keyId}: { name: ${v.keyName}, team: Support, owner: lead@example.com${v.keyFrom ? `, renamedFrom: ${v.keyFrom}` : ""} }
      ci: { allTeams: true, enabled: false }
`;
  const p = new ProjectStack(
    "renames",
    `import * as writer from "pulumi-writer";
const access = writer.AccessPolicy.fromFile("team", "access.yaml");
export const agentIds = access.agentIds; export const keyIds = access.keyIds; export const keys = access.keys;
`,
  );
  writeFileSync(join(p.dir, "access.yaml"), spec({ agentId: "helpdesk", agentName: "Helpdesk", keyId: "prod", keyName: "prod" }));
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  await p.up();
  const o1 = await p.outputs(true);
  expect((await liveKeys(o1.agentIds.helpdesk)).find((k) => k.name === "ci")).toMatchObject({ status: "disabled", scope: "all_teams" });

  // Display names only: two in-place updates, nothing created or deleted.
  writeFileSync(join(p.dir, "access.yaml"), spec({ agentId: "helpdesk", agentName: "Support desk", keyId: "prod", keyName: "support-prod" }));
  expect(planCounts((await p.preview()).stdout)).toEqual({ update: 2 });
  await p.up();

  // The ids themselves (the map keys), with renamedFrom: the same objects, no step at all.
  writeFileSync(join(p.dir, "access.yaml"), spec({ agentId: "support", agentFrom: "helpdesk", agentName: "Support desk", keyId: "primary", keyFrom: "prod", keyName: "support-prod" }));
  expect(planCounts((await p.preview()).stdout)).toEqual({});
  await p.up();
  const o2 = await p.outputs(true);
  expect(o2.agentIds).toEqual({ support: o1.agentIds.helpdesk });
  expect(o2.keyIds["support/primary"]).toBe(o1.keyIds["helpdesk/prod"]);
  expect(o2.keys["support/primary"]).toBe(o1.keys["helpdesk/prod"]);
  expect((await api().get(`/v1/admin/agents/${o1.agentIds.helpdesk}`)).body.name).toBe("Support desk");
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});
  await p.destroy();
});

test("spec errors fail the preview with every path named, before any API call that changes anything", async () => {
  const p = new ProjectStack(
    "spec-errors",
    `import * as writer from "pulumi-writer";
const access = writer.AccessPolicy.fromConfig("access");
export const keyIds = access.keyIds;
`,
  );
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  const setSpec = (yaml: string) => {
    const file = join(p.dir, "Pulumi.test.yaml");
    const kept = readFileSync(file, "utf8").replace(/\n  writer:access:[\s\S]*?(?=\n  writer:|\nencryptionsalt|$)/, "");
    writeFileSync(file, kept.replace("config:\n", `config:\n  writer:access:\n${yaml.replace(/^/gm, "    ")}\n`));
  };
  const before = (await api().get("/v1/admin/agents?limit=100")).body.data.length;

  // 1. The spec itself (zod), checked synchronously in the component constructor.
  setSpec(`agents:
  support:
    capabilities: [chat, telepathy]
    keys:
      prod: { team: Support, owner: lead@example, gracePeriod: 2w }
      ci: { allTeams: true, owners: x }`);
  const bad = await p.run(["preview"], { allowFail: true });
  expect(bad.code).not.toBe(0);
  const text = bad.stdout + bad.stderr;
  expect(text).toContain("invalid Writer access spec (stack config writer:access): 4 problems");
  expect(text).toContain('agents.support.capabilities.1: unknown capability "telepathy": use one of chat,');
  expect(text).toContain("agents.support.keys.ci.owners: unknown field: remove it (allowed: name, team, allTeams, owner,");
  expect(text).toContain("agents.support.keys.prod.owner: must be an email address");
  expect(text).toContain('agents.support.keys.prod.gracePeriod: "2w" is not a duration');
  expect(text).not.toMatch(/at .*\.ts:\d+/); // a message for the user, not a stack trace

  // 2. Names and emails, resolved through the lookups at preview.
  setSpec(`agents:
  support:
    keys:
      prod: { team: Suport, owner: lead@example.com }
      eng: { team: Engineering, owner: lead@example.com }
      ops: { allTeams: true, owner: nobody@example.com }`);
  const unresolved = await p.run(["preview"], { allowFail: true });
  expect(unresolved.code).not.toBe(0);
  expect(unresolved.stdout).toContain("invalid Writer access spec (stack config writer:access): 3 problems");
  expect(unresolved.stdout).toContain('agents.support.keys.eng.owner: lead@example.com is not a member of team "Engineering"');
  expect(unresolved.stdout).toContain("agents.support.keys.ops.owner: no user with email nobody@example.com");
  expect(unresolved.stdout).toContain('agents.support.keys.prod.team: no team named "Suport"; teams are: Support, Engineering, Sales');

  // 3. `up` fails the same way and creates nothing.
  const up = await p.run(["up", "--yes"], { allowFail: true });
  expect(up.code).not.toBe(0);
  expect(up.stdout).toContain('agents.support.keys.prod.team: no team named "Suport"');
  expect((await api().get("/v1/admin/agents?limit=100")).body.data.length).toBe(before);
});

// ApiAgent, ApiKey, AgentCapability through the real Pulumi engine (CLI, `runtime: nodejs`)
// against the real writer-local process on loopback, checked on the admin API and the data plane.
import { admin, useLocalServer } from "../helpers/server";
import { planCounts, ProjectStack } from "../helpers/pulumi";

jest.setTimeout(300_000);

const server = useLocalServer();

const HEADER = `import * as pulumi from "@pulumi/pulumi";\nimport * as writer from "pulumi-writer";\n`;
const api = () => admin(server.url, server.adminToken);
const plane = (secret: string) => admin(server.url, secret);

async function stack(name: string, body: string) {
  const p = new ProjectStack(name, HEADER + body);
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  return p;
}

/** A value from `stack export --show-secrets`: secrets come as {<sig>, plaintext: JSON}. */
function plain(v: any): any {
  return v && typeof v === "object" && "plaintext" in v ? JSON.parse(v.plaintext) : v;
}

async function liveKeys(agentId: string): Promise<any[]> {
  const r = await api().get(`/v1/admin/agents/${agentId}/keys?limit=100`);
  return r.status === 200 ? r.body.data : [];
}

test("quickstart: agent + team key via lookups; secret stays secret; data plane obeys capabilities; no-op preview; destroy leaves nothing", async () => {
  const p = await stack("quick", `
const support = new writer.ApiAgent("support-bot", { description: "Support assistant", capabilities: ["chat", "knowledge_graph"] });
const team = writer.getTeamOutput({ name: "Support" });
const key = new writer.ApiKey("support-prod", { agentId: support.id, name: "support-prod", teamId: team.id, ownerId: writer.getUserOutput({ email: "lead@example.com" }).id });
export const agentId = support.id;
export const teamId = team.id;
export const keyId = key.id;
export const scope = key.scope;
export const supportKey = key.secret;
export const caps = support.capabilities;
`);
  await p.up();
  const out = await p.outputs(true);
  expect(out.scope).toBe("team");
  expect(out.caps).toEqual(["chat", "knowledge_graph"]);
  expect(out.supportKey).toMatch(/^writer_sk_/);

  // On the server: the agent, its Production key and ours, team-scoped with the owner.
  const agent = await api().get(`/v1/admin/agents/${out.agentId}`);
  expect(agent.body).toMatchObject({ name: "support-bot", description: "Support assistant", key_count: 2 });
  const key = await api().get(`/v1/admin/agents/${out.agentId}/keys/${out.keyId}`);
  expect(key.body).toMatchObject({ scope: "team", team_id: out.teamId, status: "active" });

  // Secrets: masked in outputs and absent from the plain state export.
  const masked = await p.outputs(false);
  expect(masked.supportKey).toBe("[secret]");
  const plain = await p.exportState(false);
  expect(plain.raw).not.toContain(out.supportKey);
  expect(plain.raw).not.toContain(server.adminToken);

  // Data plane: chat is open, models is not; the team header must match.
  expect((await plane(out.supportKey).post("/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
  expect((await plane(out.supportKey).get("/v1/models")).status).toBe(403);

  const noop = await p.preview(["--expect-no-changes"]);
  expect(planCounts(noop.stdout)).toEqual({});

  await p.destroy();
  expect((await plane(out.supportKey).post("/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hi" }] })).status).toBe(401);
  expect((await api().get(`/v1/admin/agents/${out.agentId}`)).status).toBe(404);
});

test("in-place updates: agent name/description/capabilities, key name/enabled/expiresAt keep ids; teamId change replaces create-before-revoke", async () => {
  const prog = (v: { agent: string; caps: string; keyName: string; enabled: boolean; team: string; expires?: string }) => `
const a = new writer.ApiAgent("agent", { name: "${v.agent}", description: "desc ${v.agent}", capabilities: ${v.caps} });
const team = writer.getTeamOutput({ name: "${v.team}" });
const owner = writer.getUserOutput({ email: "admin@example.com" });
const k = new writer.ApiKey("key", { agentId: a.id, name: "${v.keyName}", teamId: team.id, ownerId: owner.id, enabled: ${v.enabled}${v.expires ? `, expiresAt: "${v.expires}"` : ""} });
export const agentId = a.id; export const keyId = k.id; export const secret = k.secret; export const status = k.status; export const expiresAt = k.expiresAt;
`;
  const p = await stack("updates", prog({ agent: "one", caps: `["models"]`, keyName: "k1", enabled: true, team: "Support" }));
  await p.up();
  const o1 = await p.outputs(true);
  expect((await plane(o1.secret).get("/v1/models")).status).toBe(200);

  p.setProgram(HEADER + prog({ agent: "two", caps: `["chat"]`, keyName: "k2", enabled: false, team: "Support", expires: "2099-01-01T00:00:00Z" }));
  const pv = await p.preview();
  expect(planCounts(pv.stdout)).toEqual({ update: 2 });
  await p.up();
  const o2 = await p.outputs(true);
  expect(o2.agentId).toBe(o1.agentId);
  expect(o2.keyId).toBe(o1.keyId);
  expect(o2.secret).toBe(o1.secret);
  expect(o2.status).toBe("disabled");
  expect(Date.parse(o2.expiresAt)).toBe(Date.parse("2099-01-01T00:00:00Z"));
  const agent = (await api().get(`/v1/admin/agents/${o1.agentId}`)).body;
  expect(agent).toMatchObject({ name: "two", description: "desc two", capabilities: ["chat"] });
  expect((await plane(o1.secret).get("/v1/models")).status).toBe(401); // disabled

  // teamId change: a new key, created before the old one is revoked.
  p.setProgram(HEADER + prog({ agent: "two", caps: `["chat", "models"]`, keyName: "k2", enabled: true, team: "Engineering" }));
  const pv2 = await p.preview();
  expect(planCounts(pv2.stdout)).toMatchObject({ replace: 1 });
  const up = await p.up();
  expect(up.stdout.indexOf("created replacement")).toBeLessThan(up.stdout.indexOf("deleted original"));
  const o3 = await p.outputs(true);
  expect(o3.keyId).not.toBe(o1.keyId);
  expect((await plane(o3.secret).get("/v1/models")).status).toBe(200);
  expect((await plane(o1.secret).get("/v1/models")).status).toBe(401);
  expect((await api().get(`/v1/admin/agents/${o1.agentId}/keys/${o1.keyId}`)).status).toBe(404);
  await p.destroy();
});

test("rotation in place: a trigger change and an elapsed rotateAfterDays regenerate the secret with a grace period", async () => {
  const prog = (trigger: string) => `
const a = new writer.ApiAgent("agent", { capabilities: ["models"] });
const k = new writer.ApiKey("key", { agentId: a.id, rotationTriggers: { release: "${trigger}" }, gracePeriodSeconds: 600 });
export const keyId = k.id; export const secret = k.secret; export const rotatedAt = k.rotatedAt; export const prevUntil = k.previousSecretExpiresAt;
`;
  const p = await stack("rotation", prog("v1"));
  await p.up();
  const o1 = await p.outputs(true);
  p.setProgram(HEADER + prog("v2"));
  const pv = await p.preview();
  expect(planCounts(pv.stdout)).toEqual({ update: 1 });
  expect(pv.stdout).toContain("rotationAnchor");
  await p.up();
  const o2 = await p.outputs(true);
  expect(o2.keyId).toBe(o1.keyId);
  expect(o2.secret).not.toBe(o1.secret);
  expect(o2.rotatedAt).not.toBe("");
  expect(Date.parse(o2.prevUntil) - Date.parse(o2.rotatedAt)).toBeGreaterThanOrEqual(599_000);
  // Both secrets work during the grace period.
  expect((await plane(o1.secret).get("/v1/models")).status).toBe(200);
  expect((await plane(o2.secret).get("/v1/models")).status).toBe(200);
  expect(planCounts((await p.preview()).stdout)).toEqual({});

  await p.destroy();
});

test("rotation cadence: once rotateAfterDays have elapsed the plan shows an in-place rotation", async () => {
  const p = await stack("cadence", `
const a = new writer.ApiAgent("agent", { capabilities: ["models"] });
const k = new writer.ApiKey("key", { agentId: a.id, rotateAfterDays: 30, gracePeriodSeconds: 0 });
export const keyId = k.id; export const secret = k.secret;
`);
  await p.up();
  const o1 = await p.outputs(true);
  expect(planCounts((await p.preview()).stdout)).toEqual({});
  // The provider's clock, seen from 29 and then 31 days on (WRITER_CLOCK_SKEW_MS).
  const day = 86_400_000;
  p.env = { ...p.env, WRITER_CLOCK_SKEW_MS: String(29 * day) };
  expect(planCounts((await p.preview()).stdout)).toEqual({});
  p.env = { ...p.env, WRITER_CLOCK_SKEW_MS: String(31 * day) };
  const pv = await p.preview();
  expect(planCounts(pv.stdout)).toEqual({ update: 1 });
  expect(pv.stdout).toContain("rotationAnchor");
  await p.up();
  const o2 = await p.outputs(true);
  expect(o2.keyId).toBe(o1.keyId);
  expect(o2.secret).not.toBe(o1.secret);
  expect((await plane(o1.secret).get("/v1/models")).status).toBe(401); // grace 0
  expect((await plane(o2.secret).get("/v1/models")).status).toBe(200);
  expect(planCounts((await p.preview()).stdout)).toEqual({});
  await p.destroy();
});

test("an expiry that passes after up shows in every plan without blocking it, and a later expiresAt revives the key in place", async () => {
  // Long enough for stack set-up and `up` on a loaded CI machine (8 s was not: the key had expired
  // before the first check); the test waits for the expiry either way.
  const soon = new Date(Date.now() + 20_000).toISOString();
  const prog = (expires: string) => `
const a = new writer.ApiAgent("agent", { capabilities: ["models"] });
const k = new writer.ApiKey("key", { agentId: a.id, name: "short-lived", expiresAt: "${expires}" });
export const keyId = k.id; export const secret = k.secret;
`;
  const p = await stack("expiry", prog(soon));
  await p.up();
  const o1 = await p.outputs(true);
  expect((await plane(o1.secret).get("/v1/models")).status).toBe(200);
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(soon) - Date.now()) + 500));
  expect((await plane(o1.secret).get("/v1/models")).status).toBe(401);
  const pv = await p.preview();
  expect(pv.code).toBe(0);
  expect(pv.stdout + pv.stderr).toContain('ApiKey "short-lived" expired at');
  expect(planCounts(pv.stdout)).toEqual({});
  // A new expiry in the past is still refused; a later one is an in-place update.
  p.setProgram(HEADER + prog("2001-01-01T00:00:00Z"));
  expect((await p.run(["preview"], { allowFail: true })).stdout).toMatch(/expiresAt: 2001-01-01T00:00:00Z is in the past/);
  p.setProgram(HEADER + prog("2099-01-01T00:00:00Z"));
  expect(planCounts((await p.preview()).stdout)).toEqual({ update: 1 });
  await p.up();
  const o2 = await p.outputs(true);
  expect(o2.keyId).toBe(o1.keyId);
  expect((await plane(o1.secret).get("/v1/models")).status).toBe(200);
  await p.destroy();
});

test("refresh: out-of-band deletes leave state and come back on up; drift is read back and corrected; the secret is carried forward", async () => {
  const p = await stack("refresh", `
const a = new writer.ApiAgent("agent", { name: "drifty", capabilities: ["models", "chat"] });
const k = new writer.ApiKey("key", { agentId: a.id, name: "kept" });
const gone = new writer.ApiKey("gone", { agentId: a.id, name: "gone" });
export const agentId = a.id; export const keyId = k.id; export const secret = k.secret; export const goneId = gone.id;
`);
  await p.up();
  const o1 = await p.outputs(true);
  await api().patch(`/v1/admin/agents/${o1.agentId}`, { name: "renamed-by-hand", capabilities: ["models"] });
  await api().patch(`/v1/admin/agents/${o1.agentId}/keys/${o1.keyId}`, { name: "hand", status: "disabled" });
  expect((await api().del(`/v1/admin/agents/${o1.agentId}/keys/${o1.goneId}`)).status).toBe(204);

  await p.refresh();
  const [agentState] = await p.resources("ApiAgent");
  expect(agentState.outputs).toMatchObject({ name: "renamed-by-hand", capabilities: ["models"] });
  const keysState = await p.resources("ApiKey", true);
  expect(keysState.map((r) => r.id)).toEqual([o1.keyId]);
  expect(keysState[0].outputs).toMatchObject({ name: "hand", status: "disabled" });
  expect(plain(keysState[0].outputs.secret)).toBe(o1.secret);

  const pv = await p.preview();
  expect(planCounts(pv.stdout)).toEqual({ create: 1, update: 2 });
  await p.up();
  const o2 = await p.outputs(true);
  expect(o2.secret).toBe(o1.secret);
  expect(o2.goneId).not.toBe(o1.goneId);
  expect((await api().get(`/v1/admin/agents/${o1.agentId}`)).body).toMatchObject({ name: "drifty", capabilities: ["chat", "models"] });
  expect((await plane(o1.secret).get("/v1/models")).status).toBe(200);
  await p.destroy();
  expect(await liveKeys(o1.agentId)).toEqual([]);
});

test("adopt: an existing agent and key are taken over; a verified secret is kept, a wrong one is refused with a warning", async () => {
  const made = await api().post("/v1/admin/agents", { name: "hand-made", capabilities: ["models"] });
  const agentId = made.body.id;
  const key = await api().post(`/v1/admin/agents/${agentId}/keys`, { name: "hand-key", scope: "all_teams" });
  const other = await api().post(`/v1/admin/agents/${agentId}/keys`, { name: "other", scope: "all_teams" });
  const p = await stack("adopt", `
const cfg = new pulumi.Config();
const a = new writer.ApiAgent("agent", { name: "adopted", capabilities: ["models", "chat"], adopt: { id: "${agentId}" } });
const good = new writer.ApiKey("good", { agentId: a.id, name: "hand-key", adopt: { id: "${key.body.id}", secret: cfg.requireSecret("goodSecret") } });
const bad = new writer.ApiKey("bad", { agentId: a.id, name: "other", adopt: { id: "${other.body.id}", secret: cfg.requireSecret("badSecret") } });
export const agentId = a.id; export const goodSecret = good.secret; export const badSecret = bad.secret; export const goodId = good.id;
`);
  await p.run(["config", "set", "--secret", "goodSecret", key.body.secret]);
  await p.run(["config", "set", "--secret", "badSecret", key.body.secret]); // the wrong key's secret
  const up = await p.up();
  expect(up.stdout + up.stderr).toMatch(/adopt\.secret not stored/);
  expect(up.stdout + up.stderr).not.toContain(key.body.secret);
  const o = await p.outputs(true);
  expect(o.agentId).toBe(agentId);
  expect(o.goodId).toBe(key.body.id);
  expect(o.goodSecret).toBe(key.body.secret);
  expect(o.badSecret).toBe("");
  expect((await api().get(`/v1/admin/agents/${agentId}`)).body).toMatchObject({ name: "adopted", capabilities: ["chat", "models"] });
  const plain = await p.exportState(false);
  expect(plain.raw).not.toContain(key.body.secret);
  await p.destroy();
  expect((await api().get(`/v1/admin/agents/${agentId}`)).status).toBe(404);
});

test("ApiAgent.get and ApiKey.get read existing objects without managing them", async () => {
  const made = (await api().post("/v1/admin/agents", { name: "looked-up", description: "made by hand", capabilities: ["chat"] })).body;
  const key = (await api().post(`/v1/admin/agents/${made.id}/keys`, { name: "hand-key", scope: "all_teams" })).body;
  const p = await stack("getters", `
const a = writer.ApiAgent.get("existing", "${made.id}");
const k = writer.ApiKey.get("existing-key", "${key.id}", { agentId: "${made.id}" });
export const name = a.name; export const caps = a.capabilities; export const keyName = k.name; export const masked = k.masked; export const secret = k.secret;
`);
  await p.up();
  const o = await p.outputs(true);
  expect(o).toMatchObject({ name: "looked-up", caps: ["chat"], keyName: "hand-key", masked: key.masked, secret: "" });
  await p.destroy();
  // Read, not managed: destroy leaves both on the server.
  expect((await api().get(`/v1/admin/agents/${made.id}`)).status).toBe(200);
  expect((await api().get(`/v1/admin/agents/${made.id}/keys/${key.id}`)).status).toBe(200);
  expect((await plane(key.secret).post("/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
});

test("AgentCapability owns single capabilities of an agent without a capabilities list; revokeDefaultKey revokes Production", async () => {
  const prog = (caps: string[]) => `
const a = new writer.ApiAgent("agent", { revokeDefaultKey: true });
${caps.map((c) => `new writer.AgentCapability("cap-${c}", { agentId: a.id, capability: "${c}" });`).join("\n")}
const k = new writer.ApiKey("key", { agentId: a.id });
export const agentId = a.id; export const secret = k.secret; export const defaultKeyId = a.defaultKeyId; export const defaultKeySecret = a.defaultKeySecret;
`;
  const p = await stack("caps", prog(["models", "chat"]));
  await p.up();
  const o = await p.outputs(true);
  expect(o.defaultKeySecret).toBe("");
  expect((await api().get(`/v1/admin/agents/${o.agentId}/keys/${o.defaultKeyId}`)).status).toBe(404);
  expect((await api().get(`/v1/admin/agents/${o.agentId}`)).body.capabilities.sort()).toEqual(["chat", "models"]);
  expect((await plane(o.secret).get("/v1/models")).status).toBe(200);
  expect(planCounts((await p.preview()).stdout)).toEqual({});

  p.setProgram(HEADER + prog(["chat"]));
  expect(planCounts((await p.preview()).stdout)).toEqual({ delete: 1 });
  await p.up();
  expect((await api().get(`/v1/admin/agents/${o.agentId}`)).body.capabilities).toEqual(["chat"]);
  expect((await plane(o.secret).get("/v1/models")).status).toBe(403);
  await p.destroy();
});

test("bad input is refused at preview with actionable messages and nothing is created", async () => {
  const before = (await api().get("/v1/admin/agents?limit=100")).body.data.length;
  // The engine stops at the first resource whose check fails, so each bad resource gets its own run.
  const p = await stack("badinput", `new writer.ApiAgent("agent", { capabilities: ["chat", "telepathy" as any] });`);
  const r1 = await p.run(["preview"], { allowFail: true });
  expect(r1.code).not.toBe(0);
  expect(r1.stdout).toMatch(/property capabilities .* unknown capability "telepathy": use one of chat, completions, models/);
  p.setProgram(HEADER + `new writer.ApiKey("key", { agentId: "00000000-0000-4000-8000-000000000000", teamId: "00000000-0000-4000-8000-000000000001", expiresAt: "someday" });`);
  const r2 = await p.run(["preview"], { allowFail: true });
  expect(r2.code).not.toBe(0);
  expect(r2.stdout).toMatch(/ownerId: is required for a team-scoped key: the key owner, a member of the team/);
  expect(r2.stdout).toMatch(/expiresAt: must be an ISO 8601 time/);
  const up = await p.run(["up", "--yes"], { allowFail: true });
  expect(up.code).not.toBe(0);
  expect((await api().get("/v1/admin/agents?limit=100")).body.data.length).toBe(before);
});

test("the serialized provider is a tiny shim and state stays small per resource", async () => {
  const p = await stack("size", `
const a = new writer.ApiAgent("agent", { capabilities: ["chat"] });
new writer.ApiKey("key", { agentId: a.id });
new writer.AgentCapability("cap", { agentId: a.id, capability: "models" });
`);
  await p.up();
  const { json } = await p.exportState();
  const ours = json.deployment.resources.filter((r: any) => r.type.startsWith("pulumi-nodejs:dynamic/writer:"));
  expect(ours).toHaveLength(3);
  for (const r of ours) {
    expect(r.inputs.__provider).toMatch(/require\("pulumi-writer\/dynamic\/(ApiAgent|ApiKey|AgentCapability)"\)/);
    expect(r.inputs.__provider.length).toBeLessThan(2500);
    expect(JSON.stringify(r).length).toBeLessThan(8000); // regression guard; bench/ reports the exact bytes
  }
  await p.destroy();
});

// A forced replacement (`pulumi up --replace`) through the real engine and writer-local always
// yields a new object, created before the old one is deleted, for keys and for agents.
import { admin, useLocalServer } from "../helpers/server";
import { planCounts, ProjectStack } from "../helpers/pulumi";

jest.setTimeout(300_000);

const server = useLocalServer();
const api = () => admin(server.url, server.adminToken);
const plane = (secret: string) => admin(server.url, secret);

const PROGRAM = `import * as writer from "pulumi-writer";
const a = new writer.ApiAgent("agent", { capabilities: ["models"] });
const k = new writer.ApiKey("key", { agentId: a.id, name: "worker" });
export const agentId = a.id; export const keyId = k.id; export const secret = k.secret; export const agentSecret = a.defaultKeySecret;
`;

async function stack() {
  const p = new ProjectStack("replace", PROGRAM);
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  await p.up();
  return p;
}
const urnOf = async (p: ProjectStack, type: string) => (await p.resources(type))[0].urn as string;

test("--replace on an ApiKey makes a new key and revokes only the old one", async () => {
  const p = await stack();
  const before = await p.outputs(true);
  await p.up(["--replace", await urnOf(p, "ApiKey")]);
  const after = await p.outputs(true);
  expect(after.keyId).not.toBe(before.keyId);
  expect(after.secret).not.toBe(before.secret);
  expect((await api().get(`/v1/admin/agents/${after.agentId}/keys/${after.keyId}`)).status).toBe(200);
  expect((await api().get(`/v1/admin/agents/${after.agentId}/keys/${before.keyId}`)).status).toBe(404);
  expect((await plane(after.secret).get("/v1/models")).status).toBe(200);
  expect((await plane(before.secret).get("/v1/models")).status).toBe(401);
  expect(planCounts((await p.preview(["--refresh", "--expect-no-changes"])).stdout)).toEqual({});

  // A second forced replacement too (each replacement needs its own creation key).
  await p.up(["--replace", await urnOf(p, "ApiKey")]);
  const third = await p.outputs(true);
  expect(new Set([before.keyId, after.keyId, third.keyId]).size).toBe(3);
  expect((await plane(third.secret).get("/v1/models")).status).toBe(200);
  await p.destroy();
});

test("--replace on an ApiAgent makes a new agent; the old one and its keys go", async () => {
  const p = await stack();
  const before = await p.outputs(true);
  await p.up(["--replace", await urnOf(p, "ApiAgent")]);
  const after = await p.outputs(true);
  expect(after.agentId).not.toBe(before.agentId);
  expect((await api().get(`/v1/admin/agents/${after.agentId}`)).status).toBe(200);
  expect((await api().get(`/v1/admin/agents/${before.agentId}`)).status).toBe(404);
  expect((await plane(after.secret).get("/v1/models")).status).toBe(200);
  expect((await plane(after.agentSecret).get("/v1/models")).status).toBe(200);
  expect(planCounts((await p.preview(["--refresh", "--expect-no-changes"])).stdout)).toEqual({});
  await p.destroy();
});

// (replaceOnChanges needs the provider's detailed diff, which Pulumi's dynamic-provider server never
// sends, so the engine ignores it for dynamic resources; the native provider honours it.)
test("replaceWith: a key whose create body is unchanged is replaced with its dependency and gets a new object", async () => {
  const prog = (team: string) => `import * as writer from "pulumi-writer";
const a = new writer.ApiAgent("agent", { capabilities: ["models"] });
const owner = writer.getUserOutput({ email: "admin@example.com" });
const scoped = new writer.ApiKey("scoped", { agentId: a.id, teamId: writer.getTeamOutput({ name: "${team}" }).id, ownerId: owner.id });
const follower = new writer.ApiKey("follower", { agentId: a.id, name: "follower" }, { replaceWith: [scoped] });
export const scopedId = scoped.id; export const followerId = follower.id; export const secret = follower.secret;
`;
  const p = new ProjectStack("replace-with", prog("Support"));
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  await p.up();
  const before = await p.outputs(true);
  p.setProgram(prog("Sales"));
  await p.up();
  const after = await p.outputs(true);
  expect(after.scopedId).not.toBe(before.scopedId);
  expect(after.followerId).not.toBe(before.followerId);
  expect((await plane(after.secret).get("/v1/models")).status).toBe(200);
  expect((await plane(before.secret).get("/v1/models")).status).toBe(401);
  expect(planCounts((await p.preview(["--refresh", "--expect-no-changes"])).stdout)).toEqual({});
  await p.destroy();
});

// The native provider's protocol beyond create/read/update/delete (README "Every Pulumi
// language"): getUsage as an invoke from a YAML program; a due rotation previews the new secret as
// unknown (not the old value); a provider started by hand serves the engine under
// PULUMI_DEBUG_PROVIDERS (Attach); Cancel ends a call that is waiting on a server that never answers.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { ProjectStack, ROOT } from "../helpers/pulumi";
import { admin, useLocalServer } from "../helpers/server";

jest.setTimeout(300_000);

const server = useLocalServer();
const api = () => admin(server.url, server.adminToken);
const PLUGIN = join(ROOT, "dist", "provider", "native", "main.js");
/* eslint-disable @typescript-eslint/no-var-requires */
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
/* eslint-enable @typescript-eslint/no-var-requires */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

async function yamlStack(name: string, body: string, env: Record<string, string> = {}) {
  const p = ProjectStack.yaml(name, body, env);
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  return p;
}

/** Starts the plugin by hand, as a developer debugging it would; resolves with its port. */
function startPlugin(): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [PLUGIN], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((ok, fail) => {
    proc.stdout!.once("data", (d) => ok({ proc, port: Number(String(d).trim()) }));
    proc.once("exit", (c) => fail(new Error(`plugin exited ${c}`)));
  });
}

test("getUsage is an invoke: a YAML program reads an agent's usage", async () => {
  const a = await api().post("/v1/admin/agents", { name: "usage-yaml", capabilities: ["models"] });
  for (let i = 0; i < 3; i++) expect((await admin(server.url, a.body.default_key.secret).get("/v1/models")).status).toBe(200);
  const p = await yamlStack("native-usage", `
variables:
  usage:
    fn::invoke:
      function: writer:index:getUsage
      arguments: { agentId: ${a.body.id} }
outputs:
  requests: \${usage.totals.requests}
  agent: \${usage.agentId}
  days: \${usage.days}
`);
  await p.up();
  const out = await p.outputs();
  expect(out.agent).toBe(a.body.id);
  expect(out.requests).toBe(3);
  expect(out.days.at(-1)).toMatchObject({ requests: 3, promptTokens: 0 });

  // One key, named by the native ApiKey's own id (<agentId>/<keyId>), as `${key.id}` gives it.
  const k = await api().post(`/v1/admin/agents/${a.body.id}/keys`, { name: "second" });
  for (let i = 0; i < 2; i++) expect((await admin(server.url, k.body.secret).get("/v1/models")).status).toBe(200);
  const keyProgram = (agentId: string) => `
variables:
  usage:
    fn::invoke:
      function: writer:index:getUsage
      arguments: { agentId: ${agentId}, keyId: "${a.body.id}/${k.body.id}" }
outputs:
  requests: \${usage.totals.requests}
  key: \${usage.keyId}
`;
  p.setProgram(keyProgram(a.body.id));
  await p.up();
  expect(await p.outputs()).toMatchObject({ requests: 2, key: k.body.id });
  // A key of another agent is refused, naming both.
  const other = await api().post("/v1/admin/agents", { name: "usage-other", capabilities: ["models"] });
  p.setProgram(keyProgram(other.body.id));
  const bad = await p.run(["preview"], { allowFail: true });
  expect(bad.code).not.toBe(0);
  expect(bad.stdout + bad.stderr).toContain(`is a key of agent ${a.body.id}, not of agentId ${other.body.id}`);
});

test("a due rotation previews secret, masked and rotatedAt as unknown; the update then makes a new secret", async () => {
  const program = (trigger: string) => `
resources:
  agent:
    type: writer:index:ApiAgent
    properties: { name: rotating-yaml, capabilities: [models], revokeDefaultKey: true }
  key:
    type: writer:index:ApiKey
    properties:
      agentId: \${agent.id}
      name: rotating
      rotationTriggers: [${trigger}]
outputs:
  secret: \${key.secret}
`;
  const p = await yamlStack("native-rotation", program("v1"));
  await p.up();
  const before = (await p.outputs(true)).secret;
  p.setProgram(program("v2"));
  // The engine's gRPC log holds the provider's preview answer to Update, as the engine got it.
  const grpcLog = join(p.dir, "grpc.jsonl");
  p.env.PULUMI_DEBUG_GRPC = grpcLog;
  await p.run(["preview"]);
  delete p.env.PULUMI_DEBUG_GRPC;
  const calls = readFileSync(grpcLog, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const update = calls.find((c) => c.method.endsWith("ResourceProvider/Update") && c.request.urn.endsWith("::key") && c.response);
  expect(update.request.preview).toBe(true);
  for (const k of ["secret", "masked", "rotatedAt", "previousSecretExpiresAt"]) expect([k, update.response.properties[k]]).toEqual([k, UNKNOWN]);
  expect(JSON.stringify(update.response)).not.toContain(before);
  await p.up();
  const after = (await p.outputs(true)).secret;
  expect(after).toMatch(/^writer_sk_/);
  expect(after).not.toBe(before);
  await p.destroy();
});

test("Attach: a provider started by hand serves the engine under PULUMI_DEBUG_PROVIDERS", async () => {
  const plugin = await startPlugin();
  try {
    const p = await yamlStack("native-attach", `
resources:
  agent:
    type: writer:index:ApiAgent
    properties: { name: attached, capabilities: [models] }
outputs:
  agentId: \${agent.id}
`, { PULUMI_DEBUG_PROVIDERS: `writer:${plugin.port}` });
    await p.up();
    const id = (await p.outputs()).agentId;
    expect((await api().get(`/v1/admin/agents/${id}`)).body.name).toBe("attached");
    await p.destroy();
    // The engine used the hand-started process, which is still serving.
    expect(plugin.proc.exitCode).toBeNull();
  } finally {
    plugin.proc.kill();
  }
});

test("Cancel ends a create waiting on a server that never answers, at once, and refuses further calls", async () => {
  const hanging = createServer(() => undefined);
  await new Promise<void>((ok) => hanging.listen(0, "127.0.0.1", ok));
  const plugin = await startPlugin();
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
  const rpc = (method: string, req: unknown) => new Promise<any>((ok, fail) => client[method](req, (e: any, r: any) => (e ? fail(e) : ok(r))));
  try {
    const conf = new provproto.ConfigureRequest();
    conf.getVariablesMap().set("writer:config:baseUrl", `http://127.0.0.1:${(hanging.address() as any).port}`);
    conf.getVariablesMap().set("writer:config:adminToken", "writer_admin_cancel-test-token-0123456789");
    conf.setAcceptsecrets(true);
    await rpc("configure", conf);
    const create = new provproto.CreateRequest();
    create.setUrn("urn:pulumi:test::cancel::writer:index:ApiAgent::stuck");
    create.setProperties(structproto.Struct.fromJavaScript({ name: "stuck", capabilities: ["models"] }));
    const started = Date.now();
    const pending = rpc("create", create).then(() => "answered", (e) => String(e.details ?? e.message));
    await new Promise((r) => setTimeout(r, 500));
    await rpc("cancel", new (require("google-protobuf/google/protobuf/empty_pb").Empty)());
    const outcome = await pending;
    expect(outcome).toContain("cancelled");
    expect(Date.now() - started).toBeLessThan(5000); // the client's own timeout is 30 s
    const again = await rpc("create", create).then(() => "answered", (e) => String(e.details ?? e.message));
    expect(again).toContain("cancelled");
  } finally {
    client.close();
    plugin.proc.kill();
    hanging.closeAllConnections();
    hanging.close();
  }
});

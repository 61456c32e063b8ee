// Two real writer-local processes: a canned one standing in for Writer's API, and a gateway in
// front of it holding an upstream key made on the first. Writer's official client talks to the
// gateway; what reaches the upstream is counted by the upstream's own usage of its key.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Writer from "writer-sdk";
import { CAPABILITY_IDS } from "../../api";
import { admin, startLocalServer, type LocalServer } from "../helpers/server";

jest.setTimeout(60_000);

let upstream: LocalServer;
let gateway: LocalServer;
let upstreamKey: { agentId: string; keyId: string; secret: string };

beforeAll(async () => {
  upstream = await startLocalServer();
  const a = await admin(upstream.url, upstream.adminToken).post("/v1/admin/agents", { name: "organisation key", capabilities: [...CAPABILITY_IDS] });
  upstreamKey = { agentId: a.body.id, keyId: a.body.default_key.id, secret: a.body.default_key.secret };
  gateway = await startLocalServer({
    extraArgs: ["--upstream", upstream.url, "--admin-port", "0"],
    env: { WRITER_UPSTREAM_API_KEY: upstreamKey.secret },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const adminUrl = () => /writer-local admin API listening on (http:\/\/\S+)/.exec(gateway.output())![1];
const upstreamRequests = async () =>
  (await admin(upstream.url, upstream.adminToken).get(`/v1/admin/agents/${upstreamKey.agentId}/keys/${upstreamKey.keyId}/usage`)).body.totals.requests as number;

test("split listeners: the admin API is only on its own port, the data plane only on the main one", async () => {
  const api = admin(adminUrl(), gateway.adminToken);
  expect((await api.get("/v1/admin/agents")).status).toBe(200);
  expect((await admin(gateway.url, gateway.adminToken).get("/v1/admin/agents")).status).toBe(404);
  expect((await admin(adminUrl(), "writer_sk_x").get("/v1/models")).status).toBe(404);
  expect((await admin(gateway.url, undefined).get("/healthz")).status).toBe(200);
});

test("writer-sdk through the gateway: models, chat streamed chunk by chunk, a file upload, a graph; refused calls never reach the upstream", async () => {
  const api = admin(adminUrl(), gateway.adminToken);
  const a = await api.post("/v1/admin/agents", { name: "sdk via gateway", capabilities: ["models", "chat", "files", "knowledge_graph"] });
  const client = new Writer({ apiKey: a.body.default_key.secret, baseURL: gateway.url, maxRetries: 0 });
  const before = await upstreamRequests();

  expect((await client.models.list()).models.map((m) => m.id)).toContain("palmyra-x5");
  const stream = await client.chat.chat({ model: "palmyra-x5", messages: [{ role: "user", content: "Hello" }], stream: true, max_tokens: 40 } as never);
  let chunks = 0;
  let text = "";
  for await (const c of stream as unknown as AsyncIterable<any>) {
    chunks++;
    text += c.choices?.[0]?.delta?.content ?? "";
  }
  expect(chunks).toBeGreaterThanOrEqual(40);
  expect(text).toContain("writer-local reply to: Hello");
  const file = await client.files.upload({ content: Buffer.from("hello gateway"), "Content-Type": "text/plain", "Content-Disposition": "attachment; filename=h.txt" } as never);
  expect((await client.files.retrieve(file.id)).id).toBe(file.id);
  const graph = await client.graphs.create({ name: "via gateway" });
  expect((await client.graphs.retrieve(graph.id)).name).toBe("via gateway");
  expect(await upstreamRequests()).toBe(before + 6);

  // Refused at the gateway: a missing capability, a revoked key, another agent's object.
  await api.del(`/v1/admin/agents/${a.body.id}/capabilities/models`);
  await expect(client.models.list()).rejects.toMatchObject({ status: 403 });
  const other = new Writer({ apiKey: (await api.post("/v1/admin/agents", { name: "other", capabilities: ["files"] })).body.default_key.secret, baseURL: gateway.url, maxRetries: 0 });
  await expect(other.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
  await api.del(`/v1/admin/agents/${a.body.id}/keys/${a.body.default_key.id}`);
  await expect(client.graphs.retrieve(graph.id)).rejects.toMatchObject({ status: 401 });
  expect(await upstreamRequests()).toBe(before + 6);

  // The gateway's usage of the key counts what it let through, with its tokens.
  const u = await api.get(`/v1/admin/agents/${a.body.id}/usage`);
  expect(u.body.totals.requests).toBe(6);
  expect(u.body.totals.completion_tokens).toBeGreaterThan(0);
  expect(u.body.totals.refusals).toMatchObject({ capability: 1, revoked: 1 });
});

test("the upstream key is nowhere in the gateway's data dir or output", async () => {
  await gateway.stop();
  for (const f of readdirSync(gateway.dataDir)) expect([f, readFileSync(join(gateway.dataDir, f)).includes(upstreamKey.secret)]).toEqual([f, false]);
  expect(gateway.output()).not.toContain(upstreamKey.secret);
  expect(gateway.output()).toMatch(/forwarding the data plane to http:\/\/127\.0\.0\.1/);
});

test("writer-local usage prints a key's days; --upstream-key-file must be the owner's alone", async () => {
  const { execFileSync, spawnSync } = await import("node:child_process");
  const { chmodSync, writeFileSync, mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const cli = join(__dirname, "..", "..", "dist", "server", "cli.js");
  const out = execFileSync(process.execPath, [cli, "usage", "--agent", upstreamKey.agentId, "--key", upstreamKey.keyId, "--url", upstream.url, "--data-dir", upstream.dataDir], { encoding: "utf8", env: { ...process.env, WRITER_ADMIN_TOKEN: "" } });
  expect(out).toMatch(/^date\s+requests\s+prompt tokens\s+completion tokens\s+of them estimated\s+refusals/);
  expect(out).toMatch(/^total\s+6\s/m);
  const dir = mkdtempSync(join(tmpdir(), "upkey-"));
  const file = join(dir, "key");
  writeFileSync(file, "writer_sk_whatever\n");
  chmodSync(file, 0o644);
  const r = spawnSync(process.execPath, [cli, "serve", "--port", "0", "--data-dir", join(dir, "data"), "--upstream", "https://api.writer.com", "--upstream-key-file", file], { encoding: "utf8", timeout: 10000 });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/readable by others.*chmod 600/);
  const noKey = spawnSync(process.execPath, [cli, "serve", "--port", "0", "--data-dir", join(dir, "data2"), "--upstream", "https://api.writer.com"], { encoding: "utf8", timeout: 10000, env: { ...process.env, WRITER_UPSTREAM_API_KEY: "" } });
  expect(noKey.stderr).toMatch(/WRITER_UPSTREAM_API_KEY or --upstream-key-file/);
});

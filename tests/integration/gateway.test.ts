// A key made by `pulumi up` (real engine) against a writer-local gateway in front of a canned
// writer-local: Writer's official client streams through it, its limits hold and update in place,
// and a program reads its usage with the getUsage lookup.
import Writer, { RateLimitError } from "writer-sdk";
import { CAPABILITY_IDS } from "../../api";
import { admin, startLocalServer, type LocalServer } from "../helpers/server";
import { planCounts, ProjectStack } from "../helpers/pulumi";

jest.setTimeout(300_000);

let upstream: LocalServer;
let gateway: LocalServer;
beforeAll(async () => {
  upstream = await startLocalServer();
  const a = await admin(upstream.url, upstream.adminToken).post("/v1/admin/agents", { name: "org", capabilities: [...CAPABILITY_IDS] });
  gateway = await startLocalServer({ extraArgs: ["--upstream", upstream.url], env: { WRITER_UPSTREAM_API_KEY: a.body.default_key.secret } });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const program = (rpm: number) => `import * as writer from "pulumi-writer";
const agent = new writer.ApiAgent("workload", { capabilities: ["chat", "models"] });
const key = new writer.ApiKey("workload-key", { agentId: agent.id, requestsPerMinute: ${rpm}, tokenBudget: { tokens: 100000, period: "month" } });
export const keyId = key.id; export const agentId = agent.id; export const secret = key.secret; export const rpm = key.requestsPerMinute;
export const usage = writer.getUsageOutput({ agentId: agent.id, keyId: key.id }).apply((u) => u.totals.requests);
`;

test("pulumi-managed key through the gateway: streaming with writer-sdk, limits enforced and updated in place, usage by lookup", async () => {
  const p = new ProjectStack("gateway", program(3));
  await p.init("test", { "writer:baseUrl": gateway.url }, { "writer:adminToken": gateway.adminToken });
  await p.up();
  const out = await p.outputs(true);
  expect(out.rpm).toBe(3);

  const client = new Writer({ apiKey: out.secret, baseURL: gateway.url, maxRetries: 0 });
  const stream = await client.chat.chat({ model: "palmyra-x5", messages: [{ role: "user", content: "hi" }], stream: true } as never);
  let chunks = 0;
  for await (const _ of stream as unknown as AsyncIterable<unknown>) chunks++;
  expect(chunks).toBeGreaterThan(3);
  await client.models.list();
  await client.models.list();
  // The fourth request in the minute is over the limit (unless the minute turned: then the next one is).
  const fourth = await client.models.list().then(() => client.models.list()).catch((e) => e);
  expect(fourth).toBeInstanceOf(RateLimitError);
  const h = (fourth as RateLimitError).headers as any;
  expect(Number(typeof h?.get === "function" ? h.get("retry-after") : h?.["retry-after"])).toBeGreaterThan(0);

  p.setProgram(program(1000));
  const preview = await p.preview();
  expect(planCounts(preview.stdout)).toEqual({ update: 1 });
  await p.up();
  const after = await p.outputs(true);
  expect([after.keyId, after.secret, after.rpm]).toEqual([out.keyId, out.secret, 1000]);
  await client.models.list();
  expect(after.usage).toBeGreaterThanOrEqual(3);
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});
  await p.destroy();
});

// The examples as users run them: the root project (quickstart, configured by env only) and
// examples/multi-team and examples/rotation, through the real engine against writer-local.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { admin, useLocalServer } from "../helpers/server";
import { planCounts, ProjectStack, pulumiEnv, ROOT, withRandom } from "../helpers/pulumi";

jest.setTimeout(300_000);

const server = useLocalServer();

const example = (name: string) => readFileSync(join(ROOT, "examples", name, "index.ts"), "utf8");

test("the root Pulumi.yaml quickstart runs with env-only configuration (WRITER_BASE_URL / WRITER_ADMIN_TOKEN)", () => {
  const backend = mkdtempSync(join(ROOT, ".tmp", "root-backend-"));
  const stack = `ci${process.pid}`;
  const env = pulumiEnv(backend, { WRITER_BASE_URL: server.url, WRITER_ADMIN_TOKEN: server.adminToken, PULUMI_NODEJS_TRANSPILE_ONLY: "false" });
  const run = (...args: string[]) => execFileSync("pulumi", [...args, "--non-interactive", "--cwd", ROOT], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  try {
    run("stack", "init", stack);
    run("up", "--yes", "--skip-preview"); // type-checks the quickstart too (transpile-only off)
    const out = JSON.parse(run("stack", "output", "--json", "--show-secrets"));
    expect(out.keyScope).toBe("team");
    expect(out.capabilities).toEqual(["chat", "knowledge_graph"]);
    expect(out.supportKey).toMatch(/^writer_sk_/);
    expect(planCounts(run("preview", "--expect-no-changes"))).toEqual({});
    run("destroy", "--yes", "--skip-preview");
    run("stack", "rm", "--yes", stack);
  } finally {
    const file = join(ROOT, `Pulumi.${stack}.yaml`);
    if (existsSync(file)) rmSync(file);
  }
});

test("examples/multi-team: a key per team, each refused for other teams", async () => {
  const p = new ProjectStack("ex-multi", example("multi-team"));
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  await p.up();
  const out = await p.outputs(true);
  const teams = (await admin(server.url, server.adminToken).get("/v1/admin/teams?limit=100")).body.data as { id: string; name: string }[];
  const teamId = (n: string) => teams.find((t) => t.name === n)!.id;
  for (const slug of ["support", "engineering", "sales"]) {
    const key = admin(server.url, out.secrets[slug]);
    const own = teamId(slug[0].toUpperCase() + slug.slice(1));
    const other = teams.find((t) => t.id !== own)!.id;
    expect((await key.get("/v1/models", { "x-writer-team-id": own })).status).toBe(200);
    expect((await key.get("/v1/models", { "x-writer-team-id": other })).status).toBe(403);
    expect((await key.get("/v1/graphs", { "x-writer-team-id": own })).status).toBe(200); // AgentCapability
  }
  const agent = (await admin(server.url, server.adminToken).get(`/v1/admin/agents/${out.agentId}`)).body;
  expect(agent.key_count).toBe(3); // Production revoked
  expect(planCounts((await p.preview()).stdout)).toEqual({});
  await p.destroy();
});

test("examples/rotation: a new rotation period (a RandomId keeper, @pulumi/random through the engine) rotates the key once, in place, with an hour of overlap", async () => {
  const p = new ProjectStack("ex-rotation", example("rotation"), withRandom());
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  await p.up();
  const o1 = await p.outputs(true);
  expect((await p.resources("random:index/randomId:RandomId")).length).toBe(1);
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});
  await p.run(["config", "set", "rotationPeriod", "2027-Q1"]);
  const plan = await p.preview();
  expect(planCounts(plan.stdout)).toEqual({ update: 1, replace: 1 });
  expect(plan.stdout).toMatch(/\+-random:index\/randomId:RandomId: \(replace\)/);
  expect(plan.stdout).toMatch(/~ pulumi-nodejs:dynamic\/writer:ApiKey: \(update\)[^]*~ rotationTriggers/);
  await p.up();
  const o2 = await p.outputs(true);
  expect(o2.rotationPeriodId).not.toBe(o1.rotationPeriodId);
  expect(o2.keyId).toBe(o1.keyId);
  expect(o2.secret).not.toBe(o1.secret);
  // Exactly one rotation: the next plan is empty.
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});
  expect(Date.parse(o2.previousSecretExpiresAt) - Date.parse(o2.rotatedAt)).toBe(3600_000);
  for (const s of [o1.secret, o2.secret]) expect((await admin(server.url, s).get("/v1/models")).status).toBe(200);
  await p.destroy();
});

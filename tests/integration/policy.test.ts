// The writer-key-hygiene policy pack (policies/) through the real engine:
// `pulumi preview --policy-pack policies`, for dynamic resources and for the native provider.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { useLocalServer } from "../helpers/server";
import { ProjectStack, ROOT } from "../helpers/pulumi";

jest.setTimeout(300_000);

const server = useLocalServer();
const PACK = join(ROOT, "policies");

const VIOLATING = `import * as writer from "pulumi-writer";
const a = new writer.ApiAgent("everything", { capabilities: ["chat", "completions", "models", "knowledge_graph", "files", "applications", "tools_pdf_parser", "tools_web_search", "vision", "translation"] });
new writer.ApiKey("forever", { agentId: a.id, gracePeriodSeconds: 7200 });
`;

const COMPLIANT = `import * as writer from "pulumi-writer";
const team = writer.getTeamOutput({ name: "Support" });
const owner = writer.getUserOutput({ email: "lead@example.com" });
const a = new writer.ApiAgent("support", { capabilities: ["chat", "models"], revokeDefaultKey: true });
new writer.ApiKey("support-key", { agentId: a.id, teamId: team.id, ownerId: owner.id, rotateAfterDays: 30, gracePeriodSeconds: 3600 });
`;

async function preview(name: string, program: string, stack: string, args: string[] = []) {
  const p = new ProjectStack(name, program);
  await p.init(stack, { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  const r = await p.run(["preview", "--policy-pack", PACK, ...args], { allowFail: true });
  return { ...r, out: r.stdout + r.stderr, p };
}

test("a violating program fails the preview in a prod stack, with each rule's message", async () => {
  const r = await preview("policy-bad", VIOLATING, "prod-eu");
  expect(r.code).not.toBe(0);
  expect(r.out).toContain('ApiAgent "everything" holds every capability: give it only the ones its keys need.');
  expect(r.out).toContain('ApiKey "forever" never rotates and never expires: set rotateAfterDays (at most 90) or expiresAt.');
  expect(r.out).toContain('ApiKey "forever" is valid for all teams in stack prod-eu: set teamId (and ownerId) to scope it to one team.');
  expect(r.out).toContain('ApiAgent "everything" keeps its default "Production" all-teams key in stack prod-eu: set revokeDefaultKey: true.');
  // 7200 s is within the default bound (one day).
  expect(r.out).not.toContain("writer-grace-period");
});

test("outside protected stacks only the stack-independent rules apply", async () => {
  const r = await preview("policy-dev", VIOLATING, "dev");
  expect(r.code).not.toBe(0);
  expect(r.out).toContain("writer-capabilities");
  expect(r.out).toContain("writer-key-rotation");
  expect(r.out).not.toContain("writer-no-all-teams-keys");
  expect(r.out).not.toContain("writer-revoke-default-key");
});

test("a compliant program passes", async () => {
  const r = await preview("policy-good", COMPLIANT, "prod");
  expect([r.code, r.out]).toEqual([0, expect.stringContaining("writer-key-hygiene")]);
  expect(r.out).not.toMatch(/\[mandatory\]|\[advisory\]/);
});

test("config overrides: tighter bounds, another stack pattern, an allow-list, and an advisory rule that only warns", async () => {
  const config = join(ROOT, ".tmp", "policy-config.json");
  writeFileSync(config, JSON.stringify({
    "writer-key-rotation": { maxRotateAfterDays: 14 },
    "writer-grace-period": { enforcementLevel: "advisory", maxGracePeriodSeconds: 600, stackPattern: "*-live" },
    "writer-no-all-teams-keys": { stackPattern: "*-live" },
    "writer-revoke-default-key": { stackPattern: "*-live" },
    "writer-capabilities": { allowedCapabilities: ["chat"] },
  }));
  const tight = await preview("policy-tight", COMPLIANT, "eu-live", ["--policy-pack-config", config]);
  expect(tight.code).not.toBe(0);
  expect(tight.out).toContain('ApiKey "support-key" rotates every 30 days: set rotateAfterDays to at most 14 (or give it an expiresAt).');
  expect(tight.out).toContain('ApiAgent "support" uses models, not allowed here: allowed are chat.');
  expect(tight.out).toMatch(/\[advisory\]\s+writer-grace-period/);

  // Only the advisory rule is broken: the preview passes with a warning.
  writeFileSync(config, JSON.stringify({ "writer-grace-period": { enforcementLevel: "advisory", maxGracePeriodSeconds: 600 } }));
  const advisory = await preview("policy-advisory", COMPLIANT, "prod", ["--policy-pack-config", config]);
  expect(advisory.code).toBe(0);
  expect(advisory.out).toContain('ApiKey "support-key" keeps an old secret working for 3600 s after a rotation: set gracePeriodSeconds to at most 600.');
});

test("the same rules hold for the native provider's resources (writer:index:*)", async () => {
  const p = ProjectStack.yaml("policy-native", `
resources:
  agent:
    type: writer:index:ApiAgent
    properties:
      capabilities: [chat, completions, models, knowledge_graph, files, applications, tools_pdf_parser, tools_web_search, vision, translation]
  key:
    type: writer:index:ApiKey
    properties:
      agentId: \${agent.id}
`);
  await p.init("prod", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  const r = await p.run(["preview", "--policy-pack", PACK], { allowFail: true });
  const out = r.stdout + r.stderr;
  expect(r.code).not.toBe(0);
  expect(out).toMatch(/writer-capabilities\s+\(writer:index:ApiAgent: agent\)/);
  expect(out).toMatch(/writer-key-rotation\s+\(writer:index:ApiKey: key\)/);
  expect(out).toMatch(/writer-no-all-teams-keys\s+\(writer:index:ApiKey: key\)/);
  expect(out).toMatch(/writer-revoke-default-key\s+\(writer:index:ApiAgent: agent\)/);
});

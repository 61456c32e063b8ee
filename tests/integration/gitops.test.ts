// The GitOps sequence (scripts/gitops-check.sh, the runnable twin of examples/gitops's workflow)
// on the examples/environments program, through the real Pulumi engine against the real
// writer-local process: PR preview, merge, drift check, per-PR preview environments.
import { execFile } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as yaml from "js-yaml";
import { admin, useLocalServer } from "../helpers/server";
import { ProjectStack, ROOT, withRandom } from "../helpers/pulumi";

jest.setTimeout(300_000);

const server = useLocalServer();

const api = () => admin(server.url, server.adminToken);
const EXAMPLE = join(ROOT, "examples", "environments");
const SCRIPT = join(ROOT, "scripts", "gitops-check.sh");

function exampleProject(name: string, env: Record<string, string> = {}): ProjectStack {
  const p = new ProjectStack(name, "", env);
  for (const f of readdirSync(EXAMPLE)) if (statSync(join(EXAMPLE, f)).isFile()) copyFileSync(join(EXAMPLE, f), join(p.dir, f));
  return p;
}

function check(p: ProjectStack, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile("bash", [SCRIPT, ...args], { env: { ...p.env, WORK_DIR: p.dir, ...env }, timeout: 240_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === "number" ? (err as any).code : 1) : 0;
      done({ code, out: String(stdout) + String(stderr) });
    });
  });
}

/** Edits `writer:access` in Pulumi.<stack>.yaml as a pull request would (other config kept). */
function editAccess(p: ProjectStack, stack: string, edit: (access: any) => void): void {
  const file = join(p.dir, `Pulumi.${stack}.yaml`);
  const doc = yaml.load(readFileSync(file, "utf8")) as any;
  edit(doc.config["writer:access"]);
  writeFileSync(file, yaml.dump(doc));
}

test("gitops-check: a PR previews exactly its steps (no secrets printed), merge applies, drift fails with a readable summary, a clean state passes", async () => {
  const p = exampleProject("gitops");
  await p.init("dev", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });

  // Merge to main: the first `up`, then the scheduled drift check passes.
  expect((await check(p, ["up", "dev"])).code).toBe(0);
  const clean = await check(p, ["drift", "dev"]);
  expect(clean).toEqual({ code: 0, out: "no drift: the server matches the code\n" });
  const outs = JSON.parse((await p.run(["stack", "output", "--json", "--show-secrets", "--stack", "dev"])).stdout);

  // A pull request: one display rename and one new key. The preview shows those two steps and nothing else.
  editAccess(p, "dev", (a) => {
    a.agents.support.name = "Support assistant";
    a.agents.research.keys.ops = { team: "Support", owner: "admin@example.com" };
  });
  const planFile = join(p.dir, "plan.json");
  const pr = await check(p, ["preview", "dev"], { PLAN_JSON: planFile });
  expect(pr.code).toBe(0);
  expect(JSON.parse(readFileSync(planFile, "utf8"))).toEqual([
    { op: "update", type: "ApiAgent", name: "access-support", fields: [{ field: "name", now: "[dev] Support bot", code: "[dev] Support assistant" }] },
    { op: "create", type: "ApiKey", name: "access-research-ops", fields: [] },
  ]);
  expect(pr.out).toBe(
    "plan: 1 to update, 1 to create\n" +
      "  ~ ApiAgent access-support: update\n" +
      '      name: "[dev] Support bot" => "[dev] Support assistant"\n' +
      "  + ApiKey access-research-ops: create\n",
  );
  for (const s of Object.values(outs.keys) as string[]) expect(pr.out).not.toContain(s);
  expect(JSON.stringify((await api().get(`/v1/admin/agents/${outs.agentIds.support}`)).body)).toContain("[dev] Support bot"); // preview changed nothing

  // Merged: applied; drift check clean again.
  expect((await check(p, ["up", "dev"])).code).toBe(0);
  expect((await check(p, ["drift", "dev"])).code).toBe(0);

  // Someone changes things by hand on the server: the drift check fails and says what and where.
  await api().patch(`/v1/admin/agents/${outs.agentIds.support}`, { name: "edited by hand", capabilities: ["chat"] });
  expect((await api().del(`/v1/admin/agents/${outs.agentIds.research}/keys/${outs.keyIds["research/ci"]}`)).status).toBe(204);
  const drift = await check(p, ["drift", "dev"]);
  expect(drift.code).toBe(1);
  expect(drift.out).toBe(
    "DRIFT: 2 resource(s) on the server differ from the code (1 to update, 1 to create):\n" +
      "  ~ ApiAgent access-support: differs from the code\n" +
      '      capabilities: server has ["chat"], code says ["chat","knowledge_graph","models"]\n' +
      '      name: server has "edited by hand", code says "[dev] Support assistant"\n' +
      "  + ApiKey access-research-ci: missing on the server (deleted outside Pulumi?): would be created\n",
  );
  // The drift check only looked: the server is still as edited.
  expect((await api().get(`/v1/admin/agents/${outs.agentIds.support}`)).body.name).toBe("edited by hand");

  // The next `up` (merge or a re-run) puts reality back to the code.
  expect((await check(p, ["up", "dev"])).code).toBe(0);
  expect((await check(p, ["drift", "dev"])).code).toBe(0);

  // A broken spec in a PR: the preview fails (exit 2) with the spec's paths.
  editAccess(p, "dev", (a) => (a.agents.support.keys.eng.owner = "ghost@example.com"));
  const broken = await check(p, ["preview", "dev"]);
  expect(broken.code).toBe(2);
  expect(broken.out).toContain("agents.support.keys.eng.owner: no user with email ghost@example.com");
  await p.destroy(["--stack", "dev"]);
});

test("preview environments: stack pr-<n> is created from the base stack's config with stack-derived names and a RandomPet suffix (@pulumi/random), and destroyed with the PR", async () => {
  const p = exampleProject("gitops-pr", withRandom());
  await p.init("staging", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  expect((await check(p, ["pr-up", "42", "staging"])).code).toBe(0);
  expect((await check(p, ["pr-up", "43", "staging"])).code).toBe(0);
  const names = async () => ((await api().get("/v1/admin/agents?limit=100")).body.data as any[]).map((a) => a.name);
  const pets = (await names()).map((n) => /^\[(pr-4[23]) ([a-z]+-[a-z]+)\] Support bot$/.exec(n)).filter(Boolean) as RegExpExecArray[];
  expect(pets.map((m) => m[1]).sort()).toEqual(["pr-42", "pr-43"]);
  const before = await names();
  // A new push to the PR updates the same stack, and the suffix stays.
  const again = await check(p, ["pr-up", "42", "staging"]);
  expect(again.code).toBe(0);
  expect(again.out).not.toContain("Created stack");
  expect((await names()).sort()).toEqual(before.sort());

  expect((await check(p, ["pr-destroy", "42"])).code).toBe(0);
  expect((await check(p, ["pr-destroy", "43"])).code).toBe(0);
  expect((await names()).filter((n) => n.startsWith("[pr-4"))).toEqual([]);
  const stacks = (await p.run(["stack", "ls", "--json"])).stdout;
  expect(stacks).not.toContain("pr-42");
  expect((await check(p, ["pr-destroy", "42"])).out).toContain("already destroyed");
});

test("policy pack in the pipeline (POLICY_PACK=policies): the committed stacks pass; a PR that adds an all-teams key to prod fails its preview with the rule's message, and up refuses it before any change", async () => {
  const p = exampleProject("gitops-policy");
  await p.init("prod", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  const withPack = { POLICY_PACK: join(ROOT, "policies") };
  const ok = await check(p, ["preview", "prod"], withPack);
  expect(ok).toMatchObject({ code: 0 });
  expect(ok.out).toMatch(/^plan: \d+ to create\n/);
  expect((await check(p, ["up", "prod"], withPack)).code).toBe(0);
  const before = (await api().get("/v1/admin/agents?limit=100")).body.data.length;

  editAccess(p, "prod", (a) => (a.agents.sales.keys.everyone = { allTeams: true, rotateAfterDays: 30 }));
  const pr = await check(p, ["preview", "prod"], withPack);
  expect(pr.code).toBe(2);
  expect(pr.out).toContain("writer-no-all-teams-keys");
  expect(pr.out).toContain("access-sales-everyone");
  const up = await check(p, ["up", "prod"], withPack);
  expect(up.code).toBe(2);
  expect(up.out).toContain("writer-no-all-teams-keys");
  const sales = ((await api().get("/v1/admin/agents?limit=100")).body.data as any[]).find((a) => a.name === "[prod] Sales assistant");
  const keys = (await api().get(`/v1/admin/agents/${sales.id}/keys?limit=100`)).body.data as any[];
  expect(keys.map((k) => k.name)).not.toContain("everyone");
  expect((await api().get("/v1/admin/agents?limit=100")).body.data.length).toBe(before);
  // Without the pack the same preview plans the key: the pack, not the provider, refused it.
  expect((await check(p, ["preview", "prod"])).out).toContain("+ ApiKey access-sales-everyone: create");
  await p.destroy(["--stack", "prod"]);
});

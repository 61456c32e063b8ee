// The examples in the native provider's schema (provider/native/schema.json: the registry's
// "Example Usage" of every resource, component and function, generated into the SDKs' docs) are
// true. Every TypeScript example type-checks (strict) against the package as a user installs it
// (node_modules/pulumi-writer); then each example runs in all three languages against
// writer-local through the real engine (preview, up, a no-op preview, destroy): YAML and Python
// with the native provider, TypeScript with the package's dynamic resources, and all three export
// the same outputs, alike once ids and secrets are masked. The same for docs/_index.md's example,
// and docs/installation-configuration.md's explicit provider runs. Then what the ApiKey
// description says retainOnDelete, protect and ignoreChanges mean for a live key.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as yaml from "js-yaml";
import { admin, directoryOf, useLocalServer } from "../helpers/server";
import { planCounts, ProjectStack, ROOT } from "../helpers/pulumi";

jest.setTimeout(300_000);

const server = useLocalServer();
const api = () => admin(server.url, server.adminToken);
const works = async (secret: string) => (await admin(server.url, secret).get("/v1/models")).status;

type Lang = "typescript" | "python" | "yaml";
interface SchemaExample {
  /** "ApiKey: A team-scoped key ...", for test names. */
  name: string;
  token: string;
  title: string;
  code: Partial<Record<Lang, string>>;
}

/** Every `{{% example %}}` of every resource and function description in schema.json. */
function schemaExamples(): SchemaExample[] {
  const schema = JSON.parse(readFileSync(join(ROOT, "provider", "native", "schema.json"), "utf8"));
  const out: SchemaExample[] = [];
  for (const [token, def] of Object.entries<any>({ ...schema.resources, ...schema.functions })) {
    for (const m of String(def.description).matchAll(/\{\{% example %\}\}\n### (.+)\n([\s\S]*?)\{\{% \/example %\}\}/g)) {
      const code: Partial<Record<Lang, string>> = {};
      for (const c of m[2].matchAll(/```(\w+)\n([\s\S]*?)```/g)) code[c[1] as Lang] = c[2];
      out.push({ name: `${token.split(":").pop()}: ${m[1]}`, token, title: m[1], code });
    }
  }
  return out;
}

/** The code blocks of a docs page's `{{% choosable language X %}}` sections, by language. */
function docsCode(page: string): Partial<Record<Lang, string>>[] {
  const text = readFileSync(join(ROOT, "docs", page), "utf8");
  return [...text.matchAll(/\{\{< chooser language "[^"]+" >\}\}([\s\S]*?)\{\{< \/chooser >\}\}/g)].map((m) =>
    Object.fromEntries([...m[1].matchAll(/\{\{% choosable language (\w+) %\}\}\s*```\w+\n([\s\S]*?)```\s*\{\{% \/choosable %\}\}/g)].map((c) => [c[1], c[2]])),
  );
}

const EXAMPLES: SchemaExample[] = [
  ...schemaExamples(),
  ...docsCode("_index.md").map((code, i) => ({ name: `docs/_index.md: example ${i + 1}`, token: "docs:index:Overview", title: "docs/_index.md", code })),
];
const slug = (e: SchemaExample, i: number) => `ex${i}-${e.token.split(":").pop()!.toLowerCase()}`;

/** Output names each language's example exports. */
const exportsOf = {
  typescript: (src: string) => [...src.matchAll(/^export const (\w+)/gm)].map((m) => m[1]).sort(),
  python: (src: string) => [...src.matchAll(/^pulumi\.export\("(\w+)"/gm)].map((m) => m[1]).sort(),
  yaml: (src: string) => Object.keys((yaml.load(src) as { outputs?: object }).outputs ?? {}).sort(),
};

/** The seeded teams and users by id: the same for every program run against this server, so they stay recognisable. */
let seeded: Record<string, string> = {};

/** Outputs with what differs between two runs (ids of objects a run made, secrets, times) masked. */
function masked(v: unknown): unknown {
  if (typeof v === "string") {
    return v
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => seeded[id] ?? "<id>")
      .replace(/writer_(sk|admin)_…\w{4}/g, "writer_$1_<masked>")
      .replace(/writer_(sk|admin)_[\w-]{20,}/g, "writer_$1_<secret>")
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>");
  }
  if (Array.isArray(v)) return v.map(masked);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, masked(x)]));
  return v;
}

let python = "";
beforeAll(async () => {
  python = execFileSync("bash", [join(ROOT, "scripts", "ensure-python-venv")], { encoding: "utf8" }).trim().split("\n").pop()!;
  const { teams, userIds } = await directoryOf(api());
  seeded = Object.fromEntries([...Object.entries(teams).map(([n, id]) => [id, `<team ${n}>`]), ...Object.entries(userIds).map(([e, id]) => [id, `<user ${e}>`])]);
  expect(Object.values(seeded)).toEqual(expect.arrayContaining(["<team Support>", "<user lead@example.com>"]));
});
// The checkout's SDK first on the path: another test file may be reinstalling it into the venv.
const pythonEnv = () => ({ PULUMI_PYTHON_CMD: python, PYTHONPATH: join(ROOT, "sdk", "python"), PYTHONDONTWRITEBYTECODE: "1" });

async function stack(name: string, program: string, runtime: "yaml" | "python" | "nodejs"): Promise<ProjectStack> {
  const p = runtime === "yaml" ? ProjectStack.yaml(name, program) : runtime === "python" ? new ProjectStack(name, program, pythonEnv(), "python") : new ProjectStack(name, program);
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  return p;
}

/** preview, up, a no-op preview; the outputs (secrets shown); destroy. */
async function lifecycle(p: ProjectStack): Promise<Record<string, any>> {
  await p.preview();
  await p.up();
  const outputs = await p.outputs(true);
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});
  await p.destroy();
  return outputs;
}

test("the schema has examples, each in TypeScript, Python and YAML, exporting the same output names", () => {
  expect(EXAMPLES.length).toBeGreaterThanOrEqual(11);
  expect(EXAMPLES.filter((e) => e.token.startsWith("docs:"))).toHaveLength(1);
  for (const e of EXAMPLES) {
    expect([e.name, Object.keys(e.code).sort()]).toEqual([e.name, ["python", "typescript", "yaml"]]);
    expect([e.name, e.code.typescript]).toEqual([e.name, expect.stringContaining('import * as writer from "pulumi-writer";')]);
    expect([e.name, e.code.python]).toEqual([e.name, expect.stringContaining("import pulumi_writer as writer")]);
    const names = exportsOf.yaml(e.code.yaml!);
    expect(names.length).toBeGreaterThan(0);
    expect([e.name, exportsOf.typescript(e.code.typescript!)]).toEqual([e.name, names]);
    expect([e.name, exportsOf.python(e.code.python!)]).toEqual([e.name, names]);
  }
});

test("every TypeScript example type-checks (strict) against pulumi-writer as installed", () => {
  const dir = mkdtempSync(join(ROOT, ".tmp", "schema-examples-ts-"));
  EXAMPLES.forEach((e, i) => writeFileSync(join(dir, `${slug(e, i)}.ts`), `// ${e.name}\n${e.code.typescript}`));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, types: ["node"], skipLibCheck: true },
    include: ["*.ts"],
  }));
  // Resolved from .tmp/ up to the checkout's node_modules: the built package, as `npm install` puts it.
  const r = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(dir, "tsconfig.json")], { cwd: dir, encoding: "utf8" });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
});

describe.each(EXAMPLES.map((e, i) => [e.name, e, i] as const))("%s", (_name, e, i) => {
  test("YAML, Python and TypeScript: preview, up, no-op preview, destroy; the same outputs", async () => {
    const [fromYaml, fromPython, fromTypeScript] = await Promise.all([
      stack(`${slug(e, i)}-yaml`, e.code.yaml!, "yaml").then(lifecycle),
      stack(`${slug(e, i)}-py`, e.code.python!, "python").then(lifecycle),
      stack(`${slug(e, i)}-ts`, e.code.typescript!, "nodejs").then(lifecycle),
    ]);
    expect(Object.keys(fromYaml).sort()).toEqual(exportsOf.yaml(e.code.yaml!));
    for (const [k, v] of Object.entries(fromYaml)) expect([k, v]).not.toEqual([k, null]);
    expect(masked(fromPython)).toEqual(masked(fromYaml));
    // A native ApiKey's id is <agentId>/<keyId>; the dynamic resource's is the key id.
    const keyIdsAlike = (v: unknown) => JSON.parse(JSON.stringify(masked(v)).replace(/<id>\/<id>/g, "<id>"));
    expect(keyIdsAlike(fromTypeScript)).toEqual(keyIdsAlike(fromYaml));
    // Example-specific claims.
    if (e.title === "A key that keeps working after it leaves the stack") {
      for (const out of [fromYaml, fromPython, fromTypeScript]) expect(await works(out.secret)).toBe(200);
    }
    if (e.token === "writer:index:ApiKey" && e.title.startsWith("A team-scoped key")) {
      const [agentId, keyId] = String(fromYaml.keyId).split("/");
      expect((await api().get(`/v1/admin/agents/${agentId}/keys/${keyId}`)).status).toBe(404); // destroyed
      expect(await works(fromYaml.secret)).toBe(401);
    }
  });
});

test("docs/installation-configuration.md: the explicit provider (Python, YAML) works with no writer:* stack config", async () => {
  const [snippets] = docsCode("installation-configuration.md");
  expect(Object.keys(snippets).sort()).toEqual(["python", "yaml"]);
  const here = (src: string) => src.replace("https://writer-admin.staging.example.com", server.url);
  const py = new ProjectStack("docs-provider-py", `${here(snippets.python!)}\npulumi.export("agentId", agent.id)\n`, pythonEnv(), "python");
  const ym = ProjectStack.yaml("docs-provider-yaml", `${here(snippets.yaml!)}outputs:\n  agentId: \${supportBot.id}\n`);
  for (const p of [py, ym]) {
    await p.init("test", {}, { stagingAdminToken: server.adminToken });
    await p.up();
    const { agentId } = await p.outputs();
    expect((await api().get(`/v1/admin/agents/${agentId}`)).body.capabilities).toEqual(["chat"]);
    // The provider's token is in its state only as ciphertext.
    expect((await p.exportState()).raw).not.toContain(server.adminToken);
    await p.destroy();
  }
});

describe("what the ApiKey description says about resource options on a live key", () => {
  const keyProgram = (v: { team: string; trigger: string; enabled: boolean; options: string }) => `
variables:
  team:
    fn::invoke:
      function: writer:index:getTeam
      arguments: { name: ${v.team} }
  owner:
    fn::invoke:
      function: writer:index:getUser
      arguments: { email: admin@example.com }
resources:
  agent:
    type: writer:index:ApiAgent
    properties: { name: options-doc, capabilities: [models], revokeDefaultKey: true }
  key:
    type: writer:index:ApiKey
    properties:
      agentId: \${agent.id}
      teamId: \${team.id}
      ownerId: \${owner.id}
      enabled: ${v.enabled}
      rotationTriggers: [${v.trigger}]
      rotateAfterDays: 1
    options: ${v.options}
outputs:
  keyId: \${key.id}
  secret: \${key.secret}
`;

  test("protect refuses delete and replace, lets rotations run; ignoreChanges stops trigger rotations and program edits, not due rotations nor the revert of a hand change", async () => {
    const options = "{ protect: true, ignoreChanges: [rotationTriggers, enabled, rotateAfterDays] }";
    const p = await stack("options-protect", keyProgram({ team: "Support", trigger: "v1", enabled: true, options }), "yaml");
    await p.up();
    const first = await p.outputs(true);
    expect(await works(first.secret)).toBe(200);

    // ignoreChanges: a new trigger and enabled: false in the program change nothing.
    p.setProgram(keyProgram({ team: "Support", trigger: "v2", enabled: false, options }));
    expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});

    // ...but a rotation rotateAfterDays makes due is planned all the same (two days from now).
    const now = p.env;
    p.env = { ...now, WRITER_CLOCK_SKEW_MS: String(2 * 86_400_000) };
    const due = await p.preview();
    p.env = now;
    expect(due.stdout).toMatch(/~ rotationAnchor/);
    expect(planCounts(due.stdout)).toEqual({ update: 1 });

    // protect: a new teamId (a replacement) fails the preview; destroy fails; the key still works.
    p.setProgram(keyProgram({ team: "Sales", trigger: "v2", enabled: false, options }));
    const replace = await p.run(["preview"], { allowFail: true });
    expect(replace.code).not.toBe(0);
    expect(replace.stdout + replace.stderr).toMatch(/unable to replace resource .*ApiKey::key/);
    p.setProgram(keyProgram({ team: "Support", trigger: "v2", enabled: false, options }));
    const destroy = await p.run(["destroy", "--yes", "--skip-preview"], { allowFail: true });
    expect(destroy.code).not.toBe(0);
    expect(destroy.stdout + destroy.stderr).toMatch(/ApiKey::key" cannot be deleted/);
    expect(await works(first.secret)).toBe(200);

    // A key disabled by hand: once a refresh read it, the next up enables it again (ignoreChanges or not).
    const [agentId, keyId] = String(first.keyId).split("/");
    expect((await api().patch(`/v1/admin/agents/${agentId}/keys/${keyId}`, { status: "disabled" })).status).toBe(200);
    expect(await works(first.secret)).toBe(401);
    await p.refresh();
    const revert = await p.preview();
    expect(planCounts(revert.stdout)).toEqual({ update: 1 });
    await p.up();
    expect(await works(first.secret)).toBe(200);

    // In-place updates run on a protected key, rotations included: without ignoreChanges, a new trigger rotates.
    const rotating = "{ protect: true }";
    p.setProgram(keyProgram({ team: "Support", trigger: "v2", enabled: true, options: rotating }));
    await p.up();
    p.setProgram(keyProgram({ team: "Support", trigger: "v3", enabled: true, options: rotating }));
    await p.up();
    const rotated = await p.outputs(true);
    expect(rotated.keyId).toBe(first.keyId);
    expect(rotated.secret).not.toBe(first.secret);
    expect(await works(rotated.secret)).toBe(200);

    await p.run(["state", "unprotect", "--all", "--yes"]);
    await p.destroy();
    expect(await works(rotated.secret)).toBe(401);
  });

  test("retainOnDelete leaves the old key of a replacement and a destroyed key working; deleting the agent revokes a retained key", async () => {
    const retained = "{ retainOnDelete: true }";
    const p = await stack("options-retain", keyProgram({ team: "Support", trigger: "v1", enabled: true, options: retained }), "yaml");
    await p.up();
    const first = await p.outputs(true);
    // A new team replaces the key: the old one is forgotten, not revoked.
    p.setProgram(keyProgram({ team: "Sales", trigger: "v1", enabled: true, options: retained }));
    await p.up();
    const second = await p.outputs(true);
    expect(second.keyId).not.toBe(first.keyId);
    expect([await works(first.secret), await works(second.secret)]).toEqual([200, 200]);
    // The agent is not retained: destroying it revokes every key it has, retained or not.
    await p.destroy();
    expect([await works(first.secret), await works(second.secret)]).toEqual([401, 401]);
    expect((await api().get(`/v1/admin/agents/${String(first.keyId).split("/")[0]}`)).status).toBe(404);
  });
});

// The native provider's schema is derived from the zod schemas; the committed schema.json is what
// the code generates (run `npm run schema` after changing inputs or outputs).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CAPABILITY_IDS } from "../../api";
import { buildSchema } from "../../provider/native/schema";

const root = join(__dirname, "..", "..");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const schema: any = buildSchema(version);

test("provider/native/schema.json equals what the code generates", () => {
  expect(JSON.parse(readFileSync(join(root, "provider", "native", "schema.json"), "utf8"))).toEqual(schema);
});

test("resources, functions, config and secrets as the issue asks", () => {
  expect(Object.keys(schema.resources).sort()).toEqual(["writer:index:AccessPolicy", "writer:index:AdminToken", "writer:index:AgentCapability", "writer:index:ApiAgent", "writer:index:ApiKey"]);
  expect(Object.keys(schema.functions).sort()).toEqual(["writer:index:getCapabilities", "writer:index:getTeam", "writer:index:getUsage", "writer:index:getUser"]);
  expect(schema.config.variables.adminToken.secret).toBe(true);
  expect(schema.provider.inputProperties.adminToken.secret).toBe(true);
  expect(schema.resources["writer:index:ApiKey"].properties.secret.secret).toBe(true);
  expect(schema.resources["writer:index:ApiAgent"].properties.defaultKeySecret.secret).toBe(true);
  // Derived from the zod inputs: every input of ApiKey but the provider's bookkeeping.
  expect(Object.keys(schema.resources["writer:index:ApiKey"].inputProperties).sort()).toEqual(
    ["agentId", "enabled", "expiresAt", "gracePeriodSeconds", "name", "ownerId", "requestsPerMinute", "rotateAfterDays", "rotationTriggers", "teamId", "tokenBudget", "tokensPerMinute"],
  );
  expect(schema.resources["writer:index:ApiKey"].requiredInputs).toEqual(["agentId"]);
  expect(schema.types["writer:index:Capability"].enum.map((e: any) => e.value)).toEqual([...CAPABILITY_IDS]);
});

/** The code blocks of each `{{% example %}}` in a description, by language. */
function examplesOf(description: string): { title: string; langs: string[] }[] {
  const inExamples = /\{\{% examples %\}\}\n## Example Usage\n([\s\S]*?)\{\{% \/examples %\}\}/.exec(description)?.[1] ?? "";
  return [...inExamples.matchAll(/\{\{% example %\}\}\n### (.+)\n\n([\s\S]*?)\{\{% \/example %\}\}/g)].map((m) => ({
    title: m[1],
    langs: [...m[2].matchAll(/```(\w+)\n[\s\S]*?```/g)].map((c) => c[1]),
  }));
}

test("every resource, component and function has a description with examples in TypeScript, Python and YAML (Pulumi's registry form)", () => {
  const documented = { ...schema.resources, ...schema.functions };
  expect(Object.keys(documented)).toHaveLength(9);
  for (const [token, def] of Object.entries<any>(documented)) {
    const examples = examplesOf(def.description ?? "");
    expect([token, examples.length > 0]).toEqual([token, true]);
    for (const e of examples) expect([token, e.title, e.langs]).toEqual([token, e.title, ["typescript", "python", "yaml"]]);
    // Prose before the examples: what it is.
    expect([token, def.description.indexOf("{{% examples %}}") > 40]).toEqual([token, true]);
  }
});

test("every property of every resource, type, function, the provider and its config has a description", () => {
  const missing: string[] = [];
  const check = (where: string, props: Record<string, any> | undefined) => {
    for (const [k, p] of Object.entries(props ?? {})) if (typeof p.description !== "string" || p.description.trim() === "") missing.push(`${where}.${k}`);
  };
  for (const [token, r] of Object.entries<any>(schema.resources)) {
    check(`${token} input`, r.inputProperties);
    check(`${token} output`, r.properties);
    expect([token, Object.keys(r.properties).length > 0]).toEqual([token, true]);
  }
  for (const [token, f] of Object.entries<any>(schema.functions)) {
    check(`${token} input`, f.inputs?.properties);
    check(`${token} output`, f.outputs?.properties);
  }
  for (const [token, t] of Object.entries<any>(schema.types)) {
    expect([token, typeof t.description]).toEqual([token, "string"]);
    check(token, t.properties);
    for (const e of t.enum ?? []) if (!e.description) missing.push(`${token} enum ${e.value}`);
  }
  check("provider", schema.provider.inputProperties);
  check("config", schema.config.variables);
  expect(missing).toEqual([]);
});

test("the ApiKey description says what retainOnDelete, protect and ignoreChanges mean for a live key", () => {
  const d: string = schema.resources["writer:index:ApiKey"].description;
  const prose = d.slice(0, d.indexOf("{{% examples %}}"));
  expect(prose).toMatch(/`retainOnDelete: true`[^\n]*keeps working in Writer/);
  expect(prose).toMatch(/`protect: true`[^\n]*refuses to delete or replace/);
  expect(prose).toMatch(/`ignoreChanges`[^\n]*rotationTriggers/);
});

test("docs/: registry front matter; _index.md has an example per language; installation-configuration.md names every config key and every env variable the provider reads", () => {
  const page = (f: string) => readFileSync(join(root, "docs", f), "utf8");
  const index = page("_index.md");
  const install = page("installation-configuration.md");
  for (const text of [index, install]) expect(text).toMatch(/^---\ntitle: .+\nmeta_desc: .+\nlayout: package\n---\n/);
  for (const lang of ["typescript", "python", "yaml"]) expect(index).toContain(`{{% choosable language ${lang} %}}\n\n\`\`\`${lang}\n`);
  for (const k of Object.keys(schema.config.variables)) expect(install).toContain(`\`writer:${k}\``);
  // Every env variable provider/ reads, found in its source (config.ts resolves them all today).
  const envs = new Set<string>();
  const walk = (dir: string): string[] =>
    require("node:fs").readdirSync(dir, { withFileTypes: true }).flatMap((d: any) => (d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
  for (const f of walk(join(root, "provider"))) {
    const src = readFileSync(f, "utf8");
    for (const m of src.matchAll(/env(?:\.|\[")(WRITER_\w+)|number\(env, "(WRITER_\w+)"/g)) envs.add(m[1] ?? m[2]);
  }
  expect([...envs].sort()).toEqual(expect.arrayContaining(["WRITER_ADMIN_TOKEN", "WRITER_BASE_URL", "WRITER_CLOCK_SKEW_MS", "WRITER_LOCAL_DATA_DIR", "WRITER_MAX_CONCURRENCY", "WRITER_RETRIES", "WRITER_RETRY_BACKOFF_MS", "WRITER_TIMEOUT_MS"]));
  for (const e of envs) expect([e, install.includes(`| \`${e}\` |`)]).toEqual([e, true]);
  expect(install).toContain(`pulumi plugin install resource writer ${version} --file pulumi-resource-writer-v${version}-linux-amd64.tar.gz`);
  expect(install).toContain(`--server ${schema.pluginDownloadURL.replace("${VERSION}", version)}`);
});

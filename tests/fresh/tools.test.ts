// The tool scripts on a machine that has never built anything: ensure-pulumi, ensure-random,
// ensure-python-venv and gen-python-sdk run with an EMPTY Go module cache, an empty tools folder
// (PULUMI_WRITER_TOOLS), an empty pip cache and no pulumi on PATH, but this machine's warm Go build
// cache (compiled packages are keyed by content, so this costs module downloads, not compiles).
// A script that reads a module's folder before anything downloaded it, or that relies on an
// earlier build having left something behind, fails here as it would for a new user.
// scripts/test.sh runs this project on its own, before the others, so its Go links and downloads
// never compete with timed tests for the two cores.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/pulumi";

jest.setTimeout(1_800_000);

mkdirSync(join(ROOT, ".tmp"), { recursive: true });
const work = mkdtempSync(join(ROOT, ".tmp", "fresh-"));
const tools = join(work, "tools");
const goEnv = (name: string) => execFileSync("go", ["env", name], { encoding: "utf8" }).trim();

const env: NodeJS.ProcessEnv = {
  ...process.env,
  GOMODCACHE: join(work, "gomod"),
  GOPATH: join(work, "gopath"),
  GOCACHE: goEnv("GOCACHE"),
  PIP_CACHE_DIR: join(work, "pip"),
  PULUMI_WRITER_TOOLS: tools,
  PULUMI_HOME: join(work, "pulumi-home"),
  // No engine of ours or anybody's on PATH.
  PATH: (process.env.PATH ?? "").split(":").filter((d) => !/pulumi|\.tools/.test(d)).join(":"),
};
delete env.GOFLAGS;

const log: string[] = [];
/** Runs a script the way a new user's machine would; returns its last stdout line. */
function script(name: string, ...args: string[]): string {
  const started = Date.now();
  try {
    const out = execFileSync("bash", [join(ROOT, "scripts", name), ...args], {
      env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 << 20, cwd: ROOT,
    });
    log.push(`${name}: ${Math.round((Date.now() - started) / 1000)} s`);
    return out.trim().split("\n").pop()!;
  } catch (e: any) {
    const stderr = String(e.stderr ?? "").split("\n").filter((l) => !l.startsWith("go: downloading")).slice(-15).join("\n");
    throw new Error(`${name} failed on an empty module cache (exit ${e.status}):\n${stderr}`);
  }
}

const porcelain = () => execFileSync("git", ["status", "--porcelain", "--ignored", "scripts", "sdk"], { cwd: ROOT, encoding: "utf8" });
const before = porcelain();

afterAll(() => {
  // Module cache files are read-only: `go clean -modcache` is the way to remove them.
  try { execFileSync("go", ["clean", "-modcache"], { env, stdio: "ignore" }); } catch { /* removed below */ }
  try { execFileSync("chmod", ["-R", "u+w", work], { stdio: "ignore" }); } catch { /* best effort */ }
  rmSync(work, { recursive: true, force: true });
  console.log(`fresh-machine tools: ${log.join(", ")}`);
});

test("ensure-pulumi builds the CLI and the Node.js, YAML and Python hosts from an empty module cache", () => {
  expect(readdirSync(join(work))).not.toContain("gomod");
  const bin = script("ensure-pulumi");
  expect(bin.startsWith(tools)).toBe(true);
  expect(readdirSync(bin)).toEqual(expect.arrayContaining([
    "pulumi", "pulumi-language-nodejs", "pulumi-language-yaml", "pulumi-language-python", "pulumi-language-python-exec",
    "pulumi-resource-pulumi-nodejs", "pulumi-resource-writer",
  ]));
  expect(execFileSync(join(bin, "pulumi"), ["version"], { env, encoding: "utf8" }).trim()).toBe("v3.259.0");
  // The patched Node.js host (RunPlugin for policy packs) and the Python host's exec script.
  expect(existsSync(join(bin, ".nodejs-host-runplugin"))).toBe(true);
  expect(statSync(join(bin, "pulumi-language-python-exec")).mode & 0o111).toBeTruthy();
  expect(readFileSync(join(bin, "pulumi-language-python-exec"), "utf8")).toMatch(/^#!/);
  // A second run finds what the first built.
  expect(script("ensure-pulumi")).toBe(bin);
});

test("ensure-random builds pulumi-resource-random from an empty module cache", () => {
  const dir = script("ensure-random");
  expect(dir.startsWith(tools)).toBe(true);
  expect(execFileSync(join(dir, "pulumi-resource-random"), ["-version"], { encoding: "utf8" }).trim()).toBe("4.21.1");
  expect(JSON.parse(readFileSync(join(dir, "schema.json"), "utf8")).version).toBe("4.21.1");
});

test("ensure-python-venv makes the venv from PyPI with an empty pip cache; the SDK imports", () => {
  const python = script("ensure-python-venv");
  expect(python.startsWith(tools)).toBe(true);
  const out = execFileSync(python, ["-c", "import pulumi, pulumi_writer; print(pulumi.__name__, pulumi_writer.__name__)"], { encoding: "utf8" });
  expect(out.trim()).toBe("pulumi pulumi_writer");
});

test("gen-python-sdk builds gensdk from an empty module cache and generates the committed SDK", () => {
  const out = join(work, "pysdk");
  expect(script("gen-python-sdk", out)).toBe(out);
  const files = (dir: string, base = ""): string[] =>
    readdirSync(join(dir, base)).flatMap((f) => (statSync(join(dir, base, f)).isDirectory() ? files(dir, join(base, f)) : [join(base, f)])).sort();
  expect(files(out)).toContain("pulumi_writer/api_key.py");
  for (const f of files(out)) expect([f, readFileSync(join(out, f), "utf8")]).toEqual([f, readFileSync(join(ROOT, "sdk", "python", f), "utf8")]);
});

test("the scripts wrote nothing into the checkout (it may be a read-only installed package)", () => {
  expect(porcelain()).toBe(before);
});

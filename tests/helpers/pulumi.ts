// Runs the real Pulumi engine (CLI built by scripts/ensure-pulumi) on programs written to a
// folder under .tmp/, fully offline: file backend, passphrase secrets, no update checks, no
// plugin downloads.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..");
export const PASSPHRASE = "pulumi-writer-tests";

let binDir: string | undefined;
/** The folder holding pulumi, its Node.js language host and the dynamic-provider launcher. */
export function pulumiBin(): string {
  if (!binDir) {
    const out = execFileSync("bash", [join(ROOT, "scripts", "ensure-pulumi")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    binDir = out.trim().split("\n").pop()!;
  }
  return binDir;
}

let randomDir: string | undefined;
/**
 * The folder holding pulumi-resource-random (@pulumi/random's plugin), built from Go modules by
 * scripts/ensure-random the first time a test needs it. Put it on PATH for programs that use it.
 */
export function randomPluginDir(): string {
  if (!randomDir) {
    const out = execFileSync("bash", [join(ROOT, "scripts", "ensure-random")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 1_200_000 });
    randomDir = out.trim().split("\n").pop()!;
  }
  return randomDir;
}

/** Env for a program that uses @pulumi/random: its plugin on PATH. */
export const withRandom = (): Record<string, string> => ({ PATH: `${randomPluginDir()}:${pulumiBin()}:${process.env.PATH}` });

export function pulumiEnv(backendDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${pulumiBin()}:${process.env.PATH}`,
    PULUMI_HOME: join(ROOT, ".tmp", "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    NO_COLOR: "1",
    ...extra,
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class ProjectStack {
  readonly dir: string;
  readonly backend: string;
  env: NodeJS.ProcessEnv;

  readonly runtime: "nodejs" | "yaml" | "python";

  constructor(readonly name: string, program: string, extraEnv: Record<string, string> = {}, runtime: "nodejs" | "yaml" | "python" = "nodejs") {
    mkdirSync(join(ROOT, ".tmp"), { recursive: true });
    this.runtime = runtime;
    this.dir = mkdtempSync(join(ROOT, ".tmp", `${name}-`));
    this.backend = join(this.dir, ".state");
    mkdirSync(this.backend);
    if (runtime === "nodejs") {
      writeFileSync(join(this.dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\ndescription: test program\n`);
      writeFileSync(join(this.dir, "package.json"), JSON.stringify({ name, main: "index.ts" }));
    } else if (runtime === "python") {
      writeFileSync(join(this.dir, "Pulumi.yaml"), `name: ${name}\nruntime: python\ndescription: test program\n`);
    }
    this.setProgram(program);
    this.env = pulumiEnv(this.backend, extraEnv);
  }

  /** A Pulumi YAML program: `body` is everything after name and runtime (resources, variables, outputs). */
  static yaml(name: string, body: string, extraEnv: Record<string, string> = {}): ProjectStack {
    return new ProjectStack(name, body, extraEnv, "yaml");
  }

  setProgram(program: string): void {
    if (this.runtime === "yaml") writeFileSync(join(this.dir, "Pulumi.yaml"), `name: ${this.name}\nruntime: yaml\n${program}`);
    else if (this.runtime === "python") writeFileSync(join(this.dir, "__main__.py"), program);
    else writeFileSync(join(this.dir, "index.ts"), program);
  }

  run(args: string[], opts: { allowFail?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
    return new Promise((resolveRun, reject) => {
      execFile(
        "pulumi",
        [...args, "--non-interactive"],
        { cwd: this.dir, env: this.env, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as any).code === "number" ? (err as any).code : 1) : 0;
          const r = { code, stdout: String(stdout), stderr: String(stderr) };
          if (code !== 0 && !opts.allowFail) reject(new Error(`pulumi ${args.join(" ")} exited ${code}\n${r.stdout}\n${r.stderr}`));
          else resolveRun(r);
        },
      );
    });
  }

  async init(stack = "test", config: Record<string, string> = {}, secrets: Record<string, string> = {}): Promise<void> {
    await this.run(["stack", "init", stack]);
    for (const [k, v] of Object.entries(config)) await this.run(["config", "set", k, v]);
    for (const [k, v] of Object.entries(secrets)) await this.run(["config", "set", "--secret", k, v]);
  }

  up(extra: string[] = []) {
    return this.run(["up", "--yes", "--skip-preview", ...extra]);
  }
  preview(extra: string[] = []) {
    return this.run(["preview", "--diff", ...extra]);
  }
  refresh(extra: string[] = []) {
    return this.run(["refresh", "--yes", "--skip-preview", ...extra]);
  }
  destroy(extra: string[] = []) {
    return this.run(["destroy", "--yes", "--skip-preview", ...extra]);
  }
  async outputs(showSecrets = false): Promise<Record<string, any>> {
    const r = await this.run(["stack", "output", "--json", ...(showSecrets ? ["--show-secrets"] : [])]);
    return JSON.parse(r.stdout);
  }
  async exportState(showSecrets = false): Promise<{ raw: string; json: any }> {
    const r = await this.run(["stack", "export", ...(showSecrets ? ["--show-secrets"] : [])]);
    return { raw: r.stdout, json: JSON.parse(r.stdout) };
  }
  /** Resources of a type in the exported state (outputs decrypted only with showSecrets). */
  async resources(type: string, showSecrets = false): Promise<any[]> {
    const { json } = await this.exportState(showSecrets);
    const token = type.includes(":") ? type : `pulumi-nodejs:dynamic/writer:${type}`;
    return (json.deployment.resources ?? []).filter((r: any) => r.type === token);
  }
}

/** "+ 1 to create", "~ 2 to update" ... counted from a preview's summary. */
export function planCounts(out: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of out.matchAll(/^\s*[+~\-+]*\s*(\d+) to (create|update|delete|replace)/gm)) counts[m[2]] = Number(m[1]);
  return counts;
}

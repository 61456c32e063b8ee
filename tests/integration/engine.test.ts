// Proof that the engine is real: the pinned Pulumi CLI and Node.js language host built from Go
// modules run a dynamic resource end to end, as a `runtime: nodejs` project and through the
// Automation API (inline program, engine in a child process).
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import * as pulumi from "@pulumi/pulumi";
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { planCounts, ProjectStack, pulumiEnv, ROOT } from "../helpers/pulumi";

jest.setTimeout(240_000);

const ECHO_PROGRAM = (value: number) => `
import * as pulumi from "@pulumi/pulumi";
const echo: pulumi.dynamic.ResourceProvider = {
  async create(inputs: any) { return { id: "echo-" + inputs.value, outs: { value: inputs.value, doubled: inputs.value * 2 } }; },
  async diff(_id: string, olds: any, news: any) { return { changes: olds.value !== news.value }; },
  async update(_id: string, _olds: any, news: any) { return { outs: { value: news.value, doubled: news.value * 2 } }; },
};
class Echo extends pulumi.dynamic.Resource {
  declare readonly doubled: pulumi.Output<number>;
  constructor(name: string, value: number) { super(echo, name, { value, doubled: undefined }, {}, "test", "Echo"); }
}
const e = new Echo("e1", ${value});
export const doubled = e.doubled;
export const id = e.id;
`;

test("CLI project: up, no-op preview, update, state export, destroy through the real engine", async () => {
  const p = new ProjectStack("engine-cli", ECHO_PROGRAM(21));
  await p.init();
  const version = await p.run(["version"]);
  expect(version.stdout.trim()).toMatch(/^v3\.\d+\.\d+$/);

  const up = await p.up();
  expect(up.stdout).toMatch(/2 created/);
  expect(await p.outputs()).toEqual({ doubled: 42, id: "echo-21" });

  const noop = await p.preview(["--expect-no-changes"]);
  expect(noop.code).toBe(0);
  expect(planCounts(noop.stdout)).toEqual({});

  const { json } = await p.exportState();
  const echo = json.deployment.resources.find((r: any) => r.type === "pulumi-nodejs:dynamic/test:Echo");
  expect(echo.id).toBe("echo-21");
  expect(echo.outputs.doubled).toBe(42);
  expect(typeof echo.inputs.__provider).toBe("string");

  p.setProgram(ECHO_PROGRAM(5));
  const pv = await p.preview();
  expect(planCounts(pv.stdout)).toEqual({ update: 1 });
  await p.up();
  expect((await p.outputs()).doubled).toBe(10);

  const d = await p.destroy();
  expect(d.stdout).toMatch(/2 deleted/);
  const after = await p.exportState();
  expect(after.json.deployment.resources ?? []).toHaveLength(0);
});

test("Automation API inline program: up, preview, destroy", async () => {
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  const workDir = mkdtempSync(join(ROOT, ".tmp", "engine-auto-"));
  const backend = join(workDir, ".state");
  mkdirSync(backend);
  const program = async () => {
    const provider: pulumi.dynamic.ResourceProvider = {
      async create(inputs: any) {
        return { id: `auto-${inputs.word}`, outs: { word: inputs.word, shout: String(inputs.word).toUpperCase() } };
      },
      async diff(_id: string, olds: any, news: any) {
        return { changes: olds.word !== news.word };
      },
    };
    class Shout extends pulumi.dynamic.Resource {
      declare readonly shout: pulumi.Output<string>;
    }
    const r = new Shout(provider, "w", { word: "hello", shout: undefined }, {}, "test", "Shout");
    return { shout: r.shout };
  };
  const env = pulumiEnv(backend) as Record<string, string>;
  process.env.PATH = env.PATH; // the Automation API finds the CLI on PATH
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "auto", projectName: "engine-auto", program },
    { workDir, envVars: env, pulumiHome: env.PULUMI_HOME, projectSettings: { name: "engine-auto", runtime: "nodejs", backend: { url: env.PULUMI_BACKEND_URL } } },
  );
  const up = await stack.up();
  expect(up.summary.result).toBe("succeeded");
  expect(up.outputs.shout.value).toBe("HELLO");
  const pv = await stack.preview();
  expect(pv.changeSummary).toEqual({ same: 2 });
  const state = await stack.exportStack();
  expect(state.deployment.resources.some((r: any) => r.id === "auto-hello")).toBe(true);
  const d = await stack.destroy();
  expect(d.summary.result).toBe("succeeded");
  expect((await stack.exportStack()).deployment.resources ?? []).toHaveLength(0);
});

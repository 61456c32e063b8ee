// Benchmark 1 and 2: provisioning at scale through the real Pulumi engine against writer-local,
// against the engine's own floor (the same N of a trivial dynamic resource with the same
// dependency shape, whose create returns at once). Every figure is a ratio measured in the same run.
import { performance } from "node:perf_hooks";
import { ProjectStack } from "../tests/helpers/pulumi";
import { startLocalServer } from "../tests/helpers/server";
import type { InstalledArchive } from "./plugin-archive";

export interface PhaseTimes {
  up: number;
  preview: number;
  refresh: number;
  destroy: number;
}
export interface SizeResult {
  n: number;
  ours: PhaseTimes;
  floor: PhaseTimes;
  ratio: PhaseTimes;
  stateBytesPerResource: { ours: number; floor: number; native: number };
  resources: { ours: number; floor: number; native: number };
  /** The same graph through the native provider (pulumi-resource-writer). */
  native: PhaseTimes;
  nativeRatio: PhaseTimes;
  /** The same again, served by the installed plugin archive (no checkout, no Node.js). */
  archive?: PhaseTimes;
  archiveRatio?: PhaseTimes;
}

const HEADER = `import * as pulumi from "@pulumi/pulumi";\n`;

/**
 * N resources in groups of four: an agent, two AgentCapability and one ApiKey on it (the three
 * depend on the agent). The floor has the same graph of a trivial dynamic resource.
 */
export function oursProgram(n: number): string {
  return `${HEADER}import * as writer from "pulumi-writer";
const groups = ${Math.ceil(n / 4)};
for (let i = 0; i < groups; i++) {
  const a = new writer.ApiAgent("agent-" + i, { name: "bench-agent-" + i, description: "bench" });
  new writer.AgentCapability("chat-" + i, { agentId: a.id, capability: "chat" });
  new writer.AgentCapability("models-" + i, { agentId: a.id, capability: "models" });
  new writer.ApiKey("key-" + i, { agentId: a.id, name: "bench-key-" + i });
}
`;
}

/** The same graph through the native provider: plain CustomResources of the `writer` package. */
export function nativeProgram(n: number): string {
  return `${HEADER}
const R = (t: string, name: string, props: any) => new pulumi.CustomResource("writer:index:" + t, name, props);
const groups = ${Math.ceil(n / 4)};
for (let i = 0; i < groups; i++) {
  const a = R("ApiAgent", "agent-" + i, { name: "bench-agent-" + i, description: "bench" });
  R("AgentCapability", "chat-" + i, { agentId: a.id, capability: "chat" });
  R("AgentCapability", "models-" + i, { agentId: a.id, capability: "models" });
  R("ApiKey", "key-" + i, { agentId: a.id, name: "bench-key-" + i });
}
`;
}

export function floorProgram(n: number): string {
  return `${HEADER}
const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: any) { return { id: Math.random().toString(36).slice(2), outs: inputs }; },
};
class Trivial extends pulumi.dynamic.Resource {
  constructor(name: string, props: any) { super(provider, name, props, undefined, "bench", "Trivial"); }
}
const groups = ${Math.ceil(n / 4)};
for (let i = 0; i < groups; i++) {
  const a = new Trivial("agent-" + i, { name: "bench-agent-" + i });
  new Trivial("chat-" + i, { agentId: a.id, capability: "chat" });
  new Trivial("models-" + i, { agentId: a.id, capability: "models" });
  new Trivial("key-" + i, { agentId: a.id, name: "bench-key-" + i });
}
`;
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}

async function phases(p: ProjectStack, log: (s: string) => void, label: string) {
  const up = await timed(() => p.up());
  const { raw, json } = await p.exportState();
  const resources = (json.deployment.resources ?? []).filter((r: any) => r.type.startsWith("pulumi-nodejs:dynamic/") || r.type.startsWith("writer:index:"));
  const stateBytes = Buffer.byteLength(raw);
  const preview = await timed(async () => {
    const r = await p.run(["preview", "--expect-no-changes"]);
    return r;
  });
  const refresh = await timed(() => p.refresh());
  const destroy = await timed(() => p.destroy());
  log(`  ${label}: up ${up.toFixed(1)}s preview ${preview.toFixed(1)}s refresh ${refresh.toFixed(1)}s destroy ${destroy.toFixed(1)}s, ${resources.length} resources, state ${stateBytes} B`);
  return { times: { up, preview, refresh, destroy }, stateBytes, count: resources.length };
}

/** Runs ours and the floor for each size; the local server is shared, its data dir fresh. */
export async function benchProvision(sizes: number[], log: (s: string) => void, archive?: InstalledArchive): Promise<SizeResult[]> {
  const server = await startLocalServer({ extraArgs: ["--log-level", "warn"] });
  const out: SizeResult[] = [];
  try {
    // Warm-up: the first engine run pays for plugin and TypeScript start-up caches.
    const warm = new ProjectStack("bench-warm", floorProgram(4));
    await warm.init("bench");
    await warm.up();
    await warm.destroy();
    for (const n of sizes) {
      log(`provisioning N=${n}`);
      const floor = new ProjectStack(`bench-floor-${n}`, floorProgram(n));
      await floor.init("bench");
      const f = await phases(floor, log, "floor");
      const ours = new ProjectStack(`bench-ours-${n}`, oursProgram(n));
      await ours.init("bench", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
      const o = await phases(ours, log, "ours ");
      const native = new ProjectStack(`bench-native-${n}`, nativeProgram(n));
      await native.init("bench", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
      const nv = await phases(native, log, "native");
      let av: Awaited<ReturnType<typeof phases>> | undefined;
      if (archive) {
        // Its own PULUMI_HOME, and ambient plugins ignored: the checkout's launcher on PATH is not used.
        const arch = new ProjectStack(`bench-archive-${n}`, nativeProgram(n), { PULUMI_HOME: archive.home, PULUMI_IGNORE_AMBIENT_PLUGINS: "true" });
        await arch.init("bench", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
        av = await phases(arch, log, "archive");
      }
      const vs = (x: PhaseTimes) => Object.fromEntries((Object.keys(x) as (keyof PhaseTimes)[]).map((k) => [k, x[k] / f.times[k]])) as unknown as PhaseTimes;
      out.push({
        n,
        ours: o.times,
        floor: f.times,
        ratio: vs(o.times),
        native: nv.times,
        nativeRatio: vs(nv.times),
        ...(av ? { archive: av.times, archiveRatio: vs(av.times) } : {}),
        stateBytesPerResource: { ours: o.stateBytes / o.count, floor: f.stateBytes / f.count, native: nv.stateBytes / nv.count },
        resources: { ours: o.count, floor: f.count, native: nv.count },
      });
    }
  } finally {
    await server.stop();
  }
  return out;
}

// The native provider as a release ships it: the plugin archive from `npm run package:plugin`,
// installed with `pulumi plugin install --file` into its own PULUMI_HOME. Its start-up (spawn to
// the port on stdout, the handshake every engine run waits for) is compared, interleaved, with the
// repository build run by the machine's Node.js; its `up` joins the provisioning benchmark.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pulumiBin, ROOT } from "../tests/helpers/pulumi";
import { interleave } from "./interleave";

export interface InstalledArchive {
  archive: string;
  /** A PULUMI_HOME holding only this plugin. */
  home: string;
  executable: string;
}

export function installArchive(): InstalledArchive {
  const out = execFileSync("bash", [join(ROOT, "scripts", "package-plugin")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const archive = out.trim().split("\n").pop()!;
  const version = require(join(ROOT, "package.json")).version as string;
  const home = mkdtempSync(join(tmpdir(), "bench-plugin-home-"));
  execFileSync(join(pulumiBin(), "pulumi"), ["plugin", "install", "resource", "writer", version, "--file", archive], {
    env: { ...process.env, PULUMI_HOME: home, PULUMI_SKIP_UPDATE_CHECK: "true" },
    stdio: "pipe",
  });
  return { archive, home, executable: join(home, "plugins", `resource-writer-v${version}`, "pulumi-resource-writer") };
}

/** Milliseconds from spawn until the plugin prints its port. */
function startUp(cmd: string, args: string[]): Promise<number> {
  const t = performance.now();
  const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((ok, fail) => {
    proc.stdout.once("data", () => {
      const ms = performance.now() - t;
      proc.kill();
      ok(ms);
    });
    proc.once("exit", (c) => fail(new Error(`${cmd} exited ${c} before printing its port`)));
  });
}

export async function benchStartUp(a: InstalledArchive, rounds: number) {
  const r = await interleave(
    rounds,
    () => startUp(a.executable, []),
    () => startUp(process.execPath, [join(ROOT, "dist", "provider", "native", "main.js")]),
    (ms) => ms,
  );
  return { archiveMs: r.medianA, repositoryMs: r.medianB, ratio: r.medianRatio };
}

/**
 * `up` of N resources through the native provider, from the repository build and from the
 * installed archive, against the dynamic floor: rounds in rotating order, a ratio to the floor per
 * round, medians, so a busy machine weighs on all three alike.
 */
export async function benchArchiveUp(a: InstalledArchive, n: number, rounds: number, log: (s: string) => void) {
  const { ProjectStack } = await import("../tests/helpers/pulumi");
  const { startLocalServer } = await import("../tests/helpers/server");
  const { floorProgram, nativeProgram } = await import("./provision");
  const server = await startLocalServer({ extraArgs: ["--log-level", "warn"] });
  const kinds = {
    floor: () => new ProjectStack(`ab-floor-${n}`, floorProgram(n)),
    repository: () => new ProjectStack(`ab-native-${n}`, nativeProgram(n)),
    archive: () => new ProjectStack(`ab-archive-${n}`, nativeProgram(n), { PULUMI_HOME: a.home, PULUMI_IGNORE_AMBIENT_PLUGINS: "true" }),
  };
  type Kind = keyof typeof kinds;
  const times: Record<Kind, number[]> = { floor: [], repository: [], archive: [] };
  const orders: Kind[][] = [["floor", "repository", "archive"], ["archive", "floor", "repository"], ["repository", "archive", "floor"]];
  try {
    for (let i = 0; i < rounds; i++) {
      for (const k of orders[i % orders.length]) {
        const p = kinds[k]();
        if (k === "floor") await p.init("bench");
        else await p.init("bench", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
        const t = performance.now();
        await p.up();
        times[k].push((performance.now() - t) / 1000);
        await p.destroy();
      }
      log(`  round ${i + 1}: up floor ${times.floor[i].toFixed(1)}s, native (repository) ${times.repository[i].toFixed(1)}s, native (archive) ${times.archive[i].toFixed(1)}s`);
    }
  } finally {
    await server.stop();
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const ratio = (k: Kind) => med(times[k].map((t, i) => t / times.floor[i]));
  return { n, rounds, times, repositoryVsFloor: ratio("repository"), archiveVsFloor: ratio("archive") };
}

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

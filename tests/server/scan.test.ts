// engine: sqlite (the scan command finds the store by the server's --data-dir)
// `writer-local scan` (README "When a key leaks"): a key deleted from the tree but kept in a git
// repository's history is found, named by commit and file, said to be live, and the exit code is 2.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { adminOf, useLocalServer } from "../helpers/server";


const srv = useLocalServer({ sqlite: true });
const api = adminOf(srv);

async function liveKey() {
  const a = await api.post("/v1/admin/agents", { name: `leaky-${Math.random()}`, capabilities: ["models"] });
  expect(a.status).toBe(201);
  return { agent: a.body.id as string, key: a.body.default_key.id as string, secret: a.body.default_key.secret as string };
}

test("`writer-local scan` finds a key deleted from the tree but kept in git history, says it is live, exits 2", async () => {
  const k = await liveKey();
  const repo = mkdtempSync(join(tmpdir(), "writer-scan-"));
  const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { stdio: "pipe" });
  git("init", "-q");
  writeFileSync(join(repo, "config.js"), `module.exports = { writerKey: "${k.secret}" };\n`);
  git("add", "."), git("commit", "-qm", "config");
  writeFileSync(join(repo, "config.js"), "module.exports = { writerKey: process.env.WRITER_API_KEY };\n");
  git("commit", "-qam", "key from the environment");
  expect(readFileSync(join(repo, "config.js"), "utf8")).not.toContain("writer_sk_");
  const cli = resolve(__dirname, "../../dist/server/cli.js");
  // On SQLite the store is one process's: while the server runs, scan says what to do instead.
  const busy = spawnSync(process.execPath, [resolve(__dirname, "../../dist/server/cli.js"), "scan", repo, "--data-dir", srv.dataDir], { encoding: "utf8", timeout: 30000 });
  expect(busy.status).toBe(1);
  expect(busy.stderr).toContain("stop the server, scan a copy of the data dir, or add --offline");
  await srv.stop();
  const r = spawnSync(process.execPath, [cli, "scan", repo, "--data-dir", srv.dataDir], { encoding: "utf8", timeout: 30000 });
  expect(r.stderr).toContain("1 key(s) found, 1 live");
  expect(r.stdout).toMatch(new RegExp(`^git [0-9a-f]{12} config.js  writer_sk_\\S+  LIVE  agent ${k.agent} key ${k.key}$`, "m"));
  expect(r.stdout).not.toContain(k.secret);
  expect(r.status).toBe(2);
  const offline = spawnSync(process.execPath, [cli, "scan", repo, "--offline", "--no-history"], { encoding: "utf8", timeout: 30000 });
  expect(offline.stderr).toContain("0 key(s) found, 0 live");
  expect(offline.status).toBe(0);
  rmSync(repo, { recursive: true, force: true });
});

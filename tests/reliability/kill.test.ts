// Crashes in the middle of a real `pulumi up`: writer-local SIGKILLed and restarted on the same data
// dir, and the engine (its whole process group) SIGKILLed. The next runs must converge with no
// orphan and no lost rows.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { admin, LocalServer, startLocalServer } from "../helpers/server";
import { planCounts, ProjectStack, ROOT } from "../helpers/pulumi";
import { expectConverged as expectConvergedWith, FAST_RETRIES, groupsProgram, serverInventory, sorted, stateInventory } from "./inventory";

jest.setTimeout(420_000);

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as any).port;
      s.close(() => ok(port));
    });
  });
async function waitFor(cond: () => Promise<boolean>, ms = 120_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(50);
  }
  throw new Error("condition not reached");
}

const expectConverged = (p: ProjectStack, server: LocalServer) => expectConvergedWith(p, admin(server.url, server.adminToken));

test("writer-local SIGKILLed mid-up and restarted on the same data dir: the next up converges; no orphan keys; no lost rows", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "writer-local-kill-"));
  const port = await freePort();
  const opts = { dataDir, adminToken: "kill-test-admin-token-0123456789abcdef", extraArgs: ["--port", String(port)] };
  let server = await startLocalServer(opts);
  const api = () => admin(server.url, server.adminToken);
  const p = new ProjectStack("srvkill", groupsProgram(80, "srvkill"), { ...FAST_RETRIES, WRITER_RETRIES: "6" });
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });

  const first = p.run(["up", "--yes", "--skip-preview"], { allowFail: true });
  await waitFor(async () => (await api().get("/v1/admin/agents?limit=100")).body.data.length >= 6);
  await server.stop("SIGKILL");
  // Every row that exists after the restart; it is read before the next `up` touches anything.
  server = await startLocalServer(opts);
  const afterCrash = await serverInventory(api());
  expect(afterCrash.agents.length).toBeGreaterThanOrEqual(6);
  const r1 = await first; // may succeed (retries spanned the restart) or fail; either way:
  await p.up();
  const { inv } = await expectConverged(p, server);
  // No lost rows: everything the server held after the crash is still there and in the state.
  const ids = new Set([...inv.agents.map((a) => a.id), ...inv.keys.map((k) => k.id)]);
  for (const x of [...afterCrash.agents, ...afterCrash.keys]) expect(ids.has(x.id)).toBe(true);
  expect(inv.agents).toHaveLength(20);
  expect(inv.keys).toHaveLength(40);
  expect(r1.code === 0 || /error/i.test(r1.stdout + r1.stderr)).toBe(true);

  await p.destroy();
  expect(await serverInventory(api())).toEqual({ agents: [], keys: [] });
  await server.stop();
});

function removeEmptyAttrs(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = join(e.parentPath ?? (e as any).path, e.name);
    if (e.isFile() && e.name.endsWith(".attrs") && statSync(file).size === 0) rmSync(file);
  }
}

function killProcessesIn(dir: string): void {
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.includes("dynamic-provider") && realpathSync(`/proc/${pid}/cwd`) === realpathSync(dir)) process.kill(Number(pid), "SIGKILL");
    } catch {
      /* gone already, or not ours to read */
    }
  }
}

test("the engine SIGKILLed mid-up: after clearing the lock and pending creates, refresh + up converge; no orphan agents or keys", async () => {
  const server = await startLocalServer();
  const api = admin(server.url, server.adminToken);
  const p = new ProjectStack("engkill", groupsProgram(80, "engkill"), FAST_RETRIES);
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });

  // The engine, its language host and the dynamic-provider process, in one process group.
  const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive"], { cwd: p.dir, env: p.env, detached: true, stdio: "ignore" });
  const exited = new Promise((ok) => child.on("exit", ok));
  await waitFor(async () => (await api.get("/v1/admin/agents?limit=100")).body.data.length >= 8);
  process.kill(-child.pid!, "SIGKILL");
  await exited;
  // The engine starts its plugins in process groups of their own: end the orphaned
  // dynamic-provider process too (found by its command and its working directory, the
  // program's), as a machine reboot or container stop would.
  killProcessesIn(p.dir);
  // The file backend keeps each blob's metadata in a `.attrs` file beside it, not written
  // atomically: a SIGKILL mid-write can leave it empty, and `pulumi` then fails with "failed to
  // load checkpoint: EOF". The checkpoint itself is intact; an empty `.attrs` carries nothing, so
  // removing it is the recovery (what a user of a file backend would do after a crash).
  removeEmptyAttrs(join(p.backend, ".pulumi"));

  // The file backend's lock outlives a SIGKILLed engine; `pulumi cancel` is for the Cloud backend.
  const locks = join(p.backend, ".pulumi", "locks");
  if (existsSync(locks)) rmSync(locks, { recursive: true, force: true });
  const killed = await stateInventory(p);
  const pendingCreates = killed.pending.filter((o) => o.type === "creating");
  const before = await serverInventory(api);

  await p.refresh(["--clear-pending-creates"]);
  await p.up();
  const state = await stateInventory(p);
  expect(state.pending).toEqual([]);
  const inv = await serverInventory(api);
  const inState = new Set([...state.agents, ...state.keys]);
  const orphanAgents = inv.agents.filter((a) => !inState.has(a.id));
  const orphanKeys = inv.keys.filter((k) => !inState.has(k.id));
  const report = {
    agentsOnServerAtKill: before.agents.length, keysOnServerAtKill: before.keys.length,
    pendingCreates: pendingCreates.map((o) => o.resource.urn.split("::").pop()),
    orphanAgents: orphanAgents.map((a) => a.name), orphanKeys: orphanKeys.map((k) => `${k.agent_id}/${k.name}`),
  };
  writeFileSync(join(ROOT, ".tmp", "engine-kill-report.json"), JSON.stringify(report, null, 2));
  // Every resource of the program is in the state and on the server.
  expect(state.agents).toHaveLength(20);
  expect(state.capabilities).toHaveLength(40);
  for (const id of [...state.agents, ...state.keys]) expect(inv.agents.some((a) => a.id === id) || inv.keys.some((k) => k.id === id)).toBe(true);
  // Creates the engine had sent but never recorded are replayed, not repeated: the provider derives
  // each create's Idempotency-Key from the resource's stable identity (provider/createOnce.ts).
  expect(orphanAgents).toEqual([]);
  expect(orphanKeys).toEqual([]);
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});

  await p.destroy();
  const left = await serverInventory(api);
  expect(left.agents).toEqual([]);
  expect(left.keys).toEqual([]);
  await server.stop();
});

// `pulumi up` / `destroy` of 100 resources through the real engine while writer-local injects 20%
// 429/5xx and drops 5% of connections (half of them after the write committed). One run each must
// succeed, and the server's inventory must equal the stack's state exactly.
import { admin, LocalServer, startLocalServer } from "../helpers/server";
import { planCounts, ProjectStack } from "../helpers/pulumi";
import { duplicates, FAST_RETRIES, groupsProgram, serverInventory, sorted, stateInventory } from "./inventory";

jest.setTimeout(420_000);

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer({ faults: "429=0.1,500=0.05,503=0.05,drop=0.05", extraArgs: ["--fault-seed", "7"] });
});
afterAll(async () => {
  await server?.stop();
});

test("100 resources: up succeeds in one run under 20% 429/5xx + 5% drops; inventory == state (no duplicates, no orphans); destroy leaves nothing", async () => {
  // The test's own admin calls go through the faults too, so they retry on 429/5xx/drops.
  const raw = admin(server.url, server.adminToken);
  const retrying = async <T>(f: () => Promise<T & { status: number }>): Promise<T & { status: number }> => {
    for (let i = 0; ; i++) {
      try {
        const r = await f();
        if (r.status < 429 || i > 40) return r;
      } catch (e) {
        if (i > 40) throw e;
      }
      await new Promise((ok) => setTimeout(ok, 20));
    }
  };
  const api = {
    ...raw,
    get: (path: string) => retrying(() => raw.get(path)),
  } as typeof raw;

  const p = new ProjectStack("faults", groupsProgram(100, "faulty"), FAST_RETRIES);
  await p.init("test", { "writer:baseUrl": server.url }, { "writer:adminToken": server.adminToken });
  const up = await p.up();
  expect(up.stdout).toMatch(/\+ 101 created/); // 100 resources and the stack

  const state = await stateInventory(p);
  expect(state.agents).toHaveLength(25);
  expect(state.keys).toHaveLength(50);
  expect(state.capabilities).toHaveLength(50);
  const inv = await serverInventory(api);
  expect(duplicates(inv.agents.map((a) => a.name))).toEqual([]);
  expect(duplicates(inv.keys.map((k) => `${k.agent_id}/${k.name}`))).toEqual([]);
  expect(sorted(inv.agents.map((a) => a.id))).toEqual(sorted(state.agents));
  expect(sorted(inv.keys.map((k) => k.id))).toEqual(sorted(state.keys));
  // Every agent has exactly chat+models on the server.
  for (const id of state.agents) {
    const a = await api.get(`/v1/admin/agents/${id}`);
    expect(a.body.capabilities).toEqual(["chat", "models"]);
  }
  // Converged: a no-op preview, even through the faults.
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});

  await p.destroy();
  const after = await serverInventory(api);
  expect(after).toEqual({ agents: [], keys: [] });
  expect((await stateInventory(p)).agents).toEqual([]);
  // The faults really happened.
  expect(server.output()).toMatch(/injected fault/);
});

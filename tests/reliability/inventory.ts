// Shared by the reliability suite: the server's live inventory (every agent not deleted, every key
// not revoked) and the stack's state, compared exactly.
import { planCounts, type ProjectStack } from "../helpers/pulumi";
import type { AdminClient } from "../helpers/server";

export interface Inventory {
  agents: { id: string; name: string }[];
  keys: { id: string; agent_id: string; name: string }[];
}

async function all(api: AdminClient, path: string): Promise<any[]> {
  const out: any[] = [];
  let after: string | undefined;
  for (;;) {
    const r = await api.get(`${path}?limit=100${after ? `&after=${after}` : ""}`);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    out.push(...r.body.data);
    if (!r.body.has_more) return out;
    after = r.body.last_id;
  }
}

export async function serverInventory(api: AdminClient): Promise<Inventory> {
  const agents = await all(api, "/v1/admin/agents");
  const keys: Inventory["keys"] = [];
  for (const a of agents) keys.push(...(await all(api, `/v1/admin/agents/${a.id}/keys`)));
  return { agents: agents.map((a) => ({ id: a.id, name: a.name })), keys: keys.map((k) => ({ id: k.id, agent_id: k.agent_id, name: k.name })) };
}

/** The ids the stack's state accounts for: agents, their default keys (unless revoked) and ApiKeys. */
export async function stateInventory(p: ProjectStack) {
  const { json } = await p.exportState();
  const res: any[] = json.deployment.resources ?? [];
  const of = (t: string) => res.filter((r) => r.type === `pulumi-nodejs:dynamic/writer:${t}`);
  const agents = of("ApiAgent").map((r) => r.id as string);
  const keys = [
    ...of("ApiAgent").filter((r) => r.outputs.defaultKeyId).map((r) => r.outputs.defaultKeyId as string),
    ...of("ApiKey").map((r) => r.id as string),
  ];
  const capabilities = of("AgentCapability").map((r) => `${r.outputs.agentId}/${r.outputs.capability}`);
  return { agents, keys, capabilities, pending: (json.deployment.pending_operations ?? []) as any[] };
}

export const sorted = (xs: string[]) => [...xs].sort();
export const duplicates = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);

/** A program of n resources in groups of four: an agent, two AgentCapability and an ApiKey. */
export function groupsProgram(n: number, prefix: string): string {
  return `import * as writer from "pulumi-writer";
for (let i = 0; i < ${Math.ceil(n / 4)}; i++) {
  const a = new writer.ApiAgent("agent-" + i, { name: "${prefix}-agent-" + i });
  new writer.AgentCapability("chat-" + i, { agentId: a.id, capability: "chat" });
  new writer.AgentCapability("models-" + i, { agentId: a.id, capability: "models" });
  new writer.ApiKey("key-" + i, { agentId: a.id, name: "${prefix}-key-" + i });
}
`;
}

/** Environment that keeps the provider's retries quick in fault runs. */
export const FAST_RETRIES = { WRITER_RETRY_BACKOFF_MS: "50", WRITER_RETRIES: "12", WRITER_TIMEOUT_MS: "5000" };

/** The stack's state and the server agree exactly (no pending operation, no orphan, no duplicate) and a preview plans nothing. */
export async function expectConverged(p: ProjectStack, api: AdminClient) {
  const state = await stateInventory(p);
  expect(state.pending).toEqual([]);
  const inv = await serverInventory(api);
  expect(sorted(inv.agents.map((a) => a.id))).toEqual(sorted(state.agents));
  expect(sorted(inv.keys.map((k) => k.id))).toEqual(sorted(state.keys));
  expect(planCounts((await p.preview(["--expect-no-changes"])).stdout)).toEqual({});
  return { state, inv };
}

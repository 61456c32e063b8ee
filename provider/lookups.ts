import type { CapabilityInfo, Team, User } from "../api";
import { call, directory, orGone } from "./admin";
import { AdminClient, client } from "./client";
import { LookupNotFoundError } from "./errors";

export async function getTeam(args: { name?: string; id?: string }, c: AdminClient = client()): Promise<Team> {
  if (args.id) {
    const t = await orGone(directory.team(c, args.id));
    if (!t) throw new LookupNotFoundError("team", `no team with id ${args.id}`);
    return t;
  }
  if (!args.name) throw new Error("getTeam: pass { name } or { id }");
  const names: string[] = [];
  for await (const t of directory.teams(c)) {
    if (t.name === args.name) return t;
    names.push(t.name);
  }
  throw new LookupNotFoundError("team", `no team named ${JSON.stringify(args.name)}; teams are: ${names.join(", ") || "(none)"}`);
}

export async function getUser(args: { email?: string; id?: string }, c: AdminClient = client()): Promise<User> {
  if (args.id) {
    const u = await orGone(directory.user(c, args.id));
    if (!u) throw new LookupNotFoundError("user", `no user with id ${args.id}`);
    return u;
  }
  if (!args.email) throw new Error("getUser: pass { email } or { id }");
  for await (const u of directory.usersByEmail(c, args.email)) if (u.email.toLowerCase() === args.email.toLowerCase()) return u;
  throw new LookupNotFoundError("user", `no user with email ${args.email}`);
}

export async function getCapabilities(c: AdminClient = client()): Promise<CapabilityInfo[]> {
  return (await directory.capabilities(c)).data;
}

/** Requests, tokens and refusals per UTC day. */
export interface UsageDay {
  date: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  refusals: Record<string, number>;
}
export interface Usage {
  agentId: string;
  keyId?: string;
  from: string;
  to: string;
  days: UsageDay[];
  totals: Omit<UsageDay, "date">;
}
export interface GetUsageArgs {
  agentId: string;
  /** One key of the agent (its id, or the native provider's `<agentId>/<keyId>`); omitted: all of them. */
  keyId?: string;
  /** First and last UTC day (YYYY-MM-DD); default the last 30 days. */
  from?: string;
  to?: string;
}

/**
 * Usage per UTC day of an agent, or of one of its keys, in the SDKs' names (the TypeScript lookup
 * and the native provider's invoke both answer this). Never a resource output: it moves on every call.
 */
export async function getUsage(args: GetUsageArgs, c: AdminClient = client()): Promise<Usage> {
  const query = { ...(args.from ? { from: args.from } : {}), ...(args.to ? { to: args.to } : {}) };
  // The native provider's ApiKey id is `<agentId>/<keyId>`: taken as it is, so a program passes `key.id`.
  const [keyAgent, keyId] = args.keyId?.includes("/") ? args.keyId.split("/", 2) : [args.agentId, args.keyId];
  if (keyAgent !== args.agentId) throw new Error(`getUsage: keyId ${args.keyId} is a key of agent ${keyAgent}, not of agentId ${args.agentId}: pass that agent's id, or a key of this one`);
  const r = keyId ? await call(c, "keyUsage", { id: args.agentId, key_id: keyId }, undefined, query) : await call(c, "agentUsage", { id: args.agentId }, undefined, query);
  const day = (d: { requests: number; prompt_tokens: number; completion_tokens: number; refusals: Record<string, number> }) => ({
    requests: d.requests, promptTokens: d.prompt_tokens, completionTokens: d.completion_tokens, refusals: d.refusals,
  });
  return {
    agentId: r.agent_id, ...(r.key_id ? { keyId: r.key_id } : {}), from: r.from, to: r.to,
    days: r.data.map((d) => ({ date: d.date, ...day(d) })), totals: day(r.totals),
  };
}

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

/** Usage per UTC day of an agent, or of one of its keys (never a resource output: it moves on every call). */
export async function getUsage(args: { agentId: string; keyId?: string; from?: string; to?: string }, c: AdminClient = client()) {
  const query = { ...(args.from ? { from: args.from } : {}), ...(args.to ? { to: args.to } : {}) };
  return args.keyId ? call(c, "keyUsage", { id: args.agentId, key_id: args.keyId }, undefined, query) : call(c, "agentUsage", { id: args.agentId }, undefined, query);
}

import * as pulumi from "@pulumi/pulumi";
import { getConfig } from "@pulumi/pulumi/runtime";
import type { CapabilityInfo } from "../api/capabilities";
import { CAPABILITIES } from "../api/endpoints";

// Lookups run in the program's process (dynamic providers cannot serve invokes), with the same
// configuration resolution as the provider: stack config, then env, then writer-local's token file.

export interface Team {
  id: string;
  name: string;
  createdAt: string;
}
export interface User {
  id: string;
  email: string;
  name: string;
  teamIds: string[];
  createdAt: string;
}
export type GetTeamArgs = { name: string; id?: never } | { id: string; name?: never };
export type GetUserArgs = { email: string; id?: never } | { id: string; email?: never };

function impl() {
  const p = require("../provider") as typeof import("../provider");
  p.setStackConfig({ get: (k: string) => getConfig(k) });
  return p;
}

/** Finds a team by name or id. */
export async function getTeam(args: GetTeamArgs): Promise<Team> {
  const t = await impl().getTeam(args);
  return { id: t.id, name: t.name, createdAt: t.created_at };
}

/** Finds a team by name or id, taking and giving Outputs. */
export function getTeamOutput(args: pulumi.Input<GetTeamArgs>): pulumi.Output<Team> {
  return pulumi.output(args).apply((a) => getTeam(a as GetTeamArgs));
}

/** Finds a user by email or id. */
export async function getUser(args: GetUserArgs): Promise<User> {
  const u = await impl().getUser(args);
  return { id: u.id, email: u.email, name: u.name, teamIds: u.team_ids, createdAt: u.created_at };
}

/** Finds a user by email or id, taking and giving Outputs. */
export function getUserOutput(args: pulumi.Input<GetUserArgs>): pulumi.Output<User> {
  return pulumi.output(args).apply((a) => getUser(a as GetUserArgs));
}

/** The capability catalog as the server reports it. */
export async function getCapabilities(): Promise<CapabilityInfo[]> {
  return impl().getCapabilities();
}

/** The capability catalog this package was built with (no server call). */
export const capabilityCatalog: readonly CapabilityInfo[] = CAPABILITIES;

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
  /** One key of the agent; omitted: all of them. */
  keyId?: string;
  /** First and last UTC day (YYYY-MM-DD); default the last 30 days. */
  from?: string;
  to?: string;
}

/**
 * What an agent's keys (or one key) used through the gateway. A lookup, not a resource output:
 * figures that move on every call would make every refreshing preview look like drift.
 */
export async function getUsage(args: GetUsageArgs): Promise<Usage> {
  const r = await impl().getUsage(args);
  const day = (d: { requests: number; prompt_tokens: number; completion_tokens: number; refusals: Record<string, number> }) => ({
    requests: d.requests, promptTokens: d.prompt_tokens, completionTokens: d.completion_tokens, refusals: d.refusals,
  });
  return {
    agentId: r.agent_id, ...(r.key_id ? { keyId: r.key_id } : {}), from: r.from, to: r.to,
    days: r.data.map((d) => ({ date: d.date, ...day(d) })), totals: day(r.totals),
  };
}

/** getUsage, taking and giving Outputs. */
export function getUsageOutput(args: pulumi.Input<GetUsageArgs>): pulumi.Output<Usage> {
  return pulumi.output(args).apply((a) => getUsage(a as GetUsageArgs));
}

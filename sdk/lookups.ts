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

export type { GetUsageArgs, Usage, UsageDay } from "../provider/lookups";
import type { GetUsageArgs, Usage } from "../provider/lookups";

/**
 * What an agent's keys (or one key) used through the gateway. A lookup, not a resource output:
 * figures that move on every call would make every refreshing preview look like drift.
 */
export async function getUsage(args: GetUsageArgs): Promise<Usage> {
  return impl().getUsage(args);
}

/** getUsage, taking and giving Outputs. */
export function getUsageOutput(args: pulumi.Input<GetUsageArgs>): pulumi.Output<Usage> {
  return pulumi.output(args).apply((a) => getUsage(a as GetUsageArgs));
}

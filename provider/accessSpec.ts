import { readFileSync } from "node:fs";
import { z } from "zod/v4";
import { LookupNotFoundError } from "./errors";
import { CapabilitySet, Description, describeIssues, Email, KEY_OWNER_REQUIRED, GracePeriodSeconds, Name, RequestsPerMinute, RotateAfterDays, Time as IsoTime, TokenBudget, TokensPerMinute } from "../api";

// The declarative Writer access spec behind `AccessPolicy`: its zod schema, how it is loaded
// (stack config or a YAML/JSON file) and how team names and owner emails resolve to ids. Every
// problem is reported with its path in the spec, all at once, before any API call that changes
// anything.

/** A map key in the spec: the stable id of an agent or key (part of its Pulumi resource name). */
const StableId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "use lowercase letters, digits, '-' or '_' (at most 63 characters), starting with a letter or digit");


/**
 * js-yaml reads an unquoted `2027-01-31T00:00:00Z` as a Date: take it back to ISO 8601. Whether
 * the time is in the past is the ApiKey's check to judge: a new past expiry is refused there, but
 * one that has passed since it was applied only warns, so an expired key never blocks a stack.
 */
const Time = z.preprocess((v) => (v instanceof Date && !isNaN(v.getTime()) ? v.toISOString() : v), IsoTime);

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
/** "24h", "30m", "7d", "90s" or a number of seconds; at most 7 days. */
const GracePeriod = z
  .union([z.number(), z.string()], { error: 'must be a duration such as "24h", "30m", "7d" or a number of seconds' })
  .transform((v, ctx) => {
    let seconds: number;
    if (typeof v === "number") seconds = v;
    else {
      const m = DURATION.exec(v.trim());
      if (!m) {
        ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a duration: use e.g. "24h", "30m", "7d" or a number of seconds` });
        return z.NEVER;
      }
      seconds = Number(m[1]) * UNIT_SECONDS[m[2]];
    }
    // The admin API's rule for grace periods, with its message.
    const r = GracePeriodSeconds.safeParse(seconds);
    if (!r.success) {
      for (const i of r.error.issues) ctx.addIssue({ code: "custom", message: i.message });
      return z.NEVER;
    }
    return seconds;
  });

const RenamedFrom = z.union([StableId, z.array(StableId)]).transform((v) => (Array.isArray(v) ? v : [v]));

const KeyFields = z.strictObject({
    /** Display name; defaults to the key's id. Renaming is an in-place update. */
    name: Name.optional(),
    /** Scope the key to this team (by name). Exactly one of `team` and `allTeams: true`. */
    team: z.string().trim().min(1, "must not be empty").optional(),
    /** `true` for a key valid for every team. */
    allTeams: z.literal(true, { error: "must be true (or leave it out and set team)" }).optional(),
    /** The key owner's email; required for a team key (and must be a member of the team). */
    owner: Email.optional(),
    /** `false` disables the key without revoking it. Default true. */
    enabled: z.boolean().optional(),
    /** When the key stops working (ISO 8601, in the future). */
    expiresAt: Time.optional(),
    /** Regenerate the secret in place after this many days. */
    rotateAfterDays: RotateAfterDays.optional(),
    /** How long the previous secret keeps working after a rotation ("24h", "7d", seconds). Default 24h. */
    gracePeriod: GracePeriod.optional(),
    /** Any string or number; changing it rotates the secret now (e.g. a date or an incident id). */
    rotation: z.union([z.string(), z.number()]).optional(),
    /** Former ids of this key (its map key) so that renaming the id keeps the same key. */
    renamedFrom: RenamedFrom.optional(),
    /** Gateway limits: requests and tokens per minute, and a token budget per UTC day or month. */
    requestsPerMinute: RequestsPerMinute.optional(),
    tokensPerMinute: TokensPerMinute.optional(),
    tokenBudget: TokenBudget.optional(),
  });

/** Cross-field rules, checked on the raw input so that an invalid owner is not also reported as missing. */
function keyRules(raw: unknown, ctx: { addIssue(i: any): void }): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const k = raw as Record<string, unknown>;
  const has = (f: string) => k[f] !== undefined && k[f] !== null;
  if (has("team") && k.allTeams === true)
    ctx.addIssue({ code: "custom", path: ["team"], message: "give either team or allTeams: true, not both", input: k.team });
  if (!has("team") && !has("allTeams"))
    ctx.addIssue({ code: "custom", path: ["team"], message: "is required: name the team (e.g. team: Support) or set allTeams: true", input: undefined });
  if (has("team") && !has("owner"))
    ctx.addIssue({ code: "custom", path: ["owner"], message: `${KEY_OWNER_REQUIRED} (their email)`, input: undefined });
  return raw;
}

export const KeySpec = z.preprocess(keyRules, KeyFields);
export type KeySpec = z.output<typeof KeySpec>;

export const AgentSpec = z.strictObject({
  /** Display name in AI Studio; defaults to the agent's id. Renaming is an in-place update. */
  name: Name.optional(),
  description: Description.optional(),
  /** The whole set of capabilities (default none). */
  capabilities: CapabilitySet.default([]),
  /** Revoke the "Production" all-teams key Writer creates with every agent. Default true. */
  revokeDefaultKey: z.boolean().default(true),
  /** Former ids of this agent (its map key) so that renaming the id keeps the same agent and keys. */
  renamedFrom: RenamedFrom.optional(),
  keys: z.record(StableId, KeySpec).default({}),
});
export type AgentSpec = z.output<typeof AgentSpec>;

export const AccessSpec = z.strictObject({
  agents: z.record(StableId, AgentSpec, { error: "must be a map of agent id to agent" }),
});
/** The spec as written (YAML/JSON/object). */
export type AccessSpecInput = z.input<typeof AccessSpec>;
/** The spec after validation and defaults. */
export type AccessSpec = z.output<typeof AccessSpec>;

/** One problem in a spec, with its path (`agents.support.keys.prod.owner`). */
export interface SpecIssue {
  path: string;
  message: string;
}

/** A spec that does not validate or resolve; `issues` lists every problem with its path. */
export class AccessSpecError extends Error {
  constructor(
    readonly issues: SpecIssue[],
    readonly source = "access spec",
  ) {
    super(
      `invalid Writer access spec (${source}): ${issues.length} problem${issues.length === 1 ? "" : "s"}\n` +
        issues.map((i) => `  ${i.path}: ${i.message}`).join("\n"),
    );
    this.name = "AccessSpecError";
  }
}


/** Validates a spec; throws AccessSpecError listing every issue with its path. */
export function parseAccessSpec(input: unknown, source?: string): AccessSpec {
  if (input === undefined || input === null)
    throw new AccessSpecError([{ path: "(spec)", message: "is missing: give an object with `agents`" }], source);
  const r = AccessSpec.safeParse(input);
  if (r.success) return r.data;
  const issues = describeIssues(r.error, { allowed: allowedFields }).map((i) => ({ path: i.field === "(body)" ? "(spec)" : i.field, message: i.message }));
  throw new AccessSpecError(issues, source);
}

function allowedFields(path: PropertyKey[]): string[] {
  const shape = path.length === 0 ? AccessSpec.shape : path.length === 2 ? AgentSpec.shape : KeyFields.shape;
  return Object.keys(shape);
}

/** Reads the spec from stack config (`writer:access` by default) as an object. */
export function accessSpecFromConfig(key = "writer:access"): { spec: unknown; source: string } {
  const { getConfig } = require("@pulumi/pulumi/runtime") as typeof import("@pulumi/pulumi/runtime");
  const raw = getConfig(key);
  if (raw === undefined)
    throw new AccessSpecError([{ path: "(spec)", message: `stack config ${key} is not set: add it to Pulumi.<stack>.yaml` }], `stack config ${key}`);
  try {
    return { spec: JSON.parse(raw), source: `stack config ${key}` };
  } catch {
    throw new AccessSpecError([{ path: "(spec)", message: `stack config ${key} must be an object (a YAML map), got a string` }], `stack config ${key}`);
  }
}

/** Reads the spec from a YAML or JSON file. */
export function accessSpecFromFile(path: string): { spec: unknown; source: string } {
  const yaml = require("js-yaml") as typeof import("js-yaml");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e: any) {
    throw new AccessSpecError([{ path: "(spec)", message: `cannot read ${path}: ${e.code ?? e.message}` }], path);
  }
  try {
    return { spec: yaml.load(text, { filename: path }), source: path };
  } catch (e: any) {
    throw new AccessSpecError([{ path: "(spec)", message: `not valid YAML/JSON: ${String(e.message).split("\n")[0]}` }], path);
  }
}

// ---- resolution of names and emails ----------------------------------------------------------

export interface TeamRef {
  id: string;
  name: string;
}
export interface UserRef {
  id: string;
  email: string;
  teamIds: string[];
}
export interface Lookups {
  getTeam(args: { name: string }): Promise<TeamRef>;
  getUser(args: { email: string }): Promise<UserRef>;
}

/** What each key's team and owner resolved to, by "agent/key". */
export type Resolution = Record<string, { teamId?: string; ownerId?: string }>;


/**
 * Resolves every team name and owner email (each looked up once), checks that each team key's
 * owner is a member of its team, and throws one AccessSpecError naming every path that failed.
 * Errors that are not "not found" (network, auth) are thrown as they are.
 */
export async function resolveAccessSpec(spec: AccessSpec, lookups: Lookups, source?: string): Promise<Resolution> {
  const teams = new Map<string, Promise<TeamRef>>();
  const users = new Map<string, Promise<UserRef>>();
  const team = (name: string) => teams.get(name) ?? teams.set(name, lookups.getTeam({ name })).get(name)!;
  const user = (email: string) => {
    const k = email.toLowerCase();
    return users.get(k) ?? users.set(k, lookups.getUser({ email })).get(k)!;
  };
  const issues: SpecIssue[] = [];
  const out: Resolution = {};
  const settle = async <T>(p: Promise<T>, path: string): Promise<T | undefined> => {
    try {
      return await p;
    } catch (e: any) {
      if (!(e instanceof LookupNotFoundError)) throw e;
      issues.push({ path, message: e.detail });
      return undefined;
    }
  };
  const jobs: Promise<void>[] = [];
  for (const [agentId, agent] of Object.entries(spec.agents)) {
    for (const [keyId, key] of Object.entries(agent.keys)) {
      const base = `agents.${agentId}.keys.${keyId}`;
      jobs.push(
        (async () => {
          const [t, u] = await Promise.all([
            key.team !== undefined ? settle(team(key.team), `${base}.team`) : undefined,
            key.owner !== undefined ? settle(user(key.owner), `${base}.owner`) : undefined,
          ]);
          if (t && u && !u.teamIds.includes(t.id))
            issues.push({ path: `${base}.owner`, message: `${key.owner} is not a member of team ${JSON.stringify(t.name)}: a team key's owner must be in the team` });
          out[`${agentId}/${keyId}`] = { teamId: t?.id, ownerId: u?.id };
        })(),
      );
    }
  }
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  if (issues.length) throw new AccessSpecError(issues.sort((a, b) => a.path.localeCompare(b.path)), source);
  return out;
}

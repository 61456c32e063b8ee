// Rows as both engines store them (integer-millisecond times, capabilities as a JSON array) and
// the API objects they become. One mapping, so SQLite and PostgreSQL answer byte for byte alike.
import type { Selectable } from "kysely";
import { CAPABILITY_IDS, type Agent, type Capability, type Key, type Team } from "../../api";
import type { KeysTable, LiveAgentsView, TeamsTable, UsersTable } from "./schema";

export const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());
export const isoReq = (ms: number): string => new Date(ms).toISOString();

export type TeamRow = Selectable<TeamsTable>;
export const toTeam = (r: TeamRow): Team => ({ id: r.id, name: r.name, created_at: isoReq(r.created_at) });

export type UserRow = Selectable<UsersTable>;
export type AgentRow = Selectable<LiveAgentsView>;

/** Capabilities are kept as a JSON array in catalog order, so the data-plane join reads them in one row. */
export function normaliseCapabilities(caps: readonly string[]): Capability[] {
  const set = new Set(caps);
  return CAPABILITY_IDS.filter((c) => set.has(c));
}

/** The stack that manages an object, from its three columns. */
export const managedBy = (r: { managed_project: string | null; managed_stack: string | null; managed_urn: string | null }) =>
  r.managed_urn !== null ? { project: r.managed_project ?? "", stack: r.managed_stack ?? "", urn: r.managed_urn } : null;
/** An object's managed columns from a provider's context (undefined: leave them as they are). */
export const managedColumns = (m: { project: string; stack: string; urn: string } | null | undefined) =>
  m ? { managed_project: m.project, managed_stack: m.stack, managed_urn: m.urn } : {};

export const toAgent = (r: AgentRow): Agent => ({
  id: r.id,
  name: r.name,
  description: r.description,
  capabilities: JSON.parse(r.capabilities),
  key_count: r.key_count,
  created_at: isoReq(r.created_at),
  updated_at: isoReq(r.updated_at),
  managed_by: managedBy(r),
});

export type KeyRow = Selectable<KeysTable>;

export const toKey = (r: KeyRow): Key => ({
  id: r.id,
  agent_id: r.agent_id,
  name: r.name,
  scope: r.scope,
  team_id: r.team_id,
  owner_id: r.owner_id,
  status: r.status,
  masked: r.masked,
  created_at: isoReq(r.created_at),
  updated_at: isoReq(r.updated_at),
  rotated_at: iso(r.rotated_at),
  expires_at: iso(r.expires_at),
  last_used_at: iso(r.last_used_at),
  previous_secret_expires_at: iso(r.previous_secret_expires_at),
  requests_per_minute: r.requests_per_minute,
  tokens_per_minute: r.tokens_per_minute,
  token_budget: r.budget_tokens !== null && r.budget_period !== null ? { tokens: r.budget_tokens, period: r.budget_period } : null,
  managed_by: managedBy(r),
});

/** A key's values after a patch (undefined: keep), shared by both engines' updates. */
export function patchedKey(cur: KeyRow, p: import("./types").KeyPatch) {
  const keep = <T>(v: T | undefined, old: T) => (v === undefined ? old : v);
  const budget = p.token_budget === undefined ? (cur.budget_tokens !== null ? { tokens: cur.budget_tokens, period: cur.budget_period! } : null) : p.token_budget;
  return {
    name: p.name ?? cur.name,
    owner_id: keep(p.owner_id, cur.owner_id),
    status: p.status ?? cur.status,
    expires_at: p.expires_at === undefined ? cur.expires_at : p.expires_at === null ? null : Date.parse(p.expires_at),
    requests_per_minute: keep(p.requests_per_minute, cur.requests_per_minute),
    tokens_per_minute: keep(p.tokens_per_minute, cur.tokens_per_minute),
    budget_tokens: budget?.tokens ?? null,
    budget_period: budget?.period ?? null,
  };
}

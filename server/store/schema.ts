// The tables both engines hold, with the same names, columns and units (times are integer
// milliseconds, capabilities a JSON array), as the query builder sees them.
import type { Generated } from "kysely";

export interface TeamsTable { seq: Generated<number>; id: string; name: string; created_at: number }
export interface UsersTable { seq: Generated<number>; id: string; email: string; name: string; created_at: number }
export interface UserTeamsTable { user_id: string; team_id: string }
export interface AgentsTable {
  seq: Generated<number>; id: string; name: string; description: string; capabilities: string;
  created_at: number; updated_at: number; deleted_at: number | null;
}
/** Live agents with their live keys counted (a view in both engines). */
export interface LiveAgentsView extends Omit<AgentsTable, "seq"> { seq: number; key_count: number }
export interface KeysTable {
  seq: Generated<number>; id: string; agent_id: string; name: string; scope: "all_teams" | "team";
  team_id: string | null; owner_id: string | null; status: "active" | "disabled"; masked: string;
  secret_hash: string; previous_secret_hash: string | null; previous_secret_expires_at: number | null;
  created_at: number; updated_at: number; rotated_at: number | null; expires_at: number | null;
  last_used_at: number | null; revoked_at: number | null;
  requests_per_minute: number | null; tokens_per_minute: number | null; budget_tokens: number | null; budget_period: "day" | "month" | null;
}
export interface IdempotencyTable { key_hash: string; request_hash: string; status: number; iv: Buffer; tag: Buffer; body: Buffer; created_at: number }
export interface UsageDailyTable {
  key_id: string; agent_id: string; day: string; requests: number; prompt_tokens: number; completion_tokens: number; estimated_tokens: number;
}
export interface RefusalsDailyTable { key_id: string; agent_id: string; day: string; reason: string; count: number }
export interface OwnedObjectsTable { kind: string; id: string; agent_id: string; team_id: string | null; created_at: number }

export interface Schema {
  teams: TeamsTable;
  users: UsersTable;
  user_teams: UserTeamsTable;
  agents: AgentsTable;
  live_agents: LiveAgentsView;
  keys: KeysTable;
  idempotency: IdempotencyTable;
  usage_daily: UsageDailyTable;
  refusals_daily: RefusalsDailyTable;
  owned_objects: OwnedObjectsTable;
}

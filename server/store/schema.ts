// The tables both engines hold, with the same names, columns and units (times are integer
// milliseconds, capabilities a JSON array), as the query builder sees them.
import type { Generated, Selectable } from "kysely";

export interface TeamsTable { seq: Generated<number>; id: string; name: string; created_at: number }
export interface UsersTable { seq: Generated<number>; id: string; email: string; name: string; created_at: number }
export interface UserTeamsTable { user_id: string; team_id: string }
/** The stack that manages an object (recorded from a provider's X-Pulumi-* headers). */
export interface ManagedColumns { managed_project: string | null; managed_stack: string | null; managed_urn: string | null }
export interface AgentsTable extends ManagedColumns {
  seq: Generated<number>; id: string; name: string; description: string; capabilities: string;
  created_at: number; updated_at: number; deleted_at: number | null;
}
/** Live agents with their live keys counted (a view in both engines). */
export interface LiveAgentsView extends Omit<AgentsTable, "seq"> { seq: number; key_count: number }
export interface KeysTable extends ManagedColumns {
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

export interface AdminTokensTable {
  seq: Generated<number>; id: string; name: string; role: "org_admin" | "team_admin" | "viewer"; team_id: string | null;
  masked: string; secret_hash: string; created_at: number; last_used_at: number | null; revoked_at: number | null;
}
export type AdminTokenRow = Selectable<AdminTokensTable>;
export interface AuditLogTable {
  seq: Generated<number>; id: string; at: number; actor: string | null; source: string; request_id: string; remote_address: string;
  action: string; object_kind: string; object_id: string | null; changes: string; outcome: string; pulumi: string | null; prev_hash: string; hash: string;
}
export type AuditRow = Selectable<AuditLogTable>;
/** Console sign-ins: in the database, so any replica serves any signed-in admin. */
export interface ConsoleSessionsTable { id_hash: string; token_id: string; flash: string | null; expires_at: number }

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
  admin_tokens: AdminTokensTable;
  audit_log: AuditLogTable;
  console_sessions: ConsoleSessionsTable;
}

import { z } from "zod/v4";
import { Text } from "./fields";
import { AgentCapabilityParams, AgentIdParams, AgentSchema, AgentWithDefaultKeySchema, CreateAgentSchema, UpdateAgentSchema } from "./agents";
import { CapabilitySchema } from "./capabilities";
import { Page, PageQuery } from "./common";
import { CreateKeySchema, KeyParams, KeySchema, KeyWithSecretSchema, RegenerateKeySchema, UpdateKeySchema } from "./keys";
import { CreateTeamSchema, TeamIdParams, TeamSchema } from "./teams";
import { CreateUserSchema, UserIdParams, UserPageQuery, UserSchema } from "./users";
import { UsageQuerySchema, UsageReportSchema } from "./usage";
import { AdminTokenIdParams, AdminTokenSchema, AdminTokenWithSecretSchema, AuditEntrySchema, AuditQuerySchema, CreateAdminTokenSchema, type Role } from "./admins";

/**
 * A client that has durably recorded the answers of its idempotent creates releases their keys:
 * a later request with the same Idempotency-Key then creates anew instead of replaying (see
 * provider/createOnce.ts for why a Pulumi provider needs this).
 */
export const RELEASE_MAX_REQUESTS = 10000;
const RELEASE_PATH_MAX = 2048;
const RELEASE_KEY_MAX = 255;
export const ReleaseIdempotencySchema = z.strictObject({
  requests: z.array(z.strictObject({ path: Text(RELEASE_PATH_MAX, 1), idempotency_key: Text(RELEASE_KEY_MAX, 1) })).min(1).max(RELEASE_MAX_REQUESTS),
});
/**
 * The release body's byte limit: the most entries at their longest (written in ASCII) fit, so a
 * body the schema refuses is refused by the schema (400 naming the field) and not by its size.
 */
const RELEASE_BODY_LIMIT = RELEASE_MAX_REQUESTS * (RELEASE_PATH_MAX + RELEASE_KEY_MAX + 64);
export const ReleasedSchema = z.object({ released: z.number().int() });

/**
 * One admin route of the contract. writer-local registers exactly these (with these schemas for
 * validation and serialization), the OpenAPI document is generated from what it registered, and
 * the provider's calls are typed by them: a new endpoint is one entry here and one handler.
 */
export interface AdminRoute {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** OpenAPI-style path, `{param}`. */
  path: string;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success status and its body (none for 204). */
  status: 200 | 201 | 204;
  response?: z.ZodType;
  /** The roles that may call it; any other answers 403 naming them. */
  roles: readonly Role[];
  /** For a team_admin: only the objects of its own team (keys scoped to it; its members), else 403 or 404. */
  team?: "keys" | "users";
  /** What the schemas cannot say (rules answered 422, what an empty body does), for the operation's description. */
  notes?: string;
  /** The request body's byte limit (413 past it), when not the admin API's 1 MiB. */
  bodyLimit?: number;
}

// The rules a schema cannot state, in words, once for every operation that has them.
const CURSOR_NOTES = "after and before are ids of this list's objects (422 for any other) and exclude each other (422 for both at once).";
const USAGE_NOTES = "from defaults to 29 days before to, to to today (UTC); 422 when from is after to or the range spans more than 366 days.";
const PATCH_NOTES = "The body is optional: none is the same as {}, which changes no field (updated_at is set all the same).";

const EVERYONE: readonly Role[] = ["org_admin", "team_admin", "viewer"];
const READERS: readonly Role[] = ["org_admin", "viewer"];
const ORG: readonly Role[] = ["org_admin"];
const KEY_ADMINS: readonly Role[] = ["org_admin", "team_admin"];
const route = <R extends Omit<AdminRoute, "roles">>(r: R, roles: readonly Role[] = ORG) => ({ ...r, roles });

export const ADMIN_ROUTES = {
  listCapabilities: route({ method: "GET", path: "/v1/admin/capabilities", summary: "List the capability catalog", status: 200, response: z.object({ data: z.array(CapabilitySchema) })  }, EVERYONE),
  listTeams: route({ method: "GET", path: "/v1/admin/teams", summary: "List teams", query: PageQuery, notes: CURSOR_NOTES, status: 200, response: Page(TeamSchema)  }, EVERYONE),
  createTeam: route({ method: "POST", path: "/v1/admin/teams", summary: "Create a team", body: CreateTeamSchema, status: 201, response: TeamSchema }),
  getTeam: route({ method: "GET", path: "/v1/admin/teams/{id}", summary: "Get a team", params: TeamIdParams, status: 200, response: TeamSchema  }, EVERYONE),
  listUsers: route({ method: "GET", path: "/v1/admin/users", summary: "List users (?email= matches case-insensitively)", query: UserPageQuery, notes: CURSOR_NOTES, status: 200, response: Page(UserSchema) , team: "users" as const }, EVERYONE),
  createUser: route({ method: "POST", path: "/v1/admin/users", summary: "Create a user", body: CreateUserSchema, status: 201, response: UserSchema }),
  getUser: route({ method: "GET", path: "/v1/admin/users/{id}", summary: "Get a user", params: UserIdParams, status: 200, response: UserSchema , team: "users" as const }, EVERYONE),
  createAgent: route({ method: "POST", path: "/v1/admin/agents", summary: "Create an API agent with its default 'Production' key", body: CreateAgentSchema, status: 201, response: AgentWithDefaultKeySchema }),
  listAgents: route({ method: "GET", path: "/v1/admin/agents", summary: "List agents", query: PageQuery, notes: CURSOR_NOTES, status: 200, response: Page(AgentSchema)  }, EVERYONE),
  getAgent: route({ method: "GET", path: "/v1/admin/agents/{id}", summary: "Get an agent", params: AgentIdParams, status: 200, response: AgentSchema  }, EVERYONE),
  updateAgent: route({ method: "PATCH", path: "/v1/admin/agents/{id}", summary: "Update an agent (capabilities replaces the whole set)", params: AgentIdParams, body: UpdateAgentSchema, notes: PATCH_NOTES, status: 200, response: AgentSchema }),
  deleteAgent: route({ method: "DELETE", path: "/v1/admin/agents/{id}", summary: "Delete an agent and revoke all its keys", params: AgentIdParams, status: 204 }),
  enableCapability: route({ method: "PUT", path: "/v1/admin/agents/{id}/capabilities/{capability}", summary: "Enable one capability (idempotent)", params: AgentCapabilityParams, status: 200, response: AgentSchema }),
  disableCapability: route({ method: "DELETE", path: "/v1/admin/agents/{id}/capabilities/{capability}", summary: "Disable one capability (idempotent)", params: AgentCapabilityParams, status: 200, response: AgentSchema }),
  createKey: route({ method: "POST", path: "/v1/admin/agents/{id}/keys", summary: "Create an API key (the secret is returned once)", params: AgentIdParams, body: CreateKeySchema, status: 201, response: KeyWithSecretSchema , team: "keys" as const }, KEY_ADMINS),
  listKeys: route({ method: "GET", path: "/v1/admin/agents/{id}/keys", summary: "List an agent's keys", params: AgentIdParams, query: PageQuery, notes: CURSOR_NOTES, status: 200, response: Page(KeySchema) , team: "keys" as const }, EVERYONE),
  getKey: route({ method: "GET", path: "/v1/admin/agents/{id}/keys/{key_id}", summary: "Get a key (never its secret)", params: KeyParams, status: 200, response: KeySchema , team: "keys" as const }, EVERYONE),
  updateKey: route({ method: "PATCH", path: "/v1/admin/agents/{id}/keys/{key_id}", summary: "Update a key's name, owner, status or expiry", params: KeyParams, body: UpdateKeySchema, notes: PATCH_NOTES, status: 200, response: KeySchema , team: "keys" as const }, KEY_ADMINS),
  regenerateKey: route({ method: "POST", path: "/v1/admin/agents/{id}/keys/{key_id}/regenerate", summary: "New secret for the same key; the old one works for the grace period", params: KeyParams, body: RegenerateKeySchema, notes: "The body is optional: none is the same as {}, so the previous secret stops working at once (grace_period_seconds 0).", status: 200, response: KeyWithSecretSchema , team: "keys" as const }, KEY_ADMINS),
  agentUsage: route({ method: "GET", path: "/v1/admin/agents/{id}/usage", summary: "Requests, tokens and refusals per UTC day of all the agent's keys (?from=&to=, default the last 30 days)", params: AgentIdParams, query: UsageQuerySchema, notes: USAGE_NOTES, status: 200, response: UsageReportSchema  }, READERS),
  keyUsage: route({ method: "GET", path: "/v1/admin/agents/{id}/keys/{key_id}/usage", summary: "Requests, tokens and refusals per UTC day of one key (?from=&to=, default the last 30 days)", params: KeyParams, query: UsageQuerySchema, notes: USAGE_NOTES, status: 200, response: UsageReportSchema , team: "keys" as const }, EVERYONE),
  releaseIdempotency: route({ method: "POST", path: "/v1/admin/idempotency/release", summary: "Stop replaying these idempotent POSTs: the client has recorded their answers", body: ReleaseIdempotencySchema, bodyLimit: RELEASE_BODY_LIMIT, status: 200, response: ReleasedSchema  }, KEY_ADMINS),
  createToken: route({ method: "POST", path: "/v1/admin/tokens", summary: "Create an admin token (its secret is returned once)", body: CreateAdminTokenSchema, status: 201, response: AdminTokenWithSecretSchema }),
  listTokens: route({ method: "GET", path: "/v1/admin/tokens", summary: "List admin tokens (never their secrets)", query: PageQuery, notes: CURSOR_NOTES, status: 200, response: Page(AdminTokenSchema) }),
  getToken: route({ method: "GET", path: "/v1/admin/tokens/{id}", summary: "Get an admin token", params: AdminTokenIdParams, status: 200, response: AdminTokenSchema }),
  revokeToken: route({ method: "DELETE", path: "/v1/admin/tokens/{id}", summary: "Revoke an admin token (it stops working at once)", params: AdminTokenIdParams, status: 204 }),
  listAudit: route({ method: "GET", path: "/v1/admin/audit", summary: "The audit log, newest first (?object_id=&actor=&action=&from=&to= and cursor parameters)", query: AuditQuerySchema, notes: CURSOR_NOTES, status: 200, response: Page(AuditEntrySchema) }, READERS),
  revokeKey: route({ method: "DELETE", path: "/v1/admin/agents/{id}/keys/{key_id}", summary: "Revoke a key (stops working at once)", params: KeyParams, status: 204 , team: "keys" as const }, KEY_ADMINS),
};
export type AdminRoutes = typeof ADMIN_ROUTES;
export type AdminRouteId = keyof AdminRoutes;

/** The error statuses any admin route may answer, each with Writer's error body. */
export const ADMIN_ERROR_STATUSES = [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503] as const;

/** "/v1/admin/agents/{id}" -> "/v1/admin/agents/:id" (Fastify's syntax). */
export const toRouterPath = (p: string) => p.replace(/\{(\w+)\}/g, ":$1");

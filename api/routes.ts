import { z } from "zod/v4";
import { AgentCapabilityParams, AgentIdParams, AgentSchema, AgentWithDefaultKeySchema, CreateAgentSchema, UpdateAgentSchema } from "./agents";
import { CapabilitySchema } from "./capabilities";
import { Page, PageQuery } from "./common";
import { CreateKeySchema, KeyParams, KeySchema, KeyWithSecretSchema, RegenerateKeySchema, UpdateKeySchema } from "./keys";
import { CreateTeamSchema, TeamIdParams, TeamSchema } from "./teams";
import { CreateUserSchema, UserIdParams, UserPageQuery, UserSchema } from "./users";
import { UsageQuerySchema, UsageReportSchema } from "./usage";

/**
 * A client that has durably recorded the answers of its idempotent creates releases their keys:
 * a later request with the same Idempotency-Key then creates anew instead of replaying (see
 * provider/createOnce.ts for why a Pulumi provider needs this).
 */
export const ReleaseIdempotencySchema = z.strictObject({
  requests: z.array(z.strictObject({ path: z.string().min(1).max(2048), idempotency_key: z.string().min(1).max(255) })).min(1).max(10000),
});
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
}

const route = <R extends AdminRoute>(r: R) => r;

export const ADMIN_ROUTES = {
  listCapabilities: route({ method: "GET", path: "/v1/admin/capabilities", summary: "List the capability catalog", status: 200, response: z.object({ data: z.array(CapabilitySchema) }) }),
  listTeams: route({ method: "GET", path: "/v1/admin/teams", summary: "List teams", query: PageQuery, status: 200, response: Page(TeamSchema) }),
  createTeam: route({ method: "POST", path: "/v1/admin/teams", summary: "Create a team", body: CreateTeamSchema, status: 201, response: TeamSchema }),
  getTeam: route({ method: "GET", path: "/v1/admin/teams/{id}", summary: "Get a team", params: TeamIdParams, status: 200, response: TeamSchema }),
  listUsers: route({ method: "GET", path: "/v1/admin/users", summary: "List users (?email= matches case-insensitively)", query: UserPageQuery, status: 200, response: Page(UserSchema) }),
  createUser: route({ method: "POST", path: "/v1/admin/users", summary: "Create a user", body: CreateUserSchema, status: 201, response: UserSchema }),
  getUser: route({ method: "GET", path: "/v1/admin/users/{id}", summary: "Get a user", params: UserIdParams, status: 200, response: UserSchema }),
  createAgent: route({ method: "POST", path: "/v1/admin/agents", summary: "Create an API agent with its default 'Production' key", body: CreateAgentSchema, status: 201, response: AgentWithDefaultKeySchema }),
  listAgents: route({ method: "GET", path: "/v1/admin/agents", summary: "List agents", query: PageQuery, status: 200, response: Page(AgentSchema) }),
  getAgent: route({ method: "GET", path: "/v1/admin/agents/{id}", summary: "Get an agent", params: AgentIdParams, status: 200, response: AgentSchema }),
  updateAgent: route({ method: "PATCH", path: "/v1/admin/agents/{id}", summary: "Update an agent (capabilities replaces the whole set)", params: AgentIdParams, body: UpdateAgentSchema, status: 200, response: AgentSchema }),
  deleteAgent: route({ method: "DELETE", path: "/v1/admin/agents/{id}", summary: "Delete an agent and revoke all its keys", params: AgentIdParams, status: 204 }),
  enableCapability: route({ method: "PUT", path: "/v1/admin/agents/{id}/capabilities/{capability}", summary: "Enable one capability (idempotent)", params: AgentCapabilityParams, status: 200, response: AgentSchema }),
  disableCapability: route({ method: "DELETE", path: "/v1/admin/agents/{id}/capabilities/{capability}", summary: "Disable one capability (idempotent)", params: AgentCapabilityParams, status: 200, response: AgentSchema }),
  createKey: route({ method: "POST", path: "/v1/admin/agents/{id}/keys", summary: "Create an API key (the secret is returned once)", params: AgentIdParams, body: CreateKeySchema, status: 201, response: KeyWithSecretSchema }),
  listKeys: route({ method: "GET", path: "/v1/admin/agents/{id}/keys", summary: "List an agent's keys", params: AgentIdParams, query: PageQuery, status: 200, response: Page(KeySchema) }),
  getKey: route({ method: "GET", path: "/v1/admin/agents/{id}/keys/{key_id}", summary: "Get a key (never its secret)", params: KeyParams, status: 200, response: KeySchema }),
  updateKey: route({ method: "PATCH", path: "/v1/admin/agents/{id}/keys/{key_id}", summary: "Update a key's name, owner, status or expiry", params: KeyParams, body: UpdateKeySchema, status: 200, response: KeySchema }),
  regenerateKey: route({ method: "POST", path: "/v1/admin/agents/{id}/keys/{key_id}/regenerate", summary: "New secret for the same key; the old one works for the grace period", params: KeyParams, body: RegenerateKeySchema, status: 200, response: KeyWithSecretSchema }),
  agentUsage: route({ method: "GET", path: "/v1/admin/agents/{id}/usage", summary: "Requests, tokens and refusals per UTC day of all the agent's keys (?from=&to=, default the last 30 days)", params: AgentIdParams, query: UsageQuerySchema, status: 200, response: UsageReportSchema }),
  keyUsage: route({ method: "GET", path: "/v1/admin/agents/{id}/keys/{key_id}/usage", summary: "Requests, tokens and refusals per UTC day of one key (?from=&to=, default the last 30 days)", params: KeyParams, query: UsageQuerySchema, status: 200, response: UsageReportSchema }),
  releaseIdempotency: route({ method: "POST", path: "/v1/admin/idempotency/release", summary: "Stop replaying these idempotent POSTs: the client has recorded their answers", body: ReleaseIdempotencySchema, status: 200, response: ReleasedSchema }),
  revokeKey: route({ method: "DELETE", path: "/v1/admin/agents/{id}/keys/{key_id}", summary: "Revoke a key (stops working at once)", params: KeyParams, status: 204 }),
};
export type AdminRoutes = typeof ADMIN_ROUTES;
export type AdminRouteId = keyof AdminRoutes;

/** The error statuses any admin route may answer, each with Writer's error body. */
export const ADMIN_ERROR_STATUSES = [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503] as const;

/** "/v1/admin/agents/{id}" -> "/v1/admin/agents/:id" (Fastify's syntax). */
export const toRouterPath = (p: string) => p.replace(/\{(\w+)\}/g, ":$1");

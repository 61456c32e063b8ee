import { z } from "zod/v4";
import { AgentSchema, AgentWithDefaultKeySchema, CreateAgentSchema, UpdateAgentSchema } from "./agents";
import { CapabilitySchema } from "./capabilities";
import { ErrorBody, Page } from "./common";
import { CreateKeySchema, KeySchema, KeyWithSecretSchema, RegenerateKeySchema, UpdateKeySchema } from "./keys";
import { CreateTeamSchema, TeamSchema } from "./teams";
import { CreateUserSchema, UserSchema } from "./users";

/** One admin route of the contract: the single table the OpenAPI document is generated from. */
export interface RouteSpec {
  method: "get" | "post" | "patch" | "put" | "delete";
  path: string;
  summary: string;
  body?: z.ZodType;
  ok: { status: number; schema?: z.ZodType };
  paged?: boolean;
  query?: Record<string, string>;
}

export const ADMIN_ROUTES: RouteSpec[] = [
  { method: "get", path: "/v1/admin/capabilities", summary: "List the capability catalog", ok: { status: 200, schema: z.object({ data: z.array(CapabilitySchema) }) } },
  { method: "get", path: "/v1/admin/teams", summary: "List teams", paged: true, ok: { status: 200, schema: Page(TeamSchema) } },
  { method: "post", path: "/v1/admin/teams", summary: "Create a team", body: CreateTeamSchema, ok: { status: 201, schema: TeamSchema } },
  { method: "get", path: "/v1/admin/teams/{id}", summary: "Get a team", ok: { status: 200, schema: TeamSchema } },
  { method: "get", path: "/v1/admin/users", summary: "List users (filter by ?email=)", paged: true, query: { email: "exact email filter" }, ok: { status: 200, schema: Page(UserSchema) } },
  { method: "post", path: "/v1/admin/users", summary: "Create a user", body: CreateUserSchema, ok: { status: 201, schema: UserSchema } },
  { method: "get", path: "/v1/admin/users/{id}", summary: "Get a user", ok: { status: 200, schema: UserSchema } },
  { method: "post", path: "/v1/admin/agents", summary: "Create an API agent with its default 'Production' key", body: CreateAgentSchema, ok: { status: 201, schema: AgentWithDefaultKeySchema } },
  { method: "get", path: "/v1/admin/agents", summary: "List agents", paged: true, ok: { status: 200, schema: Page(AgentSchema) } },
  { method: "get", path: "/v1/admin/agents/{id}", summary: "Get an agent", ok: { status: 200, schema: AgentSchema } },
  { method: "patch", path: "/v1/admin/agents/{id}", summary: "Update an agent (capabilities replaces the whole set)", body: UpdateAgentSchema, ok: { status: 200, schema: AgentSchema } },
  { method: "delete", path: "/v1/admin/agents/{id}", summary: "Delete an agent and revoke all its keys", ok: { status: 204 } },
  { method: "put", path: "/v1/admin/agents/{id}/capabilities/{capability}", summary: "Enable one capability (idempotent)", ok: { status: 200, schema: AgentSchema } },
  { method: "delete", path: "/v1/admin/agents/{id}/capabilities/{capability}", summary: "Disable one capability (idempotent)", ok: { status: 200, schema: AgentSchema } },
  { method: "post", path: "/v1/admin/agents/{id}/keys", summary: "Create an API key (the secret is returned once)", body: CreateKeySchema, ok: { status: 201, schema: KeyWithSecretSchema } },
  { method: "get", path: "/v1/admin/agents/{id}/keys", summary: "List an agent's keys", paged: true, ok: { status: 200, schema: Page(KeySchema) } },
  { method: "get", path: "/v1/admin/agents/{id}/keys/{key_id}", summary: "Get a key (never its secret)", ok: { status: 200, schema: KeySchema } },
  { method: "patch", path: "/v1/admin/agents/{id}/keys/{key_id}", summary: "Update a key's name, owner, status or expiry", body: UpdateKeySchema, ok: { status: 200, schema: KeySchema } },
  { method: "post", path: "/v1/admin/agents/{id}/keys/{key_id}/regenerate", summary: "New secret for the same key; the old one works for the grace period", body: RegenerateKeySchema, ok: { status: 200, schema: KeyWithSecretSchema } },
  { method: "delete", path: "/v1/admin/agents/{id}/keys/{key_id}", summary: "Revoke a key (stops working at once)", ok: { status: 204 } },
];

function jsonSchema(s: z.ZodType, io: "input" | "output") {
  return z.toJSONSchema(s, { io, unrepresentable: "any", target: "draft-2020-12" });
}

const ERROR_STATUSES = ["400", "401", "403", "404", "409", "413", "422", "429", "500", "503"];

/** The OpenAPI 3.1 document of the admin API, generated from the zod contract. */
export function buildOpenApi(version = "1.0.0"): Record<string, unknown> {
  const errorRef = { $ref: "#/components/schemas/Error" };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ADMIN_ROUTES) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1], in: "path", required: true, schema: m[1] === "capability" ? { type: "string" } : { type: "string", format: "uuid" },
    }));
    const query = r.paged
      ? [
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } },
          { name: "order", in: "query", schema: { type: "string", enum: ["asc", "desc"], default: "desc" } },
          { name: "after", in: "query", schema: { type: "string", format: "uuid" } },
          { name: "before", in: "query", schema: { type: "string", format: "uuid" } },
          ...Object.entries(r.query ?? {}).map(([name, description]) => ({ name, in: "query", description, schema: { type: "string" } })),
        ]
      : [];
    const headers = r.method === "post"
      ? [{ name: "Idempotency-Key", in: "header", required: false, description: "Same key + same body within 24 h replays the first response; a different body answers 409.", schema: { type: "string", maxLength: 255 } }]
      : [];
    const responses: Record<string, unknown> = {
      [String(r.ok.status)]: r.ok.schema
        ? { description: "OK", content: { "application/json": { schema: jsonSchema(r.ok.schema, "output") } } }
        : { description: "No content" },
    };
    for (const s of ERROR_STATUSES) responses[s] = { description: "Error", content: { "application/json": { schema: errorRef } } };
    paths[r.path] ??= {};
    paths[r.path][r.method] = {
      summary: r.summary,
      security: [{ adminToken: [] }],
      parameters: [...params, ...query, ...headers],
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body, "input") } } } } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Writer admin API (pulumi-writer contract)",
      version,
      description: "API agents, capabilities and API keys, in Writer's conventions. Implemented by writer-local; wrapped by the pulumi-writer provider.",
    },
    servers: [{ url: "http://127.0.0.1:8787" }],
    components: {
      securitySchemes: { adminToken: { type: "http", scheme: "bearer" } },
      schemas: { Error: jsonSchema(ErrorBody, "output") },
    },
    paths,
  };
}

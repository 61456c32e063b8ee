import { z } from "zod/v4";
import { IdParam, PageQuery, Timestamp, Uuid } from "./common";
import { Filter, Name, Time } from "./fields";
import { stated } from "./json-schema";

// Accountable administration: admin tokens with roles, the audit log, and the Pulumi context a
// provider sends with each call (admin-api.md, "Additions").

export const ROLES = ["org_admin", "team_admin", "viewer"] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES, { error: 'must be "org_admin", "team_admin" or "viewer"' });

export const AdminTokenSchema = z.object({
  id: Uuid,
  name: z.string(),
  role: RoleSchema,
  team_id: Uuid.nullable(),
  masked: z.string(),
  created_at: Timestamp,
  last_used_at: Timestamp.nullable(),
});
export type AdminToken = z.infer<typeof AdminTokenSchema>;
export const AdminTokenWithSecretSchema = AdminTokenSchema.extend({ secret: z.string() });
export type AdminTokenWithSecret = z.infer<typeof AdminTokenWithSecretSchema>;

export const CreateAdminTokenSchema = stated(
  z.strictObject({ name: Name, role: RoleSchema, team_id: IdParam.nullable().optional() }).superRefine((t, ctx) => {
    if (t.role === "team_admin" && !t.team_id) ctx.addIssue({ code: "custom", path: ["team_id"], message: 'is required when role is "team_admin" (the team whose keys it manages)' });
    if (t.role !== "team_admin" && t.team_id) ctx.addIssue({ code: "custom", path: ["team_id"], message: 'must be omitted unless role is "team_admin"' });
  }),
  {
    oneOf: [
      { properties: { role: { const: "team_admin" }, team_id: { type: "string" } }, required: ["role", "team_id"] },
      { properties: { role: { enum: ROLES.filter((r) => r !== "team_admin") }, team_id: { type: "null" } } },
    ],
  },
);
export type CreateAdminToken = z.infer<typeof CreateAdminTokenSchema>;
export const AdminTokenIdParams = z.strictObject({ id: IdParam });

/** Who made a change, as the audit log and the objects record it. */
export const ActorSchema = z.object({ token_id: Uuid, name: z.string(), role: RoleSchema });
export type Actor = z.infer<typeof ActorSchema>;

/** The Pulumi program behind an admin call (sent by both providers as X-Pulumi-* headers). */
export const PulumiContextSchema = z.object({ project: z.string(), stack: z.string(), urn: z.string(), operation: z.string() });
export type PulumiContext = z.infer<typeof PulumiContextSchema>;
export const PULUMI_HEADERS = { project: "x-pulumi-project", stack: "x-pulumi-stack", urn: "x-pulumi-urn", operation: "x-pulumi-operation" } as const;

/** The stack that manages an object, recorded when a provider creates or changes it. */
export const ManagedBySchema = z.object({ project: z.string(), stack: z.string(), urn: z.string() }).nullable();
export type ManagedBy = z.infer<typeof ManagedBySchema>;

export const AUDIT_SOURCES = ["api", "console", "cli", "system"] as const;
export const AuditEntrySchema = z.object({
  id: Uuid,
  at: Timestamp,
  actor: ActorSchema.nullable(),
  source: z.enum(AUDIT_SOURCES),
  request_id: z.string(),
  remote_address: z.string(),
  action: z.string(),
  object: z.object({ kind: z.string(), id: z.string().nullable() }),
  /** Each changed field: [before, after]. Never a secret. */
  changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])),
  outcome: z.enum(["ok", "refused"]),
  pulumi: PulumiContextSchema.nullable(),
  prev_hash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditQuerySchema = PageQuery.extend({
  object_id: Filter(200).optional(),
  actor: IdParam.optional(),
  action: Filter(100).optional(),
  from: Time.optional(),
  to: Time.optional(),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

/** GitHub's secret scanning partner programme: what it sends, and what it expects back. */
export const LeakReportSchema = z.array(z.object({ token: z.string().max(1000), type: z.string().max(200), url: z.string().max(2000).optional(), source: z.string().max(200).optional() })).max(1000);
export const LeakAnswerSchema = z.array(z.object({ token_raw: z.string(), token_type: z.string(), label: z.enum(["true_positive", "false_positive"]) }));

import { z } from "zod/v4";
import { IdParam, Timestamp, Uuid } from "./common";
import { ManagedBySchema } from "./admins";
import { stated } from "./json-schema";
import { GracePeriodSeconds, Name, RequestsPerMinute, TokenBudget, TokensPerMinute, UtcTime } from "./fields";

export const KeyScope = z.enum(["all_teams", "team"], { error: 'must be "all_teams" or "team"' });
export const KeyStatus = z.enum(["active", "disabled"], { error: 'must be "active" or "disabled"' });

export const KeySchema = z.object({
  id: Uuid,
  agent_id: Uuid,
  name: z.string(),
  scope: KeyScope,
  team_id: Uuid.nullable(),
  owner_id: Uuid.nullable(),
  status: KeyStatus,
  masked: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp,
  rotated_at: Timestamp.nullable(),
  expires_at: Timestamp.nullable(),
  last_used_at: Timestamp.nullable(),
  previous_secret_expires_at: Timestamp.nullable(),
  requests_per_minute: z.number().int().nullable(),
  tokens_per_minute: z.number().int().nullable(),
  token_budget: TokenBudget.nullable(),
  /** The Pulumi stack that created or last changed it, when a provider did. */
  managed_by: ManagedBySchema,
});
export type Key = z.infer<typeof KeySchema>;

/** The per-key limits, as a request sets them (null removes one). */
const Limits = {
  requests_per_minute: RequestsPerMinute.nullable().optional(),
  tokens_per_minute: TokensPerMinute.nullable().optional(),
  token_budget: TokenBudget.nullable().optional(),
};

export const KeyWithSecretSchema = KeySchema.extend({ secret: z.string() });
export type KeyWithSecret = z.infer<typeof KeyWithSecretSchema>;

export const CreateKeySchema = stated(z
  .strictObject({
    name: Name,
    scope: KeyScope.default("all_teams"),
    team_id: IdParam.nullable().optional(),
    owner_id: IdParam.nullable().optional(),
    expires_at: UtcTime.nullable().optional(),
    ...Limits,
  })
  .superRefine((k, ctx) => {
    if (k.scope === "team") {
      if (!k.team_id) ctx.addIssue({ code: "custom", path: ["team_id"], message: 'is required when scope is "team"' });
      if (!k.owner_id) ctx.addIssue({ code: "custom", path: ["owner_id"], message: 'is required when scope is "team" (the key owner, a member of the team)' });
    } else if (k.team_id) {
      ctx.addIssue({ code: "custom", path: ["team_id"], message: 'must be omitted when scope is "all_teams"; set scope to "team" to scope the key' });
    }
  }), {
  // The same rule for the document: a team key names its team and owner; any other has no team.
  oneOf: [
    { properties: { scope: { const: "team" }, team_id: { type: "string" }, owner_id: { type: "string" } }, required: ["scope", "team_id", "owner_id"] },
    { properties: { scope: { const: "all_teams" }, team_id: { type: "null" } } },
  ],
});
export type CreateKey = z.input<typeof CreateKeySchema>;

export const UpdateKeySchema = z.strictObject({
  name: Name.optional(),
  owner_id: IdParam.nullable().optional(),
  status: KeyStatus.optional(),
  expires_at: UtcTime.nullable().optional(),
  ...Limits,
});
export type UpdateKey = z.input<typeof UpdateKeySchema>;

export const RegenerateKeySchema = z.strictObject({ grace_period_seconds: GracePeriodSeconds.optional() });
export type RegenerateKey = z.infer<typeof RegenerateKeySchema>;

export const KeyParams = z.strictObject({ id: IdParam, key_id: IdParam });

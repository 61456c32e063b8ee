import { z } from "zod/v4";
import { Name, Timestamp, Uuid } from "./common";

export const KeyScope = z.enum(["all_teams", "team"], { error: 'must be "all_teams" or "team"' });
export const KeyStatus = z.enum(["active", "disabled"], { error: 'must be "active" or "disabled"' });
export const MAX_GRACE_PERIOD_SECONDS = 604800;

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
});
export type Key = z.infer<typeof KeySchema>;

export const KeyWithSecretSchema = KeySchema.extend({ secret: z.string() });
export type KeyWithSecret = z.infer<typeof KeyWithSecretSchema>;

export const CreateKeySchema = z
  .strictObject({
    name: Name,
    scope: KeyScope.default("all_teams"),
    team_id: Uuid.nullable().optional(),
    owner_id: Uuid.nullable().optional(),
    expires_at: Timestamp.nullable().optional(),
  })
  .superRefine((k, ctx) => {
    if (k.scope === "team") {
      if (!k.team_id) ctx.addIssue({ code: "custom", path: ["team_id"], message: 'is required when scope is "team"' });
      if (!k.owner_id) ctx.addIssue({ code: "custom", path: ["owner_id"], message: 'is required when scope is "team" (the key owner, a member of the team)' });
    } else if (k.team_id) {
      ctx.addIssue({ code: "custom", path: ["team_id"], message: 'must be omitted when scope is "all_teams"; set scope to "team" to scope the key' });
    }
  });
export type CreateKey = z.infer<typeof CreateKeySchema>;

export const UpdateKeySchema = z.strictObject({
  name: Name.optional(),
  owner_id: Uuid.nullable().optional(),
  status: KeyStatus.optional(),
  expires_at: Timestamp.nullable().optional(),
});
export type UpdateKey = z.infer<typeof UpdateKeySchema>;

export const RegenerateKeySchema = z.strictObject({
  grace_period_seconds: z
    .number()
    .int("must be a whole number of seconds")
    .min(0)
    .max(MAX_GRACE_PERIOD_SECONDS, `must be at most ${MAX_GRACE_PERIOD_SECONDS} (7 days)`)
    .optional(),
});
export type RegenerateKey = z.infer<typeof RegenerateKeySchema>;

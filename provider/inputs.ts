import { z } from "zod/v4";
import { RoleSchema, CapabilityId, CapabilitySet, Description, describeIssues, GracePeriodSeconds, Name, RequestsPerMinute, RotateAfterDays, teamKeyRule, Time, TokenBudget, TokensPerMinute } from "../api";

// Resource inputs as the engine hands them to `check`, composed from the contract's field rules
// (api/fields.ts) and validated before any API call. Unknown values (computed, not known at
// preview) arrive as this sentinel and are let through.
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const Id = z.string().min(1, "must not be empty");
const Adopt = z.strictObject({ id: Id, secret: z.string().optional() });

/** Engine bookkeeping the provider adds to inputs itself (see createOnce.ts). */
const Bookkeeping = {
  creationKey: z.string().optional(),
  creationNonce: z.string().optional(),
};

export const AgentInputs = z.object({
  name: Name,
  description: Description.optional(),
  capabilities: CapabilitySet.optional(),
  revokeDefaultKey: z.boolean().optional(),
  adopt: Adopt.optional(),
  ...Bookkeeping,
});
export type AgentInputs = z.infer<typeof AgentInputs>;

export const KeyInputs = z
  .object({
    agentId: Id,
    name: Name,
    teamId: Id.optional(),
    ownerId: Id.optional(),
    enabled: z.boolean().optional(),
    expiresAt: Time.optional(),
    rotationTriggers: z.unknown().optional(),
    rotateAfterDays: RotateAfterDays.optional(),
    gracePeriodSeconds: GracePeriodSeconds.optional(),
    requestsPerMinute: RequestsPerMinute.optional(),
    tokensPerMinute: TokensPerMinute.optional(),
    tokenBudget: TokenBudget.optional(),
    adopt: Adopt.optional(),
    rotationAnchor: z.string().optional(),
    ...Bookkeeping,
  })
  .superRefine(teamKeyRule({ team: "teamId", owner: "ownerId" }));
export type KeyInputs = z.infer<typeof KeyInputs>;

export const CapabilityInputs = z.object({ agentId: Id, capability: CapabilityId });
export type CapabilityInputs = z.infer<typeof CapabilityInputs>;

/** An admin token for a pipeline, declared in code: its name, role and (a team_admin's) team. */
export const AdminTokenInputs = z.object({
  name: Name,
  role: RoleSchema,
  teamId: Id.optional(),
  creationKey: z.string().optional(),
  creationNonce: z.string().optional(),
}).superRefine((t, ctx) => {
  if (t.role === "team_admin" && !t.teamId) ctx.addIssue({ code: "custom", path: ["teamId"], message: 'is required when role is "team_admin"' });
  if (t.role !== "team_admin" && t.teamId) ctx.addIssue({ code: "custom", path: ["teamId"], message: 'must be omitted unless role is "team_admin"' });
});
export type AdminTokenInputs = z.infer<typeof AdminTokenInputs>;

/** A new or changed expiry must be in the future; one already in state that has since passed is not an input error. */
export function pastExpiry(news: Record<string, unknown>, now = Date.now()): string | undefined {
  const e = news.expiresAt;
  if (typeof e !== "string" || e === UNKNOWN || Number.isNaN(Date.parse(e)) || Date.parse(e) > now) return undefined;
  return e;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

/** Strips engine bookkeeping and unknown sentinels so only user values are validated. */
function userValues(news: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(news)) {
    if (k === "__provider" || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

/** Validates inputs; fields whose value is not yet known at preview are not judged. */
export function validate<T>(schema: z.ZodType<T>, news: Record<string, unknown>): { value?: T; failures: CheckFailure[] } {
  const values = userValues(news);
  const r = schema.safeParse(values);
  if (r.success) return { value: r.data, failures: [] };
  const failures = describeIssues(r.error)
    .filter((f) => !containsUnknown(values[f.field.split(".")[0]]))
    .map((f) => ({ property: f.field.split(".")[0] || f.field, reason: `${f.field}: ${f.message}` }));
  return { failures };
}

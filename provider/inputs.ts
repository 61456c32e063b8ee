import { z } from "zod/v4";
import { CapabilityId, describeIssues, MAX_GRACE_PERIOD_SECONDS } from "../api";

// Resource inputs as the engine hands them to `check`, validated before any API call. Unknown
// values (computed, not known at preview) arrive as this sentinel and are let through.
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const Id = z.string().min(1, "must not be empty");
const Name = z.string().trim().min(1, "must not be empty").max(255, "must be at most 255 characters");
const Time = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as "2027-01-31T00:00:00Z"' });
const Adopt = z.strictObject({ id: Id, secret: z.string().optional() });

export const AgentInputs = z.object({
  name: Name,
  description: z.string().max(1024, "must be at most 1024 characters").optional(),
  capabilities: z.array(CapabilityId).max(64).optional(),
  revokeDefaultKey: z.boolean().optional(),
  adopt: Adopt.optional(),
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
    rotateAfterDays: z.number().positive("must be a positive number of days").max(3650).optional(),
    gracePeriodSeconds: z.number().int("must be a whole number of seconds").min(0).max(MAX_GRACE_PERIOD_SECONDS, `must be at most ${MAX_GRACE_PERIOD_SECONDS} (7 days)`).optional(),
    adopt: Adopt.optional(),
    rotationAnchor: z.string().optional(),
  })
  .superRefine((k, ctx) => {
    if (k.teamId && !k.ownerId)
      ctx.addIssue({ code: "custom", path: ["ownerId"], message: "is required when teamId is set: a team-scoped key needs a key owner who is a member of the team (use getUserOutput({ email }))" });
  });

/** A new or changed expiry must be in the future; one already in state that has since passed is not an input error. */
export function pastExpiry(news: Record<string, unknown>, now = Date.now()): string | undefined {
  const e = news.expiresAt;
  if (typeof e !== "string" || e === UNKNOWN || Number.isNaN(Date.parse(e)) || Date.parse(e) > now) return undefined;
  return e;
}
export type KeyInputs = z.infer<typeof KeyInputs>;

export const CapabilityInputs = z.object({ agentId: Id, capability: CapabilityId });
export type CapabilityInputs = z.infer<typeof CapabilityInputs>;

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

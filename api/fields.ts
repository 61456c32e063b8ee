import { z } from "zod/v4";
import { CapabilityId } from "./capabilities";

// The rules of each field, defined once. The admin API's request schemas (snake_case), the
// provider's resource inputs and the access spec (camelCase) compose these, so a rule and its
// message are the same wherever a person meets them.

export const NAME_MAX = 255;
export const DESCRIPTION_MAX = 1024;
export const MAX_GRACE_PERIOD_SECONDS = 604800;
export const MAX_ROTATE_AFTER_DAYS = 3650;
export const MAX_CAPABILITIES = 64;

// Control characters have no place in a name (they hide in logs and consoles), and NUL cannot be
// stored by PostgreSQL at all: refused here, for every engine alike. Descriptions keep tab and newlines.
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
export const Name = z.string().trim().min(1, "must not be empty").max(NAME_MAX, `must be at most ${NAME_MAX} characters`)
  .refine((v) => !CONTROL.test(v), "must not contain control characters (such as NUL or newlines)");
/** Free text compared with stored values (list filters). */
export const FilterText = z.string().max(320, "must be at most 320 characters").refine((v) => !CONTROL.test(v), "must not contain control characters");
export const Description = z.string().max(DESCRIPTION_MAX, `must be at most ${DESCRIPTION_MAX} characters`)
  .refine((v) => !CONTROL_BUT_WHITESPACE.test(v), "must not contain control characters other than tab and newlines");
export const CapabilitySet = z.array(CapabilityId).max(MAX_CAPABILITIES, `must list at most ${MAX_CAPABILITIES} capabilities`);
export const Email = z.email("must be an email address").max(320, "must be at most 320 characters");

const TIME_HINT = 'must be an ISO 8601 time such as "2027-01-31T00:00:00Z"';
const OFFSET = /([+-])(\d{2}):(\d{2})$/;

/**
 * Why an ISO 8601 string is not a real instant, or undefined when it is. zod's datetime format
 * accepts any two-digit offset ("+99:99"), which Date.parse cannot read, and a time near the end
 * of year 9999 with a negative offset lands in year 10000, which no ISO 8601 string can hold.
 */
export function instantProblem(s: string): string | undefined {
  const off = OFFSET.exec(s);
  if (off && (Number(off[2]) > 23 || Number(off[3]) > 59)) return `its UTC offset ${off[0]} is out of range (-23:59..+23:59): ${TIME_HINT}`;
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) return TIME_HINT;
  const year = new Date(ms).getUTCFullYear();
  if (year < 1970 || year > 9999) return `is ${year < 1970 ? "before 1970" : "after 9999"} in UTC: ${TIME_HINT}`;
  return undefined;
}

/** A point in time as written (any valid offset), checked to be a real instant. */
export const Time = z.iso.datetime({ offset: true, error: TIME_HINT }).superRefine((s, ctx) => {
  const why = instantProblem(s);
  if (why) ctx.addIssue({ code: "custom", message: why, input: s });
});

/** The same, normalised to UTC (`…Z`), as the admin API stores and returns it. */
export const UtcTime = Time.transform((s) => {
  // Only reached with a refusal already recorded when the instant is not real; leave it as written then.
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : s;
});

export const GracePeriodSeconds = z
  .number()
  .int("must be a whole number of seconds")
  .min(0, "must not be negative")
  .max(MAX_GRACE_PERIOD_SECONDS, `must be at most ${MAX_GRACE_PERIOD_SECONDS} (7 days)`);

export const RotateAfterDays = z
  .number()
  .positive("must be a positive number of days")
  .max(MAX_ROTATE_AFTER_DAYS, `must be at most ${MAX_ROTATE_AFTER_DAYS} days`);

/** A team-scoped key needs its owner; an all-teams key has no team. One rule, named per dialect. */
export const KEY_OWNER_REQUIRED = "is required for a team-scoped key: the key owner, a member of the team";
export function teamKeyRule(fields: { team: string; owner: string }) {
  return (k: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const has = (f: string) => k[f] !== undefined && k[f] !== null && k[f] !== "";
    if (has(fields.team) && !has(fields.owner)) ctx.addIssue({ code: "custom", path: [fields.owner], message: KEY_OWNER_REQUIRED });
  };
}

/** Per-key limits the gateway enforces (429 with Retry-After past them). */
export const RequestsPerMinute = z.number().int("must be a whole number of requests").min(1, "must be at least 1").max(1_000_000, "must be at most 1000000");
export const TokensPerMinute = z.number().int("must be a whole number of tokens").min(1, "must be at least 1").max(1_000_000_000, "must be at most 1000000000");
export const BUDGET_PERIODS = ["day", "month"] as const;
export const TokenBudget = z.strictObject({
  tokens: z.number().int("must be a whole number of tokens").min(1, "must be at least 1").max(1_000_000_000_000, "must be at most 1000000000000"),
  period: z.enum(BUDGET_PERIODS, { error: 'must be "day" or "month" (UTC)' }),
});
export type TokenBudget = z.infer<typeof TokenBudget>;

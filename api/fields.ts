import { z } from "zod/v4";
import { CapabilityId } from "./capabilities";
import { codePoints, stated } from "./json-schema";

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
// Every rule is a pattern the OpenAPI document carries as it is (regexes written without flags, in
// the syntax JavaScript, Python and Rust read alike), and lengths count code points, as JSON Schema's
// maxLength does: the document allows exactly what the server accepts.
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const NO_CONTROL_BUT_WHITESPACE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;
/** A character String.prototype.trim() keeps (its WhiteSpace and LineTerminator spelled out: Python's \s is another set). */
const NOT_BLANK = /[^\t\n\u000b\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** A string of at most `max` characters; the refinement counts code points, so `maxLength` says it exactly. */
const upTo = (max: number, message: string) => z.string().refine((v) => codePoints(v) <= max, message);

/** Any string of `min` to `max` characters (code points). */
export const Text = (max: number, min = 0) => {
  const s = upTo(max, `must be at most ${max} characters`);
  return stated(min > 0 ? s.min(min, min === 1 ? "must not be empty" : `must be at least ${min} characters`) : s, { maxLength: max });
};

/** Checked as sent (so the document's maxLength and patterns hold), then stored trimmed. */
export const Name = stated(
  upTo(NAME_MAX, `must be at most ${NAME_MAX} characters`)
    .regex(NO_CONTROL, "must not contain control characters (such as NUL or newlines)")
    .regex(NOT_BLANK, "must not be empty")
    .trim(),
  { minLength: 1, maxLength: NAME_MAX },
);
/** Free text compared with stored values (list filters); PostgreSQL cannot even compare with a NUL. */
export const Filter = (max: number) => stated(upTo(max, `must be at most ${max} characters`).regex(NO_CONTROL, "must not contain control characters"), { maxLength: max });
export const FilterText = Filter(320);
export const Description = stated(
  upTo(DESCRIPTION_MAX, `must be at most ${DESCRIPTION_MAX} characters`).regex(NO_CONTROL_BUT_WHITESPACE, "must not contain control characters other than tab and newlines"),
  { maxLength: DESCRIPTION_MAX },
);
export const CapabilitySet = z.array(CapabilityId).max(MAX_CAPABILITIES, `must list at most ${MAX_CAPABILITIES} capabilities`);

/**
 * An address in the dot-atom form with a DNS domain. The pattern allows nothing the document's
 * `format: email` refuses; the format's own limits (64 characters before the @, 63 per domain label,
 * 254 in all: RFC 5321) are checked in code, since a pattern could only say them with lookaheads.
 */
const EMAIL = /^[A-Za-z0-9_'+-]+(?:\.[A-Za-z0-9_'+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$/;
export const EMAIL_MAX = 254;
export const Email = z.email({ pattern: EMAIL, error: "must be an email address" }).max(EMAIL_MAX, `must be at most ${EMAIL_MAX} characters`)
  .refine((v) => v.indexOf("@") <= 64 && v.slice(v.indexOf("@") + 1).split(".").every((l) => l.length <= 63), "must be an email address (at most 64 characters before the @ and 63 per domain label)");

const TIME_HINT = 'must be an ISO 8601 time such as "2027-01-31T00:00:00Z"';

/** Years 1970..9999 with their leap days, as one pattern (the UTC times the store can hold, see Time). */
const YEAR = "(?:19[7-9]\\d|[2-9]\\d{3})";
const LEAP_YEAR = "(?:19(?:7[26]|8[048]|9[26])|[2-9]\\d(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[3579][26])00)";
const DATE = `(?:${LEAP_YEAR}-02-29|${YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8])))`;
/** A calendar day, YYYY-MM-DD, in 1970..9999. */
export const DAY_PATTERN = new RegExp(`^${DATE}$`);

/**
 * RFC 3339 (seconds required, `T` and `Z` upper case, offsets -23:59..+23:59) in years 1970..9999
 * once converted to UTC: on 1970-01-01 an offset east of UTC, and on 9999-12-31 one west of it,
 * could carry the instant outside (and year 10000 has no ISO 8601 string), so those two days take
 * their offset the other way (or Z).
 */
const TIME_PATTERN = new RegExp(
  `^(?!1970-01-01T[^+]*\\+(?!00:00)|9999-12-31T[^-]*-(?!00:00))${DATE}T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$`,
);
const OFFSET = /([+-])(\d{2}):(\d{2})$/;

/** Why a string is not a time TIME_PATTERN accepts, in words, or undefined when it is one. */
export function instantProblem(s: string): string | undefined {
  if (TIME_PATTERN.test(s)) return undefined;
  const off = OFFSET.exec(s);
  if (off && (Number(off[2]) > 23 || Number(off[3]) > 59)) return `its UTC offset ${off[0]} is out of range (-23:59..+23:59): ${TIME_HINT}`;
  const ms = Date.parse(s);
  const year = Number.isFinite(ms) ? new Date(ms).getUTCFullYear() : NaN;
  if (year < 1970 || year > 9999) return `is ${year < 1970 ? "before 1970" : "after 9999"} in UTC: ${TIME_HINT}`;
  if (/^(?:1970-01-01|9999-12-31)T/.test(s)) return `on 1970-01-01 and 9999-12-31, write the time in UTC (Z): ${TIME_HINT}`;
  return TIME_HINT;
}

/** A point in time as written (any valid offset), checked to be a real instant. */
export const Time = stated(
  z.string(TIME_HINT).superRefine((s, ctx) => {
    const why = instantProblem(s);
    if (why) ctx.addIssue({ code: "custom", message: why, input: s });
  }),
  { format: "date-time", pattern: TIME_PATTERN.source },
);

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

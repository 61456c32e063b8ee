import { z } from "zod/v4";
import { Uuid } from "./common";
import { DAY_PATTERN } from "./fields";
import { stated } from "./json-schema";

/** A UTC calendar day, YYYY-MM-DD, as answered (a default range may start in 1969). */
export const Day = z.iso.date("must be a date such as 2027-01-31 (UTC)");
/** A day a client asks for: 1970..9999, so a range's default start (29 days before) is still a date. */
export const QueryDay = stated(z.string().regex(DAY_PATTERN, "must be a date from 1970-01-01 to 9999-12-31, such as 2027-01-31 (UTC)"), { format: "date" });

/**
 * How from and to relate (from <= to, at most USAGE_MAX_DAYS apart, defaults from today) is no
 * rule a schema can state: the handler answers 422 for it, and the operation's description says so.
 */
export const UsageQuerySchema = z.strictObject({ from: QueryDay.optional(), to: QueryDay.optional() });

export const UsageDaySchema = z.object({
  date: Day,
  requests: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  /**
   * The part of prompt_tokens + completion_tokens the gateway estimated because Writer reported no
   * usage for it (completions, graph questions, applications, vision, translation, streams cut short).
   */
  estimated_tokens: z.number().int(),
  /** Refused requests by reason: revoked, disabled, expired, previous_secret_expired, capability, team, requests_per_minute, tokens_per_minute, token_budget. */
  refusals: z.record(z.string(), z.number().int()),
});
export type UsageDay = z.infer<typeof UsageDaySchema>;

export const UsageReportSchema = z.object({
  agent_id: Uuid,
  key_id: Uuid.nullable(),
  from: Day,
  to: Day,
  /** Days with any use, oldest first. */
  data: z.array(UsageDaySchema),
  totals: UsageDaySchema.omit({ date: true }),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;

/** Usage ranges default to the last 30 days and span at most 366. */
export const USAGE_DEFAULT_DAYS = 30;
export const USAGE_MAX_DAYS = 366;

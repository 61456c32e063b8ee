import { z } from "zod/v4";
import { Uuid } from "./common";

/** A UTC calendar day, YYYY-MM-DD. */
export const Day = z.iso.date("must be a date such as 2027-01-31 (UTC)");

export const UsageQuerySchema = z
  .strictObject({ from: Day.optional(), to: Day.optional() })
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: "custom", path: ["from"], message: "must not be after to" });
  });

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

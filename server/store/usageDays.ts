import type { UsageDay } from "./types";

export interface UsageRow { day: string; requests: number; prompt_tokens: number; completion_tokens: number; estimated_tokens: number }

/** Per-day rows of usage and of refusals (by reason) as the API's days, oldest first. */
export function usageDays(rows: UsageRow[], refusals: { day: string; reason: string; count: number }[]): UsageDay[] {
  const days = new Map<string, UsageDay>();
  const day = (d: string) =>
    days.get(d) ?? days.set(d, { date: d, requests: 0, prompt_tokens: 0, completion_tokens: 0, estimated_tokens: 0, refusals: {} }).get(d)!;
  for (const r of rows) {
    Object.assign(day(r.day), {
      requests: Number(r.requests), prompt_tokens: Number(r.prompt_tokens), completion_tokens: Number(r.completion_tokens), estimated_tokens: Number(r.estimated_tokens),
    });
  }
  for (const r of refusals) day(r.day).refusals[r.reason] = Number(r.count);
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}

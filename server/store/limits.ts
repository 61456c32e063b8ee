import { utcDay } from "./pendingUsage";
import type { Admission, LimitRefusal } from "./types";

// The limit policy both engines apply: which window a request counts in, when a refused client may
// come back (Retry-After), and how long a reservation may stay unsettled.

export const MINUTE = 60_000;

/**
 * How long a reservation is held at most. A request whose answer has not ended by then (a replica
 * that died mid-request) no longer holds its tokens; its spend, if it is ever settled, is still
 * counted in full.
 */
export const RESERVATION_TTL_MS = 15 * MINUTE;

/** The UTC period a budget counts in: its name, first and last day, and when the next one starts. */
export function budgetPeriod(period: "day" | "month", now: number): { name: string; from: string; to: string; endsAt: number } {
  const d = new Date(now);
  if (period === "day") {
    const endsAt = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    return { name: utcDay(now), from: utcDay(now), to: utcDay(now), endsAt };
  }
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const endsAt = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { name: utcDay(start).slice(0, 7), from: utcDay(start), to: utcDay(endsAt - 1), endsAt };
}

/**
 * A refusal as the data plane answers it: minute limits until the next minute, a budget until its
 * period ends. `neverFits`: the request alone is larger than the limit, so waiting cannot help.
 */
export function refused(reason: LimitRefusal, now: number, budgetEndsAt: number | null, neverFits = false): Admission {
  const until = reason === "token_budget" && budgetEndsAt !== null ? budgetEndsAt : (Math.floor(now / MINUTE) + 1) * MINUTE;
  return { ok: false, reason, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)), ...(neverFits ? { neverFits } : {}) };
}

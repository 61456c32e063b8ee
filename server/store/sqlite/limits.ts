import { budgetPeriod, MINUTE, refused } from "../limits";
import type { UsageCounts } from "../domain/usage";
import { limitsTokens, type Admission, type Principal, type Reservation, type Spent } from "../types";

interface Window { minute: number; requests: number; tokens: number }

/**
 * Per-key limits for one process that owns its database: admission and counting happen in memory,
 * in the single JavaScript thread, so they are exact. A request is counted when it is admitted
 * (requests per minute never overshoot), and a request of a key whose tokens are limited reserves
 * the most it may spend at admission, settled to what it spent when its answer ends, so tokens
 * per minute and budgets are never overshot by requests in flight. What was used goes to the
 * shared counts (domain/usage.ts), written once a second.
 */
export class LocalLimits {
  private windows = new Map<string, Window>();
  /** Per key and budget period: tokens spent plus tokens reserved by requests in flight. */
  private periods = new Map<string, { name: string; tokens: number }>();
  constructor(private counts: UsageCounts) {}

  private window(keyId: string, now: number): Window {
    const minute = Math.floor(now / MINUTE);
    let w = this.windows.get(keyId);
    if (!w || w.minute !== minute) this.windows.set(keyId, (w = { minute, requests: 0, tokens: 0 }));
    return w;
  }

  /** The key's period counter: loaded from usage_daily (with what is still pending) when a period begins. */
  private period(keyId: string, period: "day" | "month", now: number): { name: string; tokens: number } | Promise<{ name: string; tokens: number }> {
    const p = budgetPeriod(period, now);
    const cacheKey = `${keyId}|${period}`;
    const cur = this.periods.get(cacheKey);
    if (cur && cur.name === p.name) return cur;
    return this.counts.spentBetween(keyId, p.from, p.to).then((n) => {
      // Another admission may have loaded it meanwhile: the first load stands.
      const again = this.periods.get(cacheKey);
      if (again && again.name === p.name) return again;
      const fresh = { name: p.name, tokens: n };
      this.periods.set(cacheKey, fresh);
      return fresh;
    });
  }

  admit(p: Principal, now: number, reserve: number): Admission | Promise<Admission> {
    const l = p.limits;
    if (l.tokenBudget) {
      const b = this.period(p.keyId, l.tokenBudget.period, now);
      if (b instanceof Promise) return b.then(() => this.admitNow(p, now, reserve));
    }
    return this.admitNow(p, now, reserve);
  }

  private admitNow(p: Principal, now: number, reserve: number): Admission {
    const w = this.window(p.keyId, now);
    const l = p.limits;
    const budgetEnds = l.tokenBudget ? budgetPeriod(l.tokenBudget.period, now).endsAt : null;
    const refuse = (reason: "requests_per_minute" | "tokens_per_minute" | "token_budget", neverFits = false): Admission => {
      this.refuse(p.keyId, p.agentId, reason, now);
      return refused(reason, now, budgetEnds, neverFits);
    };
    if (l.requestsPerMinute !== null && w.requests >= l.requestsPerMinute) return refuse("requests_per_minute");
    const held = limitsTokens(l) ? reserve : 0;
    if (l.tokensPerMinute !== null) {
      if (held > l.tokensPerMinute) return refuse("tokens_per_minute", true);
      if (w.tokens >= l.tokensPerMinute || w.tokens + held > l.tokensPerMinute) return refuse("tokens_per_minute");
    }
    let budget: { tokens: number } | undefined;
    if (l.tokenBudget) {
      if (held > l.tokenBudget.tokens) return refuse("token_budget", true);
      budget = this.period(p.keyId, l.tokenBudget.period, now) as { name: string; tokens: number };
      if (budget.tokens >= l.tokenBudget.tokens || budget.tokens + held > l.tokenBudget.tokens) return refuse("token_budget");
    }
    w.requests++;
    this.counts.pending.add(p.keyId, p.agentId, now, 1, 0, 0);
    if (!limitsTokens(l)) return { ok: true, reservation: null };
    w.tokens += held;
    if (budget) budget.tokens += held;
    return { ok: true, reservation: { keyId: p.keyId, agentId: p.agentId, tokens: held, at: now } };
  }

  /** Settles a reservation (in the minute and period it was made in) and counts what was spent. */
  spend(p: Principal, r: Reservation | null, s: Spent, now: number): void {
    const total = s.prompt + s.completion;
    const at = r?.at ?? now;
    const delta = total - (r?.tokens ?? 0);
    const minute = Math.floor(at / MINUTE);
    const w = this.windows.get(p.keyId);
    if (w && w.minute === minute) w.tokens = Math.max(0, w.tokens + delta);
    for (const period of ["day", "month"] as const) {
      const cur = this.periods.get(`${p.keyId}|${period}`);
      if (cur && cur.name === budgetPeriod(period, at).name) cur.tokens = Math.max(0, cur.tokens + delta);
    }
    if (total > 0) this.counts.pending.add(p.keyId, p.agentId, now, 0, s.prompt, s.completion, s.estimatedPrompt + s.estimatedCompletion);
  }

  refuse(keyId: string, agentId: string, reason: string, now: number): void {
    this.counts.pending.refuse(keyId, agentId, reason, now);
  }
}

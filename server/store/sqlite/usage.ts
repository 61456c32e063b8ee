import { budgetPeriod, MINUTE, refused } from "../limits";
import { PendingUsage } from "../pendingUsage";
import { usageDays, type UsageRow } from "../usageDays";
import { limitsTokens, type Admission, type Principal, type Reservation, type Spent, type UsageDay, type UsageQuery } from "../types";
import { prepareNeutral, type DB } from "./db";

interface Window { minute: number; requests: number; tokens: number }

/**
 * Per-key limits and usage for one process that owns its database. Admission and counting happen
 * in memory, in the single JavaScript thread, so they are exact: a request is counted when it is
 * admitted (requests per minute never overshoot), and a request of a key whose tokens are limited
 * reserves the most it may spend at admission, settled to what it spent when its answer ends, so
 * tokens per minute and budgets are never overshot by requests in flight. What was used is written
 * to usage_daily once a second, in one transaction, with statements that leave the data plane's
 * access memo alone; a write that fails (a full disk) keeps its counts for the next one.
 */
export class Usage {
  private windows = new Map<string, Window>();
  /** Per key and budget period: tokens spent plus tokens reserved by requests in flight. */
  private periods = new Map<string, { name: string; tokens: number }>();
  private pending = new PendingUsage();
  private upsertUse; private upsertRefusal; private periodSum; private byKey; private byAgent; private refusalsByKey; private refusalsByAgent;

  constructor(private db: DB) {
    this.upsertUse = prepareNeutral(db, `INSERT INTO usage_daily (key_id, agent_id, day, requests, prompt_tokens, completion_tokens, estimated_tokens)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key_id, day) DO UPDATE SET requests = requests + excluded.requests,
      prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens,
      estimated_tokens = estimated_tokens + excluded.estimated_tokens`);
    this.upsertRefusal = prepareNeutral(db, `INSERT INTO refusals_daily (key_id, agent_id, day, reason, count) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (key_id, day, reason) DO UPDATE SET count = count + excluded.count`);
    this.periodSum = db.prepare("SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS n FROM usage_daily WHERE key_id = ? AND day BETWEEN ? AND ?");
    const days = `SELECT day, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
      SUM(estimated_tokens) AS estimated_tokens FROM usage_daily WHERE %s = ? AND day BETWEEN ? AND ? GROUP BY day ORDER BY day`;
    this.byKey = db.prepare(days.replace("%s", "key_id"));
    this.byAgent = db.prepare(days.replace("%s", "agent_id"));
    this.refusalsByKey = db.prepare("SELECT day, reason, SUM(count) AS count FROM refusals_daily WHERE key_id = ? AND day BETWEEN ? AND ? GROUP BY day, reason");
    this.refusalsByAgent = db.prepare("SELECT day, reason, SUM(count) AS count FROM refusals_daily WHERE agent_id = ? AND day BETWEEN ? AND ? GROUP BY day, reason");
  }

  private window(keyId: string, now: number): Window {
    const minute = Math.floor(now / MINUTE);
    let w = this.windows.get(keyId);
    if (!w || w.minute !== minute) this.windows.set(keyId, (w = { minute, requests: 0, tokens: 0 }));
    return w;
  }

  /** The key's period counter, loaded from usage_daily (with what is still pending) when a period begins. */
  private period(keyId: string, period: "day" | "month", now: number): { name: string; tokens: number } {
    const p = budgetPeriod(period, now);
    const cacheKey = `${keyId}|${period}`;
    let cur = this.periods.get(cacheKey);
    if (!cur || cur.name !== p.name) {
      let n = (this.periodSum.get(keyId, p.from, p.to) as { n: number }).n;
      for (const [k, u] of this.pending.uses) {
        const [key, day] = k.split("|");
        if (key === keyId && day >= p.from && day <= p.to) n += u.prompt + u.completion;
      }
      cur = { name: p.name, tokens: n };
      this.periods.set(cacheKey, cur);
    }
    return cur;
  }

  admit(p: Principal, now: number, reserve: number): Admission {
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
      budget = this.period(p.keyId, l.tokenBudget.period, now);
      if (budget.tokens >= l.tokenBudget.tokens || budget.tokens + held > l.tokenBudget.tokens) return refuse("token_budget");
    }
    w.requests++;
    this.pending.add(p.keyId, p.agentId, now, 1, 0, 0);
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
    if (total > 0) this.pending.add(p.keyId, p.agentId, now, 0, s.prompt, s.completion, s.estimatedPrompt + s.estimatedCompletion);
  }

  refuse(keyId: string, agentId: string, reason: string, now: number): void {
    this.pending.refuse(keyId, agentId, reason, now);
  }

  /** Writes what is pending in one transaction; on failure it stays pending (written with the next flush) and the error is thrown. */
  flush(): void {
    if (this.pending.empty) return;
    const taken = this.pending.take();
    try {
      this.db.transaction(() => {
        for (const [keyId, day, u] of taken.uses) this.upsertUse.run(keyId, u.agentId, day, u.requests, u.prompt, u.completion, u.estimated);
        for (const [keyId, day, reason, r] of taken.refusals) this.upsertRefusal.run(keyId, r.agentId, day, reason, r.count);
      })();
    } catch (e) {
      this.pending.restore(taken);
      throw e;
    }
  }

  report(q: UsageQuery): UsageDay[] {
    this.flush();
    const rows = (q.keyId ? this.byKey.all(q.keyId, q.from, q.to) : this.byAgent.all(q.agentId, q.from, q.to)) as UsageRow[];
    const refusals = (q.keyId ? this.refusalsByKey.all(q.keyId, q.from, q.to) : this.refusalsByAgent.all(q.agentId, q.from, q.to)) as
      { day: string; reason: string; count: number }[];
    return usageDays(rows, refusals);
  }
}

import { PendingUsage, utcDay } from "../pendingUsage";
import { usageDays } from "../usageDays";
import type { Admission, LimitRefusal, Principal, UsageDay, UsageQuery } from "../types";
import { prepareNeutral, type DB } from "./db";

const MINUTE = 60_000;

/** The UTC period a budget counts in: its name, first day, and when the next one starts. */
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

interface Window { minute: number; requests: number; tokens: number }

/**
 * Per-key limits and usage for one process that owns its database. Admission and counting happen
 * in memory, in the single JavaScript thread, so they are exact: a request is counted when it is
 * admitted (requests per minute never overshoot), and tokens when its answer reports them (a
 * tokens-per-minute or budget limit can be overshot only by the requests already in flight when
 * it was reached). What was used is written to usage_daily once a second, in one transaction, with
 * statements that leave the data plane's access memo alone.
 */
export class Usage {
  private windows = new Map<string, Window>();
  private periods = new Map<string, { name: string; tokens: number }>();
  private pending = new PendingUsage();
  private upsertUse; private upsertRefusal; private periodSum; private byKey; private byAgent; private refusalsByKey; private refusalsByAgent;

  constructor(private db: DB) {
    this.upsertUse = prepareNeutral(db, `INSERT INTO usage_daily (key_id, agent_id, day, requests, prompt_tokens, completion_tokens)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key_id, day) DO UPDATE SET requests = requests + excluded.requests,
      prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens`);
    this.upsertRefusal = prepareNeutral(db, `INSERT INTO refusals_daily (key_id, agent_id, day, reason, count) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (key_id, day, reason) DO UPDATE SET count = count + excluded.count`);
    this.periodSum = db.prepare("SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS n FROM usage_daily WHERE key_id = ? AND day BETWEEN ? AND ?");
    this.byKey = db.prepare(`SELECT day, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens
      FROM usage_daily WHERE key_id = ? AND day BETWEEN ? AND ? GROUP BY day ORDER BY day`);
    this.byAgent = db.prepare(`SELECT day, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens
      FROM usage_daily WHERE agent_id = ? AND day BETWEEN ? AND ? GROUP BY day ORDER BY day`);
    this.refusalsByKey = db.prepare("SELECT day, reason, SUM(count) AS count FROM refusals_daily WHERE key_id = ? AND day BETWEEN ? AND ? GROUP BY day, reason");
    this.refusalsByAgent = db.prepare("SELECT day, reason, SUM(count) AS count FROM refusals_daily WHERE agent_id = ? AND day BETWEEN ? AND ? GROUP BY day, reason");
  }

  private window(keyId: string, now: number): Window {
    const minute = Math.floor(now / MINUTE);
    let w = this.windows.get(keyId);
    if (!w || w.minute !== minute) this.windows.set(keyId, (w = { minute, requests: 0, tokens: 0 }));
    return w;
  }

  private periodTokens(keyId: string, period: "day" | "month", now: number): { tokens: number; endsAt: number } {
    const p = budgetPeriod(period, now);
    const cacheKey = `${keyId}|${period}`;
    let cur = this.periods.get(cacheKey);
    if (!cur || cur.name !== p.name) {
      this.flush();
      cur = { name: p.name, tokens: (this.periodSum.get(keyId, p.from, p.to) as { n: number }).n };
      this.periods.set(cacheKey, cur);
    }
    return { tokens: cur.tokens, endsAt: p.endsAt };
  }

  admit(p: Principal, now: number): Admission {
    const w = this.window(p.keyId, now);
    const nextMinute = (w.minute + 1) * MINUTE;
    const refuse = (reason: LimitRefusal, until: number): Admission => {
      this.refuse(p.keyId, p.agentId, reason, now);
      return { ok: false, reason, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
    };
    const l = p.limits;
    if (l.requestsPerMinute !== null && w.requests >= l.requestsPerMinute) return refuse("requests_per_minute", nextMinute);
    if (l.tokensPerMinute !== null && w.tokens >= l.tokensPerMinute) return refuse("tokens_per_minute", nextMinute);
    if (l.tokenBudget) {
      const used = this.periodTokens(p.keyId, l.tokenBudget.period, now);
      if (used.tokens >= l.tokenBudget.tokens) return refuse("token_budget", used.endsAt);
    }
    w.requests++;
    this.add(p.keyId, p.agentId, now, 1, 0, 0);
    return { ok: true };
  }

  /** Tokens an answer reported, counted against the key's windows and budget. */
  record(keyId: string, agentId: string, promptTokens: number, completionTokens: number, now: number): void {
    const total = promptTokens + completionTokens;
    if (total <= 0) return;
    this.window(keyId, now).tokens += total;
    for (const period of ["day", "month"] as const) {
      const cur = this.periods.get(`${keyId}|${period}`);
      if (cur && cur.name === budgetPeriod(period, now).name) cur.tokens += total;
    }
    this.add(keyId, agentId, now, 0, promptTokens, completionTokens);
  }

  refuse(keyId: string, agentId: string, reason: string, now: number): void {
    this.pending.refuse(keyId, agentId, reason, now);
  }

  private add(keyId: string, agentId: string, now: number, requests: number, prompt: number, completion: number): void {
    this.pending.add(keyId, agentId, now, requests, prompt, completion);
  }

  flush(): void {
    if (this.pending.empty) return;
    const { uses, refusals } = this.pending.take();
    this.db.transaction(() => {
      for (const [keyId, day, u] of uses) this.upsertUse.run(keyId, u.agentId, day, u.requests, u.prompt, u.completion);
      for (const [keyId, day, reason, r] of refusals) this.upsertRefusal.run(keyId, r.agentId, day, reason, r.count);
    })();
  }

  report(q: UsageQuery): UsageDay[] {
    this.flush();
    const rows = (q.keyId ? this.byKey.all(q.keyId, q.from, q.to) : this.byAgent.all(q.agentId, q.from, q.to)) as
      { day: string; requests: number; prompt_tokens: number; completion_tokens: number }[];
    const refusals = (q.keyId ? this.refusalsByKey.all(q.keyId, q.from, q.to) : this.refusalsByAgent.all(q.agentId, q.from, q.to)) as
      { day: string; reason: string; count: number }[];
    return usageDays(rows, refusals);
  }
}

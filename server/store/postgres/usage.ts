import { usageDays } from "../usageDays";
import { hasLimits, type Admission, type LimitRefusal, type Principal, type UsageDay, type UsageQuery } from "../types";
import { PendingUsage, utcDay } from "../pendingUsage";
import { budgetPeriod } from "../sqlite/usage";
import { unavailableOr, type PgDb } from "./db";

const MINUTE = 60_000;
const FLUSH_MS = 1000;

/**
 * Per-key limits and usage shared by every replica on one database.
 * - Keys without limits cost no round trip: their requests, tokens and refusals are added up in
 *   memory and written once a second as increments (ON CONFLICT ... + excluded), so the sum over
 *   replicas is exact once each has flushed (at most a second later, and at shutdown).
 * - A key with limits is admitted by one statement on its shared minute window: the increment
 *   happens only while the window is under both limits, so requests per minute never overshoot
 *   across replicas, and tokens per minute or a budget only by the requests already in flight
 *   when the limit was reached. Its tokens are written at once (window and daily usage) rather
 *   than batched, so every replica's next admission sees them.
 */
export class PgUsage {
  private pending = new PendingUsage();
  private inFlight = new Set<Promise<unknown>>();
  /** Per limited key, its token writes still running here: its next admission waits for them. */
  private recording = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout;
  private lastPurge = 0;
  private flushing?: Promise<void>;

  constructor(private db: PgDb, private onError: (e: unknown) => void = () => undefined) {
    this.timer = setInterval(() => {
      if (!this.flushing) void this.flush().catch(onError);
    }, FLUSH_MS);
    this.timer.unref();
  }

  private track<T>(p: Promise<T>): void {
    this.inFlight.add(p);
    p.catch(this.onError).finally(() => this.inFlight.delete(p));
  }

  admit(p: Principal, now: number): Admission | Promise<Admission> {
    const l = p.limits;
    if (!hasLimits(l)) {
      this.add(p.keyId, p.agentId, now, 1, 0, 0);
      return { ok: true };
    }
    return this.admitShared(p, now);
  }

  private async admitShared(p: Principal, now: number): Promise<Admission> {
    const l = p.limits;
    // Read-your-writes on this replica: a client's next request counts its last answer's tokens
    // however slow the database is to take them (other replicas' answers: only once written).
    const writing = this.recording.get(p.keyId);
    if (writing) await writing;
    const minute = Math.floor(now / MINUTE);
    const nextMinute = (minute + 1) * MINUTE;
    const budget = l.tokenBudget ? budgetPeriod(l.tokenBudget.period, now) : null;
    const r = await this.db.pool.query<{ admitted: boolean; used: number; requests: number | null; tokens: number | null }>(
      `WITH b AS (
         SELECT COALESCE((SELECT SUM(prompt_tokens + completion_tokens) FROM usage_daily WHERE key_id = $1 AND day BETWEEN $5 AND $6), 0) AS used
       ), w AS (
         INSERT INTO rate_windows AS rw (key_id, minute, requests, tokens)
         SELECT $1, $2, 1, 0 FROM b WHERE ($7::bigint IS NULL OR b.used < $7) AND ($3::int IS NULL OR $3 > 0)
         ON CONFLICT (key_id, minute) DO UPDATE SET requests = rw.requests + 1
           WHERE ($3::int IS NULL OR rw.requests < $3) AND ($4::bigint IS NULL OR rw.tokens < $4)
         RETURNING requests
       )
       SELECT EXISTS (SELECT 1 FROM w) AS admitted, (SELECT used FROM b) AS used,
         (SELECT requests FROM rate_windows WHERE key_id = $1 AND minute = $2) AS requests,
         (SELECT tokens FROM rate_windows WHERE key_id = $1 AND minute = $2) AS tokens`,
      [p.keyId, minute, l.requestsPerMinute, l.tokensPerMinute, budget?.from ?? null, budget?.to ?? null, l.tokenBudget?.tokens ?? null],
    ).catch((e) => {
      throw unavailableOr(e);
    });
    this.purgeWindows(minute);
    const row = r.rows[0];
    if (row.admitted) {
      this.add(p.keyId, p.agentId, now, 1, 0, 0);
      return { ok: true };
    }
    let reason: LimitRefusal;
    let until = nextMinute;
    if (budget && l.tokenBudget && row.used >= l.tokenBudget.tokens) {
      reason = "token_budget";
      until = budget.endsAt;
    } else if (l.requestsPerMinute !== null && (row.requests ?? 0) >= l.requestsPerMinute) reason = "requests_per_minute";
    else reason = "tokens_per_minute";
    this.refuse(p.keyId, p.agentId, reason, now);
    return { ok: false, reason, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
  }

  /** Old minute windows are of no use; one replica's occasional delete keeps the table small. */
  private purgeWindows(minute: number): void {
    if (minute - this.lastPurge < 5) return;
    this.lastPurge = minute;
    this.track(this.db.pool.query("DELETE FROM rate_windows WHERE minute < $1", [minute - 2]));
  }

  /** Tokens an answer reported. For a key with limits they are written now; otherwise with the next flush. */
  record(keyId: string, agentId: string, promptTokens: number, completionTokens: number, now: number, limited = false): void {
    const total = promptTokens + completionTokens;
    if (total <= 0) return;
    if (!limited) return this.add(keyId, agentId, now, 0, promptTokens, completionTokens);
    const write = this.db.pool.query(
      `WITH w AS (
         INSERT INTO rate_windows AS rw (key_id, minute, requests, tokens) VALUES ($1, $3, 0, $6)
         ON CONFLICT (key_id, minute) DO UPDATE SET tokens = rw.tokens + $6
       )
       INSERT INTO usage_daily AS u (key_id, agent_id, day, requests, prompt_tokens, completion_tokens) VALUES ($1, $2, $4, 0, $5, $7)
       ON CONFLICT (key_id, day) DO UPDATE SET prompt_tokens = u.prompt_tokens + $5, completion_tokens = u.completion_tokens + $7`,
      [keyId, agentId, Math.floor(now / MINUTE), utcDay(now), promptTokens, total, completionTokens],
    );
    this.track(write);
    const settled = Promise.allSettled([this.recording.get(keyId), write]);
    this.recording.set(keyId, settled);
    void settled.then(() => {
      if (this.recording.get(keyId) === settled) this.recording.delete(keyId);
    });
  }

  refuse(keyId: string, agentId: string, reason: string, now: number): void {
    this.pending.refuse(keyId, agentId, reason, now);
  }

  private add(keyId: string, agentId: string, now: number, requests: number, prompt: number, completion: number): void {
    this.pending.add(keyId, agentId, now, requests, prompt, completion);
  }

  /**
   * Writes this replica's increments (and waits for immediate writes still running). One flush at
   * a time per replica (a caller arriving during one waits, then writes what came since), rows in
   * key order: flushes of several replicas then wait for each other briefly instead of deadlocking,
   * and never pile up on the pool.
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    this.flushing = this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    if (this.pending.empty) return;
    const taken = this.pending.take();
    const { uses, refusals } = taken;
    uses.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
    refusals.sort((a, b) => (a[0] + a[1] + a[2] < b[0] + b[1] + b[2] ? -1 : 1));
    try {
      await this.db.tx(async (c) => {
        if (uses.length) {
          await c.query(
            `INSERT INTO usage_daily AS u (key_id, day, agent_id, requests, prompt_tokens, completion_tokens)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
             ON CONFLICT (key_id, day) DO UPDATE SET requests = u.requests + excluded.requests,
               prompt_tokens = u.prompt_tokens + excluded.prompt_tokens, completion_tokens = u.completion_tokens + excluded.completion_tokens`,
            [uses.map((x) => x[0]), uses.map((x) => x[1]), uses.map((x) => x[2].agentId), uses.map((x) => x[2].requests), uses.map((x) => x[2].prompt), uses.map((x) => x[2].completion)],
          );
        }
        if (refusals.length) {
          await c.query(
            `INSERT INTO refusals_daily AS r (key_id, day, reason, agent_id, count)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
             ON CONFLICT (key_id, day, reason) DO UPDATE SET count = r.count + excluded.count`,
            [refusals.map((x) => x[0]), refusals.map((x) => x[1]), refusals.map((x) => x[2]), refusals.map((x) => x[3].agentId), refusals.map((x) => x[3].count)],
          );
        }
      }, { notify: false });
    } catch (e) {
      this.pending.restore(taken); // not lost: written with the next flush
      throw e;
    }
  }

  async report(q: UsageQuery): Promise<UsageDay[]> {
    await this.flush();
    const [col, id] = q.keyId ? ["key_id", q.keyId] : ["agent_id", q.agentId];
    const rows = (await this.db.pool.query<{ day: string; requests: number; prompt_tokens: number; completion_tokens: number }>(
      `SELECT day, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens
       FROM usage_daily WHERE ${col} = $1 AND day BETWEEN $2 AND $3 GROUP BY day ORDER BY day`, [id, q.from, q.to])).rows;
    const refusals = (await this.db.pool.query<{ day: string; reason: string; count: number }>(
      `SELECT day, reason, SUM(count) AS count FROM refusals_daily WHERE ${col} = $1 AND day BETWEEN $2 AND $3 GROUP BY day, reason`, [id, q.from, q.to])).rows;
    return usageDays(rows, refusals);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(this.onError);
  }
}

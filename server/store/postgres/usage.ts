import { budgetPeriod, MINUTE, refused, RESERVATION_TTL_MS } from "../limits";
import { PendingUsage, utcDay } from "../pendingUsage";
import { usageDays, type UsageRow } from "../usageDays";
import {
  hasLimits, limitsTokens, type Admission, type LimitRefusal, type Principal, type Reservation, type Spent, type UsageDay, type UsageQuery,
} from "../types";
import { unavailableOr, type PgDb } from "./db";

const FLUSH_MS = 1000;

/**
 * Per-key limits and usage shared by every replica on one database.
 * - Keys without limits cost no round trip: their requests, tokens and refusals are added up in
 *   memory and written once a second as increments (ON CONFLICT ... + excluded), so the sum over
 *   replicas is exact once each has flushed (at most a second later, and at shutdown).
 * - A key with limits is admitted by one call of writer_admit (migration 3): its minute window row
 *   and, with a budget, its ledger row are locked in that order, so requests per minute never
 *   overshoot across replicas; a key whose tokens are limited also reserves the most the request
 *   may spend there, so tokens per minute and budgets are never overshot by requests in flight.
 *   Its spend settles the reservation at once (writer_settle), so every replica's next admission
 *   sees it.
 */
export class PgUsage {
  private pending = new PendingUsage();
  private inFlight = new Set<Promise<unknown>>();
  /** Per limited key, its settlements still running here: its next admission waits for them. */
  private recording = new Map<string, Promise<unknown>>();
  /** Settlements that failed (the database went away): retried with every flush until they land. */
  private unsettled: unknown[][] = [];
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

  admit(p: Principal, now: number, reserve: number): Admission | Promise<Admission> {
    if (!hasLimits(p.limits)) {
      this.pending.add(p.keyId, p.agentId, now, 1, 0, 0);
      return { ok: true, reservation: null };
    }
    return this.admitShared(p, now, limitsTokens(p.limits) ? reserve : 0);
  }

  private async admitShared(p: Principal, now: number, reserve: number): Promise<Admission> {
    const l = p.limits;
    // Read-your-writes on this replica: a client's next request counts its last answer's tokens
    // however slow the database is to take them (other replicas' answers: only once written).
    const writing = this.recording.get(p.keyId);
    if (writing) await writing;
    const minute = Math.floor(now / MINUTE);
    const budget = l.tokenBudget ? budgetPeriod(l.tokenBudget.period, now) : null;
    const r = await this.db.pool.query<{ refusal: string | null }>(
      "SELECT writer_admit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) AS refusal",
      [p.keyId, minute, l.requestsPerMinute, l.tokensPerMinute, budget?.name ?? null, budget?.from ?? null, budget?.to ?? null,
        l.tokenBudget?.tokens ?? null, reserve, now, now + RESERVATION_TTL_MS],
    ).catch((e) => {
      throw unavailableOr(e);
    });
    this.purge(minute, now);
    const refusal = r.rows[0].refusal;
    if (refusal === null) {
      this.pending.add(p.keyId, p.agentId, now, 1, 0, 0);
      const reservation = limitsTokens(l) ? { keyId: p.keyId, agentId: p.agentId, tokens: reserve, at: now } : null;
      return { ok: true, reservation };
    }
    const reason = refusal.replace("!", "") as LimitRefusal;
    this.refuse(p.keyId, p.agentId, reason, now);
    return refused(reason, now, budget?.endsAt ?? null, refusal.endsWith("!"));
  }

  /** Old minute windows and budget periods are of no use; one replica's occasional delete keeps the tables small. */
  private purge(minute: number, now: number): void {
    if (minute - this.lastPurge < 5) return;
    this.lastPurge = minute;
    this.track(this.db.pool.query("DELETE FROM rate_windows WHERE minute < $1", [minute - 2]));
    this.track(this.db.pool.query("DELETE FROM token_ledger WHERE period < $1", [budgetPeriod("month", now).name]));
  }

  /**
   * What a request spent. A key whose tokens are limited settles its reservation now (its window,
   * its ledger and its daily usage in one call); otherwise the tokens go with the next flush.
   */
  spend(p: Principal, r: Reservation | null, s: Spent, now: number): void {
    const total = s.prompt + s.completion;
    const estimated = s.estimatedPrompt + s.estimatedCompletion;
    if (!r) {
      if (total > 0) this.pending.add(p.keyId, p.agentId, now, 0, s.prompt, s.completion, estimated);
      return;
    }
    const period = p.limits.tokenBudget ? budgetPeriod(p.limits.tokenBudget.period, r.at) : null;
    const args = [p.keyId, p.agentId, Math.floor(r.at / MINUTE), r.tokens, period?.name ?? null, period?.from ?? null, period?.to ?? null,
      utcDay(now), s.prompt, s.completion, estimated];
    const write = this.settle(args);
    this.track(write);
    const settled = Promise.allSettled([this.recording.get(p.keyId), write]);
    this.recording.set(p.keyId, settled);
    void settled.then(() => {
      if (this.recording.get(p.keyId) === settled) this.recording.delete(p.keyId);
    });
  }

  private async settle(args: unknown[]): Promise<void> {
    try {
      await this.db.pool.query("SELECT writer_settle($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", args);
    } catch (e) {
      this.unsettled.push(args); // never lost: retried by the next flush
      throw e;
    }
  }

  refuse(keyId: string, agentId: string, reason: string, now: number): void {
    this.pending.refuse(keyId, agentId, reason, now);
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
    const retry = this.unsettled.splice(0);
    for (let i = 0; i < retry.length; i++) {
      try {
        await this.settle(retry[i]);
      } catch (e) {
        this.unsettled.push(...retry.slice(i + 1));
        throw e;
      }
    }
    if (this.pending.empty) return;
    const taken = this.pending.take();
    const { uses, refusals } = taken;
    uses.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
    refusals.sort((a, b) => (a[0] + a[1] + a[2] < b[0] + b[1] + b[2] ? -1 : 1));
    try {
      await this.db.tx(async (c) => {
        if (uses.length) {
          await c.query(
            `INSERT INTO usage_daily AS u (key_id, day, agent_id, requests, prompt_tokens, completion_tokens, estimated_tokens)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
             ON CONFLICT (key_id, day) DO UPDATE SET requests = u.requests + excluded.requests,
               prompt_tokens = u.prompt_tokens + excluded.prompt_tokens, completion_tokens = u.completion_tokens + excluded.completion_tokens,
               estimated_tokens = u.estimated_tokens + excluded.estimated_tokens`,
            [uses.map((x) => x[0]), uses.map((x) => x[1]), uses.map((x) => x[2].agentId), uses.map((x) => x[2].requests), uses.map((x) => x[2].prompt), uses.map((x) => x[2].completion), uses.map((x) => x[2].estimated)],
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
    const rows = (await this.db.pool.query<UsageRow>(
      `SELECT day, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
       SUM(estimated_tokens) AS estimated_tokens FROM usage_daily WHERE ${col} = $1 AND day BETWEEN $2 AND $3 GROUP BY day ORDER BY day`, [id, q.from, q.to])).rows;
    const refusals = (await this.db.pool.query<{ day: string; reason: string; count: number }>(
      `SELECT day, reason, SUM(count) AS count FROM refusals_daily WHERE ${col} = $1 AND day BETWEEN $2 AND $3 GROUP BY day, reason`, [id, q.from, q.to])).rows;
    return usageDays(rows, refusals);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(this.onError);
  }
}

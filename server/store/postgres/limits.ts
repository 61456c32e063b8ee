import type { UsageCounts } from "../domain/usage";
import { budgetPeriod, MINUTE, refused, RESERVATION_TTL_MS } from "../limits";
import { utcDay } from "../pendingUsage";
import { hasLimits, limitsTokens, type Admission, type LimitRefusal, type Principal, type Reservation, type Spent } from "../types";
import { unavailableOr, type PgDb } from "./db";

/**
 * Per-key limits shared by every replica on one database.
 * - Keys without limits cost no round trip: their requests and tokens go to the shared counts
 *   (domain/usage.ts), written once a second as increments.
 * - A key with limits is admitted by one call of writer_admit (migration 2): its minute window row
 *   and, with a budget, its ledger row are locked in that order, so requests per minute never
 *   overshoot across replicas; a key whose tokens are limited also reserves the most the request
 *   may spend there, so tokens per minute and budgets are never overshot by requests in flight.
 *   Its spend settles the reservation at once (writer_settle), so every replica's next admission
 *   sees it; a settlement that fails (the database went away) is retried with every flush.
 */
export class SharedLimits {
  private inFlight = new Set<Promise<unknown>>();
  /** Per limited key, its settlements still running here: its next admission waits for them (read-your-writes). */
  private recording = new Map<string, Promise<unknown>>();
  private unsettled: unknown[][] = [];
  private lastPurge = 0;

  constructor(private db: PgDb, private counts: UsageCounts, private onError: (e: unknown) => void = () => undefined) {}

  private track<T>(p: Promise<T>): void {
    this.inFlight.add(p);
    p.catch(this.onError).finally(() => this.inFlight.delete(p));
  }

  admit(p: Principal, now: number, reserve: number): Admission | Promise<Admission> {
    if (!hasLimits(p.limits)) {
      this.counts.pending.add(p.keyId, p.agentId, now, 1, 0, 0);
      return { ok: true, reservation: null };
    }
    return this.admitShared(p, now, limitsTokens(p.limits) ? reserve : 0);
  }

  private async admitShared(p: Principal, now: number, reserve: number): Promise<Admission> {
    const l = p.limits;
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
      this.counts.pending.add(p.keyId, p.agentId, now, 1, 0, 0);
      return { ok: true, reservation: limitsTokens(l) ? { keyId: p.keyId, agentId: p.agentId, tokens: reserve, at: now } : null };
    }
    const reason = refusal.replace("!", "") as LimitRefusal;
    this.counts.pending.refuse(p.keyId, p.agentId, reason, now);
    return refused(reason, now, budget?.endsAt ?? null, refusal.endsWith("!"));
  }

  /** Old minute windows and budget periods are of no use; one replica's occasional delete keeps the tables small. */
  private purge(minute: number, now: number): void {
    if (minute - this.lastPurge < 5) return;
    this.lastPurge = minute;
    this.track(this.db.pool.query("DELETE FROM rate_windows WHERE minute < $1", [minute - 2]));
    this.track(this.db.pool.query("DELETE FROM token_ledger WHERE period < $1", [budgetPeriod("month", now).name]));
  }

  /** A key whose tokens are limited settles now (window, ledger and daily usage in one call); others go with the next flush. */
  spend(p: Principal, r: Reservation | null, s: Spent, now: number): void {
    const total = s.prompt + s.completion;
    const estimated = s.estimatedPrompt + s.estimatedCompletion;
    if (!r) {
      if (total > 0) this.counts.pending.add(p.keyId, p.agentId, now, 0, s.prompt, s.completion, estimated);
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
      this.unsettled.push(args);
      throw e;
    }
  }

  /** Before each flush of the counts: the settlements in flight land, the failed ones are tried again. */
  async beforeFlush(): Promise<void> {
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
  }
}

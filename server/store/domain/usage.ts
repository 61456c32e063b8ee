import { sql } from "kysely";
import type { Db } from "../db";
import { PendingUsage } from "../pendingUsage";
import { usageDays, type UsageRow } from "../usageDays";
import type { UsageDay, UsageQuery } from "../types";

/** Rows per statement of a flush (well under both engines' limits on bound parameters). */
const CHUNK = 500;

/**
 * Use counted in memory (requests, tokens, refusals per key and UTC day) and written as increments
 * once a second, so the sum over processes is exact once each has flushed. One flush at a time per
 * process, rows in key order (several replicas' flushes then wait for each other briefly instead
 * of deadlocking); a flush that fails (a full disk, the database away) keeps its counts for the next.
 */
export class UsageCounts {
  readonly pending = new PendingUsage();
  private flushing?: Promise<void>;
  /** When the counts were last written (or found empty): the metrics' flush lag. */
  lastFlushAt = Date.now();

  constructor(private db: Db) {}

  async flush(before?: () => Promise<void>): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    this.flushing = this.write(before).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(before?: () => Promise<void>): Promise<void> {
    await before?.();
    if (this.pending.empty) {
      this.lastFlushAt = Date.now();
      return;
    }
    const taken = this.pending.take();
    const uses = taken.uses.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
    const refusals = taken.refusals.sort((a, b) => (a[0] + a[1] + a[2] < b[0] + b[1] + b[2] ? -1 : 1));
    const q = this.db.q;
    try {
      await this.db.tx(async (x) => {
        for (let i = 0; i < uses.length; i += CHUNK) {
          await x.run(q.insertInto("usage_daily")
            .values(uses.slice(i, i + CHUNK).map(([key_id, day, u]) => ({
              key_id, day, agent_id: u.agentId, requests: u.requests, prompt_tokens: u.prompt, completion_tokens: u.completion, estimated_tokens: u.estimated,
            })))
            .onConflict((oc) => oc.columns(["key_id", "day"]).doUpdateSet({
              requests: sql`usage_daily.requests + excluded.requests`,
              prompt_tokens: sql`usage_daily.prompt_tokens + excluded.prompt_tokens`,
              completion_tokens: sql`usage_daily.completion_tokens + excluded.completion_tokens`,
              estimated_tokens: sql`usage_daily.estimated_tokens + excluded.estimated_tokens`,
            })));
        }
        for (let i = 0; i < refusals.length; i += CHUNK) {
          await x.run(q.insertInto("refusals_daily")
            .values(refusals.slice(i, i + CHUNK).map(([key_id, day, reason, r]) => ({ key_id, day, reason, agent_id: r.agentId, count: r.count })))
            .onConflict((oc) => oc.columns(["key_id", "day", "reason"]).doUpdateSet({ count: sql`refusals_daily.count + excluded.count` })));
        }
      }, { access: false });
      this.lastFlushAt = Date.now();
    } catch (e) {
      this.pending.restore(taken);
      throw e;
    }
  }

  /** Tokens spent by a key in a range of days (a budget's period), written ones plus those still pending here. */
  async spentBetween(keyId: string, from: string, to: string): Promise<number> {
    const r = await this.db.read.first(this.db.q.selectFrom("usage_daily")
      .select(sql<number>`COALESCE(SUM(prompt_tokens + completion_tokens), 0)`.as("n")).where("key_id", "=", keyId).where("day", ">=", from).where("day", "<=", to));
    let n = Number(r?.n ?? 0);
    for (const [k, u] of this.pending.uses) {
      const [key, day] = k.split("|");
      if (key === keyId && day >= from && day <= to) n += u.prompt + u.completion;
    }
    return n;
  }

  async report(q: UsageQuery): Promise<UsageDay[]> {
    await this.flush();
    const k = this.db.q;
    const col = q.keyId ? "key_id" : "agent_id";
    const id = q.keyId ?? q.agentId;
    const rows = await this.db.read.all(k.selectFrom("usage_daily")
      .select(["day", sql<number>`SUM(requests)`.as("requests"), sql<number>`SUM(prompt_tokens)`.as("prompt_tokens"),
        sql<number>`SUM(completion_tokens)`.as("completion_tokens"), sql<number>`SUM(estimated_tokens)`.as("estimated_tokens")])
      .where(col, "=", id).where("day", ">=", q.from).where("day", "<=", q.to).groupBy("day").orderBy("day"));
    const refusals = await this.db.read.all(k.selectFrom("refusals_daily")
      .select(["day", "reason", sql<number>`SUM(count)`.as("count")])
      .where(col, "=", id).where("day", ">=", q.from).where("day", "<=", q.to).groupBy(["day", "reason"]));
    return usageDays(rows as UsageRow[], refusals);
  }
}

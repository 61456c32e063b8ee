import { open, seal } from "../../crypto";
import { IdempotencyKeyReused, IdempotentReplay } from "../errors";
import { IDEMPOTENCY_TTL_MS } from "../idempotency";
import type { IdempotencyContext, Lookup } from "../types";
import type { Q } from "./db";

interface IdemRow { key_hash: string; request_hash: string; status: number; iv: Buffer; tag: Buffer; body: Buffer; created_at: number }

/**
 * Idempotency-Key records on PostgreSQL, sealed exactly as on SQLite (sqlite/idempotency.ts).
 * Across replicas, the write's transaction claims the record's row FIRST: a second replica
 * handling the same key at the same moment blocks on that row until the first commits, then
 * finds the record and answers with it (IdempotentReplay), so one object is created.
 */
export class PgIdempotency {
  async lookup(q: Q, ctx: IdempotencyContext): Promise<Lookup> {
    const r = (await q.query<IdemRow>("SELECT * FROM idempotency WHERE key_hash = $1 AND created_at > $2 AND status > 0", [ctx.rowKey, Date.now() - IDEMPOTENCY_TTL_MS])).rows[0];
    if (!r) return { kind: "miss" };
    if (r.request_hash !== ctx.requestHash) return { kind: "mismatch" };
    return { kind: "replay", status: r.status, body: open(ctx.cipherKey, r, r.key_hash) };
  }

  /** First statement of the write's transaction: take the record's row, or answer with the record another request made. */
  async claim(q: Q, ctx: IdempotencyContext): Promise<void> {
    const now = Date.now();
    const r = await q.query(`INSERT INTO idempotency (key_hash, request_hash, status, iv, tag, body, created_at)
      VALUES ($1, $2, 0, '', '', '', $3)
      ON CONFLICT (key_hash) DO UPDATE SET request_hash = excluded.request_hash, status = 0, created_at = excluded.created_at
      WHERE idempotency.created_at <= $4`, [ctx.rowKey, ctx.requestHash, now, now - IDEMPOTENCY_TTL_MS]);
    if (r.rowCount === 1) return;
    const found = await this.lookup(q, ctx);
    if (found.kind === "mismatch") throw new IdempotencyKeyReused("this Idempotency-Key was already used with a different request body; use a new key", "Idempotency-Key");
    if (found.kind === "replay") throw new IdempotentReplay(found.status, found.body);
    // A live row without an answer cannot outlive its transaction; treat it as taken by a request in progress.
    throw new IdempotencyKeyReused("a request with this Idempotency-Key is still in progress; retry shortly", "Idempotency-Key");
  }

  /** Last statement of the write's transaction: the answer, sealed. */
  async save(q: Q, ctx: IdempotencyContext, status: number, body: string): Promise<void> {
    const s = seal(ctx.cipherKey, body, ctx.rowKey);
    await q.query("UPDATE idempotency SET status = $2, iv = $3, tag = $4, body = $5, created_at = $6 WHERE key_hash = $1", [ctx.rowKey, status, s.iv, s.tag, s.body, Date.now()]);
  }

  async release(q: Q, rowKeys: string[]): Promise<number> {
    if (rowKeys.length === 0) return 0;
    return (await q.query("DELETE FROM idempotency WHERE key_hash = ANY($1)", [rowKeys])).rowCount ?? 0;
  }

  async purgeExpired(q: Q, now = Date.now()): Promise<number> {
    return (await q.query("DELETE FROM idempotency WHERE created_at <= $1", [now - IDEMPOTENCY_TTL_MS])).rowCount ?? 0;
  }
}

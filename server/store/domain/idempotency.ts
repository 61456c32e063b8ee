import { open, seal } from "../../crypto";
import type { Db, Exec } from "../db";
import { IdempotencyKeyReused, IdempotentReplay } from "../errors";
import { IDEMPOTENCY_TTL_MS } from "../idempotency";
import type { IdempotencyContext, Lookup } from "../types";

/**
 * Idempotent POSTs without plaintext secrets at rest (the design is in ../idempotency.ts). The
 * write's transaction claims the record's row FIRST: a second request with the same key at the
 * same moment (another replica's, on PostgreSQL) waits on that row until the first commits, then
 * finds the record and answers with it (IdempotentReplay), so one object is created. The answer
 * is sealed into the row as the transaction's last statement, so a crash never leaves a created
 * key whose replay record is missing.
 */
export class Idempotency {
  constructor(private db: Db) {}

  async lookup(x: Exec, ctx: IdempotencyContext): Promise<Lookup> {
    const r = await x.first(this.db.q.selectFrom("idempotency").selectAll()
      .where("key_hash", "=", ctx.rowKey).where("created_at", ">", Date.now() - IDEMPOTENCY_TTL_MS).where("status", ">", 0));
    if (!r) return { kind: "miss" };
    if (r.request_hash !== ctx.requestHash) return { kind: "mismatch" };
    return { kind: "replay", status: r.status, body: open(ctx.cipherKey, r, r.key_hash) };
  }

  /** The write's first statement: take the record's row, or answer with the record another request made. */
  async claim(x: Exec, ctx: IdempotencyContext): Promise<void> {
    const now = Date.now();
    const empty = Buffer.alloc(0);
    const n = await x.run(this.db.q.insertInto("idempotency")
      .values({ key_hash: ctx.rowKey, request_hash: ctx.requestHash, status: 0, iv: empty, tag: empty, body: empty, created_at: now })
      .onConflict((oc) => oc.column("key_hash")
        .doUpdateSet({ request_hash: ctx.requestHash, status: 0, created_at: now })
        .where("idempotency.created_at", "<=", now - IDEMPOTENCY_TTL_MS)));
    if (n === 1) return;
    const found = await this.lookup(x, ctx);
    if (found.kind === "mismatch") throw new IdempotencyKeyReused("this Idempotency-Key was already used with a different request body; use a new key", "Idempotency-Key");
    if (found.kind === "replay") throw new IdempotentReplay(found.status, found.body);
    // A live row without an answer cannot outlive its transaction: a request in progress holds it.
    throw new IdempotencyKeyReused("a request with this Idempotency-Key is still in progress; retry shortly", "Idempotency-Key");
  }

  /** The write's last statement: the answer, sealed. */
  async save(x: Exec, ctx: IdempotencyContext, status: number, body: string): Promise<void> {
    const s = seal(ctx.cipherKey, body, ctx.rowKey);
    await x.run(this.db.q.updateTable("idempotency").set({ status, iv: s.iv, tag: s.tag, body: s.body, created_at: Date.now() }).where("key_hash", "=", ctx.rowKey));
  }

  /** Forgets records whose answers the client has recorded; a repeat of their key then creates anew. */
  async release(x: Exec, rowKeys: string[]): Promise<number> {
    if (rowKeys.length === 0) return 0;
    return x.run(this.db.q.deleteFrom("idempotency").where("key_hash", "in", rowKeys));
  }

  async purgeExpired(x: Exec, now = Date.now()): Promise<number> {
    return x.run(this.db.q.deleteFrom("idempotency").where("created_at", "<=", now - IDEMPOTENCY_TTL_MS));
  }
}

import { open, seal } from "../../crypto";
import { IDEMPOTENCY_TTL_MS, idempotencyContext, idempotencyRowKey } from "../idempotency";
import type { IdempotencyContext, Lookup } from "../types";
import { prepareNeutral, type DB } from "./db";

/**
 * Idempotent POSTs without plaintext secrets at rest.
 *
 * A replayed create must return the same secret, so the first response has to be kept; but the DB
 * must never hold a usable secret. So:
 *  - the row is stored under SHA-256(scope + Idempotency-Key), where scope = (admin token hash,
 *    method, path): the key itself is never stored;
 *  - the response body is sealed with AES-256-GCM under HKDF-SHA256(ikm = pepper,
 *    salt = Idempotency-Key, info = "writer-local idempotency v1"), with the row id as AAD.
 * Reading the DB (even together with the pepper) gives nothing without the idempotency key, which
 * only the client that made the request holds; that client can get the response replayed, nobody else.
 *
 * The row is written inside the SAME transaction as the create (see `save`), so a crash can never
 * leave a created key whose replay record is missing. Records live 24 hours and are purged on a
 * schedule (server/app.ts).
 */
export { IDEMPOTENCY_TTL_MS };

interface IdemRow { key_hash: string; request_hash: string; status: number; iv: Buffer; tag: Buffer; body: Buffer; created_at: number }

export class Idempotency {
  private find; private upsert; private purgeStmt; private deleteStmt;
  constructor(db: DB, private pepper: Buffer) {
    this.find = db.prepare("SELECT * FROM idempotency WHERE key_hash = ? AND created_at > ?");
    this.upsert = prepareNeutral(db, `INSERT OR REPLACE INTO idempotency (key_hash, request_hash, status, iv, tag, body, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.purgeStmt = prepareNeutral(db, "DELETE FROM idempotency WHERE created_at <= ?");
    this.deleteStmt = prepareNeutral(db, "DELETE FROM idempotency WHERE key_hash = ?");
  }

  rowKey(scope: string, key: string): string {
    return idempotencyRowKey(scope, key);
  }

  context(scope: string, key: string, body: unknown): IdempotencyContext {
    return idempotencyContext(this.pepper, scope, key, body);
  }

  lookup(ctx: IdempotencyContext): Lookup {
    const r = this.find.get(ctx.rowKey, Date.now() - IDEMPOTENCY_TTL_MS) as IdemRow | undefined;
    if (!r) return { kind: "miss" };
    if (r.request_hash !== ctx.requestHash) return { kind: "mismatch" };
    return { kind: "replay", status: r.status, body: open(ctx.cipherKey, r, r.key_hash) };
  }

  /** Call inside the transaction that performs the create. */
  save(ctx: IdempotencyContext, status: number, body: string): void {
    const s = seal(ctx.cipherKey, body, ctx.rowKey);
    this.upsert.run(ctx.rowKey, ctx.requestHash, status, s.iv, s.tag, s.body, Date.now());
  }

  /** Forgets records whose answers the client has recorded; a repeat of their key then creates anew. */
  release(rowKeys: string[]): number {
    let n = 0;
    for (const k of rowKeys) n += this.deleteStmt.run(k).changes;
    return n;
  }

  purgeExpired(now = Date.now()): number {
    return this.purgeStmt.run(now - IDEMPOTENCY_TTL_MS).changes;
  }
}

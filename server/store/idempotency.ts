import type { DB } from "./db";
import { idempotencyCipherKey, open, seal, sha256 } from "../crypto";
import { ApiError } from "../errors";

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
 * The row is written by the route inside the SAME transaction as the create (see `save`), so a crash
 * can never leave a created key whose replay record is missing. Records live 24 hours.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface IdempotencyContext {
  rowKey: string;
  requestHash: string;
  cipherKey: Buffer;
}

interface IdemRow { key_hash: string; request_hash: string; status: number; iv: Buffer; tag: Buffer; body: Buffer; created_at: number }

export type Lookup =
  | { kind: "miss" }
  | { kind: "mismatch" }
  | { kind: "replay"; status: number; body: string };

export class Idempotency {
  private find; private upsert; private purgeStmt;
  constructor(db: DB, private pepper: Buffer) {
    this.find = db.prepare("SELECT * FROM idempotency WHERE key_hash = ? AND created_at > ?");
    this.upsert = db.prepare(`INSERT OR REPLACE INTO idempotency (key_hash, request_hash, status, iv, tag, body, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.purgeStmt = db.prepare("DELETE FROM idempotency WHERE created_at <= ?");
  }

  context(scope: string, key: string, body: unknown): IdempotencyContext {
    return {
      rowKey: sha256(`${scope}\n${key}`).toString("hex"),
      requestHash: sha256(canonicalJson(body ?? null)).toString("hex"),
      cipherKey: idempotencyCipherKey(this.pepper, key),
    };
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

  purgeExpired(): number {
    return this.purgeStmt.run(Date.now() - IDEMPOTENCY_TTL_MS).changes;
  }
}

/** Deeper than any valid admin body; bounds the recursion below on hostile input. */
const MAX_DEPTH = 32;

/** JSON with sorted object keys, so {"a":1,"b":2} and {"b":2,"a":1} count as the same body. */
export function canonicalJson(v: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new ApiError(400, `request body nests deeper than ${MAX_DEPTH} levels`, { field: "(body)" });
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x, depth + 1)).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k], depth + 1)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

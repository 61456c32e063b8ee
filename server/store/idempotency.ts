import { idempotencyCipherKey, sha256 } from "../crypto";
import { canonicalJson } from "./canonical";
import type { IdempotencyContext } from "./types";

/** Records live 24 hours (the storage design is described in sqlite/idempotency.ts; both engines share it). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Where a request's record lives: SHA-256(scope + Idempotency-Key); the key itself is never stored. */
export function idempotencyRowKey(scope: string, key: string): string {
  return sha256(`${scope}\n${key}`).toString("hex");
}

export function idempotencyContext(pepper: Buffer, scope: string, key: string, body: unknown): IdempotencyContext {
  return {
    rowKey: idempotencyRowKey(scope, key),
    requestHash: sha256(canonicalJson(body ?? null)).toString("hex"),
    cipherKey: idempotencyCipherKey(pepper, key),
  };
}

import { idempotencyCipherKey, sha256 } from "../crypto";
import { canonicalJson } from "./canonical";
import type { IdempotencyContext } from "./types";

/**
 * Idempotent POSTs without plaintext secrets at rest. A replayed create must return the same
 * secret, so the first response has to be kept; but the database must never hold a usable secret:
 *  - the row is stored under SHA-256(scope + Idempotency-Key), where scope = (admin token hash,
 *    method, path): the key itself is never stored;
 *  - the response body is sealed with AES-256-GCM under HKDF-SHA256(ikm = pepper,
 *    salt = Idempotency-Key, info = "writer-local idempotency v1"), with the row id as AAD.
 * Reading the database (even together with the pepper) gives nothing without the idempotency key,
 * which only the client that made the request holds. The record is claimed and written in the
 * write's own transaction (domain/idempotency.ts); records live 24 hours and are purged on a
 * schedule (server/app.ts).
 */
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

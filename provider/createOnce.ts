import { createHash, randomUUID } from "node:crypto";
import type { AdminClient } from "./client";
import { ConflictError } from "./errors";
import { BOOKKEEPING } from "./resources/core";

/**
 * Creates an object at most once per logical create, even when the engine dies between the
 * server's answer and the state write: the Idempotency-Key is derived from the resource's stable
 * identity (project, stack, type, parent chain, name: `creationKey`, passed by the SDK class), the
 * request body and `creationNonce`, so the next `up` gets the first answer replayed instead of a
 * second object. The admin token is mixed in so that the key (which unlocks the stored answer,
 * secret included) cannot be computed from the program alone.
 *
 * Two creates must share a key only when they are the same logical create:
 *  - a first create and its retry after a crash: the resource is not in state, so there is no
 *    nonce either time, and the key is the same;
 *  - a replacement (diff, `--replace`, `--target-replace`, replaceOnChanges) happens while the
 *    resource IS in state, and its create must make a NEW object, or the engine would delete the
 *    object it just "created". The engine checks the resource with its old inputs first and then,
 *    deciding to replace, checks it again with none before the create; `withNonce` carries a nonce
 *    derived from the old inputs from the first check to the second. It differs from the first
 *    create's (none) and from every earlier replacement's (each replacement's inputs hold the nonce
 *    before it), yet is the same if that replacement is retried after a crash;
 *  - a forced replacement (`--replace`, `--target-replace`) is not checked with its old inputs,
 *    so it gets no nonce: it would share the first create's key. So the key is released once the
 *    engine has recorded the create: the engine ends a deployment (after writing its state) by
 *    interrupting its plugins with SIGINT, and this process then tells the server to stop
 *    replaying the keys of the creates it answered (`releaseCreated`). An engine that dies instead
 *    never sends it, so the create it may not have recorded is still replayed by the next `up`;
 *  - a replay of an object that has since been deleted (destroyed and re-created within the
 *    server's 24 h window), or a key already used with another body, falls back to a fresh key.
 */
export async function createOnce<T>(
  c: AdminClient,
  path: string,
  body: unknown,
  ids: { creationKey?: string; creationNonce?: string },
  stillExists: (created: T) => Promise<boolean>,
): Promise<T> {
  if (!ids.creationKey) return c.post<T>(path, body);
  const idem = createHash("sha256")
    .update(`${c.config.adminToken}\n${ids.creationKey}\n${ids.creationNonce ?? ""}\n${path}\n${JSON.stringify(body)}`)
    .digest("hex");
  try {
    const { data, replayed } = await c.postWithMeta<T>(path, body, idem);
    if (!replayed || (await stillExists(data))) {
      answered(c, path, idem, (data as { id?: string }).id);
      return data;
    }
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
  }
  return c.post<T>(path, body, randomUUID());
}

/** Creates this process answered with a derived key, by client: released at the engine's SIGINT. */
const created = new Map<AdminClient, { path: string; idempotency_key: string }[]>();
/** Ids of the objects those creates answered. */
const createdIds = new Set<string>();

function answered(c: AdminClient, path: string, key: string, id: string | undefined): void {
  if (created.size === 0) process.once("SIGINT", () => void releaseCreated().finally(() => process.exit(0)));
  created.set(c, [...(created.get(c) ?? []), { path, idempotency_key: key }]);
  if (id) createdIds.add(id);
}

/**
 * The last line of defence: a delete of an object that a create in this same deployment answered
 * can only be a replacement whose create got the old object back (a key that was never released,
 * e.g. after an engine crash). Deleting it would delete the replacement, so the caller skips it.
 */
export function answeredInThisDeployment(id: string): boolean {
  return createdIds.has(id);
}

/**
 * Tells the server that the engine has recorded these creates, so their keys stop replaying.
 * Bounded: the engine gives a plugin 5 s after SIGINT. A release that fails leaves the key
 * replayable for the rest of its 24 h; answeredInThisDeployment keeps that from deleting anything.
 */
export async function releaseCreated(): Promise<void> {
  const all = [...created];
  created.clear();
  await Promise.allSettled(
    all.map(([c, requests]) => c.request("post", "/v1/admin/idempotency/release", { requests }, { timeout: 2000, "axios-retry": { retries: 1 } } as never)),
  );
}

/** A hash of a resource's old inputs (its nonce included, so successive replacements differ). */
export function creationNonceOf(olds: Record<string, unknown>): string {
  const own = Object.fromEntries(Object.entries(olds).filter(([k, v]) => v !== undefined && k !== "__provider"));
  return createHash("sha256").update(canonical(own)).digest("hex").slice(0, 32);
}

/**
 * Nonces of resources checked with their old inputs in this provider process (one process serves
 * a whole deployment), by creationKey: what a replacement's second check, made with no old
 * inputs, picks up.
 */
const replacementNonces = new Map<string, string>();

/**
 * The checked inputs with the right nonce. With old inputs (an update, or the first check of a
 * replacement) the stored nonce is kept, so plain updates never churn it, and the nonce the next
 * create would need is remembered. Without old inputs it is a create: a replacement's if this
 * process just checked the resource with its old inputs, else none (a first create).
 */
export function withNonce<I extends { creationKey?: string; creationNonce?: string }>(news: I, olds: Partial<I> | undefined): I {
  const { creationNonce: _ignored, ...rest } = news;
  const inState = Object.keys(olds ?? {}).some((k) => k !== "__provider");
  let nonce: string | undefined;
  if (inState) {
    nonce = olds!.creationNonce;
    if (news.creationKey) replacementNonces.set(news.creationKey, creationNonceOf(olds as Record<string, unknown>));
  } else if (news.creationKey) {
    nonce = replacementNonces.get(news.creationKey);
  }
  // The engine's wire format has no undefined: an absent nonce is an absent key.
  return (nonce === undefined ? rest : { ...rest, creationNonce: nonce }) as I;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => !BOOKKEEPING.has(k) || k === "creationNonce").map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

import { createHash, randomUUID } from "node:crypto";
import type { AdminClient } from "./client";
import { ConflictError } from "./errors";

/**
 * Creates an object at most once per logical resource, even when the engine dies between the
 * server's answer and the state write: the Idempotency-Key is derived from the resource's stable
 * identity (project, stack, type, name: `creationKey`, passed by the SDK class) and the request
 * body, so the next `up` gets the first answer replayed instead of a second object. A replay of
 * an object that has since been deleted (the same resource destroyed and re-created within the
 * server's 24 h window), or a key already used with another body, falls back to a fresh key.
 * The admin token is mixed in so that the key (which unlocks the stored answer, secret included)
 * cannot be computed from the program alone.
 */
export async function createOnce<T>(
  c: AdminClient,
  path: string,
  body: unknown,
  creationKey: string | undefined,
  stillExists: (created: T) => Promise<boolean>,
): Promise<T> {
  if (!creationKey) return c.post<T>(path, body);
  const idem = createHash("sha256").update(`${c.config.adminToken}\n${creationKey}\n${path}\n${JSON.stringify(body)}`).digest("hex");
  try {
    const { data, replayed } = await c.postWithMeta<T>(path, body, idem);
    if (!replayed || (await stillExists(data))) return data;
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
  }
  return c.post<T>(path, body, randomUUID());
}

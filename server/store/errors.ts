// What the store says when an operation cannot happen, in its own terms. One place
// (server/errors.ts) turns these into HTTP answers; the store knows nothing of HTTP.

export abstract class StoreError extends Error {
  constructor(
    message: string,
    /** The request field the problem is about (`id`, `key_id`, `owner_id`, `after`). */
    readonly field: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The object does not exist (or was deleted/revoked). */
export class NotFound extends StoreError {
  constructor(what: string, id: string, field: string) {
    super(`${what} ${id} was not found`, field);
  }
}

/** Unique name or email already taken. */
export class Taken extends StoreError {}

/** The request is well-formed but refers to something that cannot be (unknown team, owner not in team). */
export class Unprocessable extends StoreError {}

/** A list cursor that never belonged to the list. */
export class BadCursor extends StoreError {}

/** Input nested deeper than any valid request (a 400). */
export class DepthError extends StoreError {}

/** The storage cannot be reached just now (a 503 the caller may retry). */
export class Unavailable extends StoreError {}

/**
 * Another process committed this Idempotency-Key's request first (replicas on one database): the
 * answer is the response it recorded, sent as a replay.
 */
export class IdempotentReplay extends StoreError {
  constructor(readonly status: number, readonly body: string) {
    super("replayed", "Idempotency-Key");
  }
}

/** The Idempotency-Key was already used with a different body. */
export class IdempotencyKeyReused extends StoreError {}

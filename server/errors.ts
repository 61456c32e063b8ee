import { CONFLICT_KEYS, errorBody, type ErrorStatus } from "../api";
import { BadCursor, DepthError, NotFound, StoreError, Taken, Unprocessable, Unavailable, IdempotencyKeyReused } from "./store/errors";

/** The one error type HTTP code throws (HttpError, not the provider's APIError, which is a client's view of one); the central error handler renders it as Writer's error body. */
export class HttpError extends Error {
  constructor(
    readonly status: ErrorStatus,
    description: string,
    readonly opts: {
      field?: string;
      key?: string;
      headers?: Record<string, string>;
      /** Several offending fields at once (validation); each becomes one entry of errors[]. */
      details?: { field: string; description: string }[];
    } = {},
  ) {
    super(description);
  }
  body() {
    const b = errorBody(this.status, this.message, { field: this.opts.field, key: this.opts.key });
    if (this.opts.details && this.opts.details.length > 1) {
      const key = b.errors[0].key;
      b.errors = this.opts.details.map((d) => ({ description: d.description, key, extras: { field: d.field } }));
    }
    return b;
  }
}

/** The one place the store's domain errors become HTTP answers. */
export function fromStoreError(e: StoreError): HttpError {
  if (e instanceof NotFound) return new HttpError(404, e.message, { field: e.field });
  if (e instanceof Taken) return new HttpError(409, e.message, { field: e.field, key: CONFLICT_KEYS.nameTaken });
  if (e instanceof Unprocessable) return new HttpError(422, e.message, { field: e.field });
  // A well-formed cursor that names no object of the list: a fact of the store no schema can state.
  if (e instanceof BadCursor) return new HttpError(422, e.message, { field: e.field });
  if (e instanceof DepthError) return new HttpError(400, e.message, { field: e.field });
  if (e instanceof IdempotencyKeyReused) return new HttpError(409, e.message, { field: e.field, key: CONFLICT_KEYS.idempotencyKeyReused });
  if (e instanceof Unavailable) return new HttpError(503, e.message, { field: e.field, headers: { "retry-after": "1" } });
  return new HttpError(400, e.message, { field: e.field });
}

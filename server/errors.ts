import { errorBody, type ErrorStatus } from "../api";

/** The one error type handlers throw; the central error handler renders it as Writer's error body. */
export class ApiError extends Error {
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

export const notFound = (what: string, id: string, field: string) =>
  new ApiError(404, `${what} ${id} was not found`, { field });
export const unprocessable = (field: string, description: string) => new ApiError(422, description, { field });

import type { AxiosError } from "axios";
import { ADMIN_TOKEN_PREFIX, SECRET_PREFIX } from "../api/constants";

/** Redacts anything shaped like a Writer key secret or admin token, so no error can echo one. */
export function redact(s: string): string {
  return s
    .replace(new RegExp(`${SECRET_PREFIX}[A-Za-z0-9_-]+`, "g"), `${SECRET_PREFIX}[REDACTED]`)
    .replace(new RegExp(`${ADMIN_TOKEN_PREFIX}[A-Za-z0-9_-]+`, "g"), `${ADMIN_TOKEN_PREFIX}[REDACTED]`);
}

/** The root of every error the client raises. */
export class WriterError extends Error {
  constructor(message: string) {
    super(redact(message));
    this.name = new.target.name;
  }
}

/** The server answered with an error status. */
export class APIError extends WriterError {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly description: string,
    readonly field: string | undefined,
    readonly errorKey: string | undefined,
    hint: string,
  ) {
    super(`${method.toUpperCase()} ${path} failed with ${status}: ${description}${field ? ` (field: ${field})` : ""}.${hint ? " " + hint : ""}`);
  }
}
export class AuthenticationError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class ConflictError extends APIError {}
export class UnprocessableEntityError extends APIError {}
export class RateLimitError extends APIError {}
export class InternalServerError extends APIError {}
/** No answer: refused, reset, or timed out. */
export class APIConnectionError extends WriterError {}

/** A lookup (getTeam, getUser) found nothing by that name, email or id; the message lists what exists where it can. */
export class LookupNotFoundError extends WriterError {
  constructor(
    readonly kind: "team" | "user",
    /** The part of the message after "getTeam: ", for callers that name the field themselves. */
    readonly detail: string,
  ) {
    super(`get${kind === "team" ? "Team" : "User"}: ${detail}`);
  }
}

const HINTS: Record<number, string> = {
  400: "Fix the named field in the resource's arguments.",
  401: "The admin token was refused: set it with `pulumi config set --secret writer:adminToken <token>` or WRITER_ADMIN_TOKEN (for writer-local: `writer-local token`).",
  403: "The credential is not an admin token (an API key cannot manage agents): use the admin token.",
  404: "The object does not exist (deleted outside Pulumi?): run `pulumi refresh` to drop it from state.",
  409: "It conflicts with the current state on the server; retry or check for a concurrent change.",
  422: "The server rejected the values: fix the named field (e.g. the key owner must be a member of the team).",
  429: "Rate limited after all retries: lower `pulumi up --parallel` or WRITER_MAX_CONCURRENCY.",
};

/** The one classifier that turns a failed request into the error family. */
export function toWriterError(err: AxiosError): WriterError {
  const method = err.config?.method ?? "request";
  const path = err.config?.url ?? "";
  if (!err.response) {
    const why = err.code === "ECONNABORTED" || err.code === "ETIMEDOUT" ? "timed out" : `failed (${err.code ?? err.message})`;
    return new APIConnectionError(
      `${method.toUpperCase()} ${err.config?.baseURL ?? ""}${path} ${why} after retries: is the server at writer:baseUrl running and reachable?`,
    );
  }
  const status = err.response.status;
  const body = err.response.data as { errors?: { description?: string; key?: string; extras?: { field?: string } }[] } | undefined;
  const first = body && Array.isArray(body.errors) ? body.errors[0] : undefined;
  const description = first?.description ?? err.response.statusText ?? "error";
  const args = [status, method, path, description, first?.extras?.field, first?.key, HINTS[status] ?? (status >= 500 ? "The server failed after all retries; try again later." : "")] as const;
  switch (status) {
    case 401: return new AuthenticationError(...args);
    case 403: return new PermissionDeniedError(...args);
    case 404: return new NotFoundError(...args);
    case 409: return new ConflictError(...args);
    case 422: return new UnprocessableEntityError(...args);
    case 429: return new RateLimitError(...args);
    default: return status >= 500 ? new InternalServerError(...args) : new APIError(...args);
  }
}

import { z } from "zod/v4";

/** Writer's ids are UUIDs with no prefix, returned in lower case. */
export const Uuid = z.uuid();
/** An id as a client sends it: any case, read as lower case (what the server stores). */
export const IdParam = z.uuid("must be a UUID").transform((s) => s.toLowerCase());
/** ISO 8601 UTC timestamps, as Writer returns them. */
export const Timestamp = z.iso.datetime({ offset: true });

/** Writer's error body; `extras.field` names the offending field. */
export const ErrorDetail = z.object({
  description: z.string(),
  key: z.string(),
  extras: z.object({ field: z.string().optional() }).catchall(z.unknown()),
});
export const ErrorBody = z.object({
  tpe: z.string(),
  errors: z.array(ErrorDetail).min(1),
  extras: z.record(z.string(), z.unknown()),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** status -> (tpe, key) exactly as Writer documents them. */
export const ERRORS = {
  400: { tpe: "BadRequest", key: "fail.badRequest.invalidParameters" },
  401: { tpe: "Unauthorized", key: "fail.unauthorized.badToken" },
  403: { tpe: "Forbidden", key: "fail.forbidden.insufficientAccessRights" },
  404: { tpe: "NotFound", key: "fail.notFound.resource" },
  405: { tpe: "MethodNotAllowed", key: "fail.methodNotAllowed" },
  408: { tpe: "RequestTimeout", key: "fail.requestTimeout" },
  409: { tpe: "Conflict", key: "fail.conflict.resource" },
  413: { tpe: "PayloadTooLarge", key: "fail.payloadTooLarge" },
  415: { tpe: "UnsupportedMediaType", key: "fail.unsupportedMediaType" },
  422: { tpe: "UnprocessableEntity", key: "fail.unprocessableEntity.invalidParameters" },
  429: { tpe: "TooManyRequests", key: "fail.tooManyRequests.quotaExceeded" },
  500: { tpe: "InternalServerError", key: "fail.internalServerError.generic" },
  502: { tpe: "BadGateway", key: "fail.badGateway.upstream" },
  503: { tpe: "ServiceUnavailable", key: "fail.serviceUnavailable.temporary" },
  504: { tpe: "GatewayTimeout", key: "fail.gatewayTimeout.upstream" },
} as const;
export type ErrorStatus = keyof typeof ERRORS;

/** Conflict keys the contract distinguishes. */
export const CONFLICT_KEYS = {
  idempotencyKeyReused: "fail.conflict.idempotencyKeyReused",
  idempotencyInFlight: "fail.conflict.idempotencyRequestInProgress",
  nameTaken: "fail.conflict.nameTaken",
} as const;

export function errorBody(
  status: ErrorStatus,
  description: string,
  opts: { field?: string; key?: string } = {},
): ErrorBody {
  const e = ERRORS[status];
  return {
    tpe: e.tpe,
    errors: [{ description, key: opts.key ?? e.key, extras: opts.field ? { field: opts.field } : {} }],
    extras: {},
  };
}

/**
 * Writer's cursor pagination query. That after and before exclude each other is a rule across two
 * parameters, which OpenAPI's separate parameters cannot carry: the store answers it (422) and the
 * lists' descriptions say it.
 */
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  order: z.enum(["asc", "desc"]).default("desc"),
  after: IdParam.optional(),
  before: IdParam.optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

/**
 * An Idempotency-Key as HTTP carries it: visible ASCII, inner spaces allowed (Node drops the ones
 * around a header value before anything sees it), 1 to 255 characters.
 */
export const IdempotencyKey = z.string().min(1).max(255).regex(/^[!-~](?:[ -~]{0,253}[!-~])?$/, "must be 1 to 255 visible ASCII characters (inner spaces allowed)");

export function Page<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    has_more: z.boolean(),
    first_id: Uuid.nullable(),
    last_id: Uuid.nullable(),
  });
}
export interface PageOf<T> {
  data: T[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

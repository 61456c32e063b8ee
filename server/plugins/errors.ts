import type { FastifyError } from "fastify";
import { errorBody, ERRORS, type ErrorStatus } from "../../api";
import { ApiError } from "../errors";
import { globalPlugin } from "./plugin";

const FASTIFY_CODES: Record<string, { status: ErrorStatus; description: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, description: "request body is larger than 1 MiB" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, description: "unsupported Content-Type: send application/json" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, description: "Content-Length does not match the body" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, description: "empty JSON body" },
  FST_ERR_BAD_URL: { status: 400, description: "malformed URL" },
};

/** The one place an error becomes an HTTP answer: always Writer's error body, never internals on 5xx. */
export const errorHandlerPlugin = globalPlugin(async (app) => {
  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    if (err instanceof ApiError) {
      if (err.status >= 500) req.log.warn({ status: err.status }, err.message);
      for (const [k, v] of Object.entries(err.opts.headers ?? {})) reply.header(k, v);
      return reply.code(err.status).send(err.body());
    }
    const fe = err as FastifyError;
    const known = fe.code ? FASTIFY_CODES[fe.code] : undefined;
    if (known) return reply.code(known.status).send(errorBody(known.status, known.description, { field: "(body)" }));
    const status = fe.statusCode;
    if (status && status >= 400 && status < 500) {
      const s = (status in ERRORS ? status : 400) as ErrorStatus;
      return reply.code(s).send(errorBody(s, fe.message || "bad request"));
    }
    req.log.error({ err }, "unhandled error");
    return reply.code(500).send(errorBody(500, "internal error; the request may be retried"));
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0];
    reply.code(404).send(errorBody(404, `no route ${req.method} ${path.slice(0, 200)}`, { field: "path" }));
  });
});

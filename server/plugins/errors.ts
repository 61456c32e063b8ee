import fp from "fastify-plugin";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { errorBody, ERRORS, REPLAYED_HEADER, type ErrorStatus } from "../../api";
import { HttpError, fromStoreError } from "../errors";
import { IdempotentReplay, StoreError } from "../store/errors";


const FASTIFY_CODES: Record<string, { status: ErrorStatus; description: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, description: "request body is larger than the limit" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, description: "unsupported Content-Type: send application/json" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, description: "Content-Length does not match the body" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, description: "empty JSON body" },
  FST_ERR_BAD_URL: { status: 400, description: "malformed URL" },
};

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** What the client's going away itself raises: its upstream request abandoned with it (undici's abort, forward.ts's Aborted), its upload cut short. */
const CLIENT_GONE = new Set(["UND_ERR_ABORTED", "ECONNRESET", "ERR_STREAM_PREMATURE_CLOSE"]);

/**
 * An error answered before the request's body arrived (a 401 in onRequest, a 413): the rest of the
 * body is not read. The connection is closed after the answer, so a client trickling a body in
 * cannot hold it open: half-closed at once, so the answer is read, then destroyed a second later.
 */
function closeUnread(req: FastifyRequest, reply: FastifyReply): void {
  if (req.raw.complete) return;
  reply.header("connection", "close");
  reply.raw.once("finish", () => {
    const socket = req.raw.socket;
    if (typeof socket?.end !== "function") return; // an injected request has no real socket
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  });
}

/** The one place an error becomes an HTTP answer: always Writer's error body, never internals on 5xx. */
export const errorHandlerPlugin = fp(async (app) => {
  app.setErrorHandler((err: FastifyError | HttpError | StoreError, req, reply) => {
    // The client went away and this is its going (its upstream request abandoned with it): nobody
    // to answer, nothing wrong here. Any other error after it left is still logged below.
    if ((reply.raw.destroyed || req.raw.socket?.destroyed) && CLIENT_GONE.has((err as FastifyError).code ?? "")) {
      req.log.debug({ err: { type: (err as Error).name, code: (err as FastifyError).code } }, "the client went away before its answer");
      return reply.send();
    }
    closeUnread(req, reply);
    if (err instanceof IdempotentReplay) {
      return reply.code(err.status).header(REPLAYED_HEADER, "true").type("application/json; charset=utf-8").send(err.body);
    }
    const e = err instanceof StoreError ? fromStoreError(err) : err;
    if (e instanceof HttpError) {
      if (e.status >= 500) req.log.warn({ status: e.status }, e.message);
      for (const [k, v] of Object.entries(e.opts.headers ?? {})) reply.header(k, v);
      return reply.code(e.status).send(e.body());
    }
    const fe = e as FastifyError;
    const known = fe.code ? FASTIFY_CODES[fe.code] : undefined;
    if (known) return reply.code(known.status).send(errorBody(known.status, known.description, { field: "(body)" }));
    const status = fe.statusCode;
    if (status && status >= 400 && status < 500) {
      const s = (status in ERRORS ? status : 400) as ErrorStatus;
      return reply.code(s).send(errorBody(s, fe.message || "bad request"));
    }
    req.log.error({ err: { type: fe.name, code: fe.code } }, "unhandled error");
    return reply.code(500).send(errorBody(500, "internal error; the request may be retried"));
  });

  // A path that exists under other methods is 405 with Allow; anything else is 404. Answered before
  // the body is parsed, so what the request carries (a Content-Type, a body, or a QUERY's lack of
  // one) cannot turn it into a 400 or 415: after authentication (onRequest), which still comes first.
  const unrouted = (req: FastifyRequest): HttpError => {
    const path = req.url.split("?")[0];
    const allow = METHODS.filter((m) => m !== req.method && app.findRoute({ method: m, url: path }) !== null);
    if (allow.length > 0) {
      return new HttpError(405, `${req.method} is not allowed on ${path.slice(0, 200)}: use ${allow.join(" or ")}`, { field: "method", headers: { allow: allow.join(", ") } });
    }
    return new HttpError(404, `no route ${req.method} ${path.slice(0, 200)}`, { field: "path" });
  };
  app.addHook("preParsing", (req, _reply, payload, done) => {
    if (req.is404) return done(unrouted(req), payload);
    done(null, payload);
  });
  // Thrown, so the error handler answers it like every other HttpError (its headers, Allow included).
  app.setNotFoundHandler((req: FastifyRequest) => {
    throw unrouted(req);
  });
}, { name: "writer-errors" });

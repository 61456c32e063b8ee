import type { FastifyRequest } from "fastify";
import pino from "pino";
import { ADMIN_TOKEN_PREFIX, SECRET_PREFIX } from "../api";

/** Headers that carry credentials (or, for Idempotency-Key, the key to a sealed response). */
const REDACT = ["req.headers.authorization", 'req.headers["idempotency-key"]', "headers.authorization", 'headers["idempotency-key"]'];

const SECRETS = new RegExp(`(${SECRET_PREFIX}|${ADMIN_TOKEN_PREFIX})[A-Za-z0-9_%-]+`, "g");

/**
 * A URL as it may be logged: the path with anything secret-shaped redacted, and never the query
 * string (clients put keys in `?api_key=`); only that there was one.
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf("?");
  const path = (q === -1 ? url : url.slice(0, q)).replace(SECRETS, "$1[redacted]");
  return q === -1 ? path : `${path}?[query redacted]`;
}

/** writer-local's logger: structured, on stderr (stdout carries only the "listening" line). */
export function createLogger(level: string, stream: NodeJS.WritableStream = process.stderr) {
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: "[redacted]" },
      serializers: {
        req: (req: FastifyRequest) => ({ method: req.method, url: loggableUrl(req.url), remoteAddress: req.ip }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    stream as pino.DestinationStream,
  );
}

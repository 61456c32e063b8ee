import fp from "fastify-plugin";
import { HttpError } from "../errors";
import { isAdminRequest } from "./plugin";

/** Request bodies: 1 MiB of JSON (admin and data plane); uploads have their own limit. */
export const BODY_LIMIT = 1024 * 1024;
/** Deeper than any valid request; deeper bodies are refused before any schema walks them. */
export const MAX_JSON_DEPTH = 64;

declare module "fastify" {
  interface FastifyRequest {
    /** The JSON body exactly as received (what a gateway forwards). */
    rawBody?: string;
  }
}

/** How deep a parsed JSON value nests, walked without recursion (so hostile input cannot overflow the stack). */
export function jsonDepth(v: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (!x || typeof x !== "object") continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const c of Array.isArray(x) ? x : Object.values(x)) if (c && typeof c === "object") stack.push([c, d + 1]);
  }
  return max;
}

/**
 * JSON for everything; an empty JSON body (no bytes) counts as no body (a POST with no fields is legal). The
 * admin API accepts nothing but JSON (415); the data plane also takes raw uploads (POST /v1/files).
 */
export const bodyPlugin = fp(async (app) => {
  app.removeAllContentTypeParsers();
  // The limit is the route's (admin 1 MiB, data plane --max-json-bytes).
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    // Only a body of no bytes is no body: whitespace alone is not JSON (and not the {} an optional body reads as).
    const text = body as string;
    if (text === "") return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(new HttpError(400, "malformed JSON body", { field: "(body)" }), undefined);
    }
    // Fastify hands a validator null for "no body" too, and no body is {} (validation.ts): so an
    // admin body of JSON null, which is no object, is refused here, where the two still differ.
    if (parsed === null && isAdminRequest(req)) {
      return done(new HttpError(400, "(body): must be a JSON object, not null", { field: "(body)" }), undefined);
    }
    if (jsonDepth(parsed, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      return done(new HttpError(400, `request body nests deeper than ${MAX_JSON_DEPTH} levels`, { field: "(body)" }), undefined);
    }
    req.rawBody = body as string;
    done(null, parsed);
  });
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: BODY_LIMIT }, (req, body, done) => {
    if (isAdminRequest(req)) {
      return done(new HttpError(415, "unsupported Content-Type: the admin API takes application/json", { field: "Content-Type" }), undefined);
    }
    done(null, body);
  });
}, { name: "writer-body", dependencies: ["writer-errors"] });

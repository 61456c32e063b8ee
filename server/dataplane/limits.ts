import type { FastifyRequest } from "fastify";
import type { NamedEndpoint } from "../../api";
import { HttpError } from "../errors";
import { limitsTokens, type Admission, type Principal, type Store } from "../store";
import { Meter, reservationFor } from "./usage";

// Stage 2: the key's limits. Every request counts against requests per minute; a request of a key
// whose tokens are limited (tokens per minute, a budget) also reserves the most it may spend, and
// its Meter settles that reservation to what it spent when the answer ends, however it ends.

/** Writer's clients wait out a Retry-After of up to 60 s; past that they retry at once unless told not to. */
const CLIENT_MAX_WAIT_S = 60;

function limitError(a: Extract<Admission, { ok: false }>, e: NamedEndpoint): HttpError {
  const what = a.reason.replace(/_/g, " ");
  if (a.neverFits) {
    const field = e.generates?.maxTokens ?? "(body)";
    return new HttpError(400, `this request may spend more tokens than this key's ${what} limit allows at all: send a smaller ${field === "(body)" ? "request" : field}`, { field });
  }
  return new HttpError(429, `this key's ${what} limit is reached; retry after ${a.retryAfterSeconds} s`, {
    field: "Authorization",
    headers: { "retry-after": String(a.retryAfterSeconds), ...(a.retryAfterSeconds > CLIENT_MAX_WAIT_S ? { "x-should-retry": "false" } : {}) },
  });
}

/**
 * Admits the request against its key's limits and gives it the Meter that will settle what it
 * spends. For a key whose tokens are limited and a request with no max_tokens, the bound reserved
 * is sent to Writer as max_tokens, so the answer cannot spend more than was reserved.
 */
export function admit(store: Store, clock: () => number, e: NamedEndpoint, req: FastifyRequest, p: Principal): Meter | null | Promise<Meter | null> {
  // An upload's body is a stream, never read here; only generating endpoints spend tokens.
  const body = e.upload ? undefined : (req.body as Record<string, unknown> | undefined);
  const bound = limitsTokens(p.limits) ? reservationFor(e, body) : { tokens: 0 };
  const now = clock();
  const admitted = (a: Admission): Meter | null => {
    if (!a.ok) throw limitError(a, e);
    if (!e.generates) return null;
    if (bound.setMaxTokens && a.reservation && body && e.generates.maxTokens) body[e.generates.maxTokens] = bound.setMaxTokens;
    return new Meter(body, (spent) => store.usage.spend(p, a.reservation, spent, clock()));
  };
  const a = store.usage.admit(p, now, bound.tokens);
  return a instanceof Promise ? a.then(admitted) : admitted(a);
}

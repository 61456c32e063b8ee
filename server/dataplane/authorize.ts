import type { FastifyReply, FastifyRequest } from "fastify";
import { TEAM_HEADER, type Capability, type NamedEndpoint } from "../../api";
import { HttpError } from "../errors";
import { bearer } from "../plugins/plugin";
import type { Decision, Principal, Refusal, Store } from "../store";

// Stage 1: who is asking, and may they call this endpoint with this request? The key's decision
// (the store's memo: an admin change holds from the very next request), then what the request
// itself asks for: only the query parameters Writer takes there, and every chat tool's capability.

declare module "fastify" {
  interface FastifyRequest {
    /** The key a data-plane request was authorized as. */
    principal?: Principal;
  }
}

/** The store's refusal -> Writer's answer. Unknown, revoked, disabled and expired keys all look alike (401). */
export function refusalError(r: Refusal, capability: Capability, field = "Authorization"): HttpError {
  switch (r) {
    case "capability":
      return new HttpError(403, `this key's agent lacks the "${capability}" capability`, { field });
    case "team":
      return new HttpError(403, "this key is scoped to another team", { field: "X-Writer-Team-Id" });
    default:
      return new HttpError(401, "Invalid token", { field: "Authorization" });
  }
}

/**
 * The onRequest hook: the key's decision for the endpoint's capability. Callback style, and no
 * await when the store answers from its memo: this runs on every data-plane request, and a promise
 * per request is a measurable share of its cost.
 */
export function authorizeKey(store: Store, clock: () => number) {
  const { access, usage } = store;
  return (e: NamedEndpoint) => (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    const team = req.headers[TEAM_HEADER];
    const now = clock();
    const decided = (d: Decision) => {
      if (!d.ok) {
        if (d.keyId) usage.refuse(d.keyId, d.agentId!, d.refusal, now);
        return done(refusalError(d.refusal, e.capability));
      }
      req.principal = d.principal;
      access.touch(d.principal.keyId, now);
      done();
    };
    const d = access.authorize(bearer(req.headers.authorization) ?? "", e.capability, now, Array.isArray(team) ? team[0] : team);
    if (d instanceof Promise) d.then(decided, done);
    else decided(d);
  };
}

/**
 * What the request asks for beyond its endpoint: no query parameter Writer does not take there
 * (each given once), and every chat tool's capability on the key's agent. Throws 400 or 403.
 */
export function checkAsks(store: Store, clock: () => number, e: NamedEndpoint, req: FastifyRequest, p: Principal): void {
  const query = (req.query ?? {}) as Record<string, unknown>;
  for (const [name, v] of Object.entries(query)) {
    if (!e.query?.includes(name)) {
      const takes = e.query?.length ? `it takes ${e.query.join(", ")}` : "it takes none";
      throw new HttpError(400, `unknown query parameter "${name.slice(0, 100)}" for ${e.method} ${e.path}: ${takes}`, { field: name.slice(0, 100) });
    }
    if (typeof v !== "string") throw new HttpError(400, `query parameter "${name}" is given more than once: give it once`, { field: name });
  }
  if (!e.tools) return;
  const tools = (req.body as { tools?: { type: keyof NonNullable<typeof e.tools> }[] } | undefined)?.tools ?? [];
  for (const [i, t] of tools.entries()) {
    const needs = e.tools[t.type];
    if (needs && !p.capabilities.has(needs)) {
      store.usage.refuse(p.keyId, p.agentId, "capability", clock());
      throw new HttpError(403, `this key's agent lacks the "${needs}" capability that a ${t.type} tool needs`, { field: `tools.${i}.type` });
    }
  }
}

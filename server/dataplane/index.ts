import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { DATA_PLANE_BODIES, ENDPOINT_CAPABILITY, TEAM_HEADER, toRouterPath, type Capability } from "../../api";
import { ApiError } from "../errors";
import { bearer } from "../plugins/plugin";
import type { Decision, Principal, Refusal } from "../store";
import { CANNED } from "./canned";

declare module "fastify" {
  interface FastifyRequest {
    /** The key a data-plane request was authorized as. */
    principal?: Principal;
  }
}

/** The store's refusal -> Writer's answer. Unknown, revoked, disabled and expired keys all look alike (401). */
export function refusalError(r: Refusal, capability: Capability): ApiError {
  switch (r) {
    case "capability":
      return new ApiError(403, `this key's agent lacks the "${capability}" capability`, { field: "Authorization" });
    case "team":
      return new ApiError(403, "this key is scoped to another team", { field: "X-Writer-Team-Id" });
    default:
      return new ApiError(401, "Invalid token", { field: "Authorization" });
  }
}

/**
 * Writer's data-plane endpoints: a request comes in -> authorize (the store's decision, from the
 * very next request after any admin change) -> the body is validated by the contract's schema ->
 * the answer. Refused requests never reach a handler.
 */
export const dataPlaneRoutes: FastifyPluginAsync = async (app) => {
  const { access } = app.store;

  // Callback style, and no await when the store answers from its memo: this runs on every
  // data-plane request, and a promise per request is a measurable share of its cost.
  const authorize = (capability: Capability) => (req: FastifyRequest, _reply: unknown, done: (e?: Error) => void) => {
    const team = req.headers[TEAM_HEADER];
    const now = Date.now();
    const decided = (d: Decision) => {
      if (!d.ok) return done(refusalError(d.refusal, capability));
      req.principal = d.principal;
      access.touch(d.principal.keyId, now);
      done();
    };
    const d = access.authorize(bearer(req.headers.authorization) ?? "", capability, now, Array.isArray(team) ? team[0] : team);
    if (d instanceof Promise) d.then(decided, done);
    else decided(d);
  };

  for (const [endpoint, capability] of ENDPOINT_CAPABILITY) {
    const [method, path] = endpoint.split(" ");
    const handler = CANNED[endpoint];
    if (!handler) throw new Error(`no data-plane handler for ${endpoint}`);
    const body = DATA_PLANE_BODIES[endpoint];
    app.route({
      method: method as "GET",
      url: toRouterPath(path),
      schema: { hide: true, ...(body ? { body } : {}) },
      onRequest: authorize(capability),
      handler: handler as never,
    });
  }
};

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod/v4";
import { ADMIN_ERROR_STATUSES, ADMIN_ROUTES, ErrorBody, toRouterPath, type AdminRoute, type AdminRouteId, type AdminRoutes } from "../../api";
import { BODY_LIMIT } from "../plugins/body";
import type { ManagedBy } from "../../api";
import type { AdminActor } from "../plugins/auth";
import type { Idem, Written } from "../store";
import { callerOf, type AdminOps } from "./run";

type Route<K extends AdminRouteId> = AdminRoutes[K];
type Part<R, P extends string> = R extends { [k in P]: infer S extends z.ZodType } ? z.output<S> : undefined;

/** What a handler gets: the validated (parsed) parts of the request, typed by the contract. */
export interface AdminRequest<K extends AdminRouteId> {
  params: Part<Route<K>, "params">;
  query: Part<Route<K>, "query">;
  body: Part<Route<K>, "body">;
  /** Set on a POST with an Idempotency-Key: pass it to the store's write, which records the answer. */
  idem?: Idem;
  /** Who calls (its role was checked against the route's). */
  actor: AdminActor;
  /** The stack of the provider that calls, recorded on the objects it creates or changes. */
  managed?: ManagedBy;
  /** A team_admin's team on a route limited to it: lists show only its objects. */
  teamOnly?: string;
  raw?: FastifyRequest;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The request's audit entry is written (or it needs none). */
    audited?: boolean;
  }
}

/** A handler returns the answer: the object, a write's recorded result, or nothing (204). */
export type AdminHandler<K extends AdminRouteId> = (req: AdminRequest<K>) => Promise<
  Route<K> extends { response: infer S extends z.ZodType } ? z.output<S> | Written<z.output<S>> : void
>;
export type AdminHandlers = { [K in AdminRouteId]: AdminHandler<K> };

/** 1048576 -> "1 MiB", 23670000 -> "23670000 bytes". */
const bytes = (n: number) => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`);

const isWritten = (v: unknown): v is Written<unknown> => !!v && typeof v === "object" && "json" in v && "value" in v;

/**
 * Registers every route of the contract (api/routes.ts) with its schemas, so requests are
 * validated and answers serialized by the contract itself, and the OpenAPI document is generated
 * from exactly what is served.
 */
export function registerAdminRoutes(app: FastifyInstance, ops: AdminOps): void {
  for (const [id, r] of Object.entries(ADMIN_ROUTES) as [AdminRouteId, AdminRoutes[AdminRouteId]][]) {
    const response: Record<number, z.ZodType> = Object.fromEntries(ADMIN_ERROR_STATUSES.map((s) => [s, ErrorBody]));
    response[r.status] = "response" in r && r.response ? r.response : z.null().describe("No content");
    const route = r as AdminRoute;
    const bodyLimit = route.bodyLimit ?? BODY_LIMIT;
    const description = [
      `Roles: ${r.roles.join(", ")}${route.team ? ` (a team_admin: only its team's ${route.team})` : ""}.`,
      route.notes,
      route.body ? `Body: JSON, at most ${bytes(bodyLimit)} (413 past it).` : undefined,
    ].filter(Boolean).join(" ");
    app.route({
      method: r.method,
      url: toRouterPath(r.path),
      bodyLimit,
      schema: {
        operationId: id,
        summary: r.summary,
        security: [{ adminToken: [] }],
        description,
        ...("params" in r ? { params: r.params } : {}),
        ...("query" in r ? { querystring: r.query } : {}),
        ...("body" in r ? { body: r.body } : {}),
        response,
      },
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        req.audited = true;
        const out = await ops.run(id, { params: req.params, query: req.query, body: req.body, idem: req.idem ? { ctx: req.idem, status: r.status } : undefined, raw: req } as never, callerOf(req));
        if (r.status === 204) return reply.code(204).send();
        // A write's JSON is exactly what was recorded for its Idempotency-Key replay.
        if (isWritten(out)) return reply.code(r.status).type("application/json; charset=utf-8").send(out.json);
        return reply.code(r.status).send(out);
      },
    });
  }
}

import fp from "fastify-plugin";
import { CONFLICT_KEYS, IDEMPOTENCY_HEADER, IdempotencyKey, REPLAYED_HEADER } from "../../api";
import { HttpError } from "../errors";
import type { IdempotencyContext } from "../store";
import { isAdminRequest } from "./plugin";

declare module "fastify" {
  interface FastifyRequest {
    /** Set on an admin POST carrying Idempotency-Key; the handler passes it to the store's write. */
    idem?: IdempotencyContext;
  }
}

/** Where a POST's record lives: (the admin token's id, method, matched route, its validated params). Per admin: one admin's key never replays another's answer. */
export const idempotencyScope = (tokenId: string, routerUrl: string, params: unknown) => `${tokenId}\nPOST\n${routerUrl}\n${JSON.stringify(params)}`;

/**
 * Idempotency-Key on admin POSTs (the storage design is described in store/idempotency.ts).
 * Requests still in flight in this process are refused at once (409, from memory); one in flight
 * on another replica is held back by the record the write's transaction claims first.
 */
export const idempotencyPlugin = fp(async (app) => {
  const inFlight = new Set<string>();

  app.addHook("preHandler", async (req, reply) => {
    if (req.method !== "POST" || !isAdminRequest(req)) return;
    const raw = req.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!IdempotencyKey.safeParse(key).success) {
      throw new HttpError(400, "Idempotency-Key must be 1 to 255 visible ASCII characters (inner spaces allowed)", { field: "Idempotency-Key" });
    }
    // The matched route plus its decoded, validated params: "/v1/%61dmin/teams" and "/v1/admin/teams" are one path.
    const ctx = app.store.idempotency.context(idempotencyScope(req.actor!.token_id, req.routeOptions.url!, req.params), key, req.body);
    if (inFlight.has(ctx.rowKey)) {
      throw new HttpError(409, "a request with this Idempotency-Key is still in progress; retry shortly", {
        field: "Idempotency-Key", key: CONFLICT_KEYS.idempotencyInFlight, headers: { "retry-after": "1" },
      });
    }
    const found = await app.store.idempotency.lookup(ctx);
    if (found.kind === "mismatch") {
      throw new HttpError(409, "this Idempotency-Key was already used with a different request body; use a new key", {
        field: "Idempotency-Key", key: CONFLICT_KEYS.idempotencyKeyReused,
      });
    }
    if (found.kind === "replay") {
      return reply.code(found.status).header(REPLAYED_HEADER, "true").type("application/json; charset=utf-8").send(found.body);
    }
    inFlight.add(ctx.rowKey);
    req.idem = ctx;
  });

  // onSend runs for every answer (errors included), also when the socket then drops.
  app.addHook("onSend", async (req, _reply, payload) => {
    if (req.idem) inFlight.delete(req.idem.rowKey);
    return payload;
  });
  app.addHook("onRequestAbort", async (req) => {
    if (req.idem) inFlight.delete(req.idem.rowKey);
  });
}, { name: "writer-idempotency", dependencies: ["writer-store", "writer-body", "writer-admin-auth"] });

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * Runs a write in one transaction and, when the request carries an Idempotency-Key, records the
 * (encrypted) response in that same transaction, so the create and its replay record commit together.
 */
export function commit(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, status: number, fn: () => unknown) {
  const json = app.store.tx(() => {
    const text = JSON.stringify(fn());
    if (req.idem) app.store.idempotency.save(req.idem, status, text);
    return text;
  });
  return reply.code(status).type("application/json; charset=utf-8").send(json);
}

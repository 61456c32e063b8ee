import type { FastifyPluginAsync } from "fastify";
import { buildOpenApi } from "../../api";

export const metaRoutes: FastifyPluginAsync = async (app) => {
  const openapi = JSON.stringify(buildOpenApi());
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/openapi.json", async (_req, reply) => reply.type("application/json; charset=utf-8").send(openapi));
};

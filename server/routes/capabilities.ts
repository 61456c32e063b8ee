import type { FastifyPluginAsync } from "fastify";
import { CAPABILITIES } from "../../api";

export const capabilityRoutes: FastifyPluginAsync = async (app) => {
  app.get("/v1/admin/capabilities", async () => ({ data: CAPABILITIES }));
};

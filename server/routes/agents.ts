import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { AgentCapabilityParams, AgentIdParams, CreateAgentSchema, PageQuery, UpdateAgentSchema } from "../../api";
import { notFound } from "../errors";
import { parse } from "../validate";
import { commit } from "./respond";

export function liveAgent(app: FastifyInstance, id: string) {
  const agent = app.store.agents.get(id);
  if (!agent) throw notFound("agent", id, "id");
  return agent;
}

export const agentRoutes: FastifyPluginAsync = async (app) => {
  const { agents, keys } = app.store;

  app.post("/v1/admin/agents", async (req, reply) => {
    const body = parse(CreateAgentSchema, req.body, "body");
    return commit(app, req, reply, 201, () => {
      const id = agents.create(body);
      const default_key = keys.create(id, { name: "Production", scope: "all_teams" });
      return { ...agents.get(id)!, default_key };
    });
  });

  app.get("/v1/admin/agents", async (req) => agents.list(parse(PageQuery, req.query, "query")));

  app.get("/v1/admin/agents/:id", async (req) => liveAgent(app, parse(AgentIdParams, req.params, "params").id));

  app.patch("/v1/admin/agents/:id", async (req) => {
    const { id } = parse(AgentIdParams, req.params, "params");
    const body = parse(UpdateAgentSchema, req.body, "body");
    return app.store.tx(() => agents.patch(id, body)) ?? Promise.reject(notFound("agent", id, "id"));
  });

  app.delete("/v1/admin/agents/:id", async (req, reply) => {
    const { id } = parse(AgentIdParams, req.params, "params");
    const deleted = app.store.tx(() => {
      if (!agents.delete(id)) return false;
      keys.revokeAllOf(id);
      return true;
    });
    if (!deleted) throw notFound("agent", id, "id");
    return reply.code(204).send();
  });

  // Enabling or disabling one capability is idempotent: the set either has it or not afterwards.
  const setCapability = (enable: boolean) => async (req: { params: unknown }) => {
    const { id, capability } = parse(AgentCapabilityParams, req.params, "params");
    return app.store.tx(() => {
      const agent = liveAgent(app, id);
      const caps = agent.capabilities.filter((c) => c !== capability);
      if (enable) caps.push(capability);
      return agents.patch(id, { capabilities: caps })!;
    });
  };
  app.put("/v1/admin/agents/:id/capabilities/:capability", setCapability(true));
  app.delete("/v1/admin/agents/:id/capabilities/:capability", setCapability(false));
};

import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { AgentIdParams, CreateKeySchema, KeyParams, PageQuery, RegenerateKeySchema, UpdateKeySchema } from "../../api";
import { notFound, unprocessable } from "../errors";
import { parse } from "../validate";
import { liveAgent } from "./agents";
import { commit } from "./respond";

/** Team-scoped keys need an existing team and an owner who belongs to it; any owner must exist. */
function checkScope(app: FastifyInstance, scope: string, teamId: string | null | undefined, ownerId: string | null | undefined) {
  const { teams, users } = app.store;
  if (scope === "team") {
    if (!teamId || !teams.get(teamId)) throw unprocessable("team_id", `team ${teamId} does not exist`);
    if (!ownerId) throw unprocessable("owner_id", "a team-scoped key needs an owner_id (a member of the team)");
  }
  if (ownerId) {
    if (!users.exists(ownerId)) throw unprocessable("owner_id", `user ${ownerId} does not exist`);
    if (scope === "team" && !users.isMember(ownerId, teamId!)) {
      throw unprocessable("owner_id", `user ${ownerId} is not a member of team ${teamId}; add them to the team or pick another owner`);
    }
  }
}

export const keyRoutes: FastifyPluginAsync = async (app) => {
  const { keys } = app.store;

  const liveKey = (agentId: string, keyId: string) => {
    liveAgent(app, agentId);
    const key = keys.row(agentId, keyId);
    if (!key) throw notFound("key", keyId, "key_id");
    return key;
  };

  app.post("/v1/admin/agents/:id/keys", async (req, reply) => {
    const { id } = parse(AgentIdParams, req.params, "params");
    const body = parse(CreateKeySchema, req.body, "body");
    return commit(app, req, reply, 201, () => {
      liveAgent(app, id);
      checkScope(app, body.scope, body.team_id, body.owner_id);
      return keys.create(id, body);
    });
  });

  app.get("/v1/admin/agents/:id/keys", async (req) => {
    const { id } = parse(AgentIdParams, req.params, "params");
    const q = parse(PageQuery, req.query, "query");
    liveAgent(app, id);
    return keys.list(id, q);
  });

  app.get("/v1/admin/agents/:id/keys/:key_id", async (req) => {
    const { id, key_id } = parse(KeyParams, req.params, "params");
    liveKey(id, key_id);
    return keys.get(id, key_id);
  });

  app.patch("/v1/admin/agents/:id/keys/:key_id", async (req) => {
    const { id, key_id } = parse(KeyParams, req.params, "params");
    const body = parse(UpdateKeySchema, req.body, "body");
    return app.store.tx(() => {
      const cur = liveKey(id, key_id);
      if (body.owner_id !== undefined) {
        if (cur.scope === "team" && body.owner_id === null) {
          throw unprocessable("owner_id", "a team-scoped key must keep an owner; set another member of the team");
        }
        checkScope(app, cur.scope, cur.team_id, body.owner_id);
      }
      return keys.patch(id, key_id, body);
    });
  });

  app.post("/v1/admin/agents/:id/keys/:key_id/regenerate", async (req, reply) => {
    const { id, key_id } = parse(KeyParams, req.params, "params");
    const body = parse(RegenerateKeySchema, req.body, "body");
    return commit(app, req, reply, 200, () => {
      liveKey(id, key_id);
      return keys.regenerate(id, key_id, body.grace_period_seconds ?? 0);
    });
  });

  app.delete("/v1/admin/agents/:id/keys/:key_id", async (req, reply) => {
    const { id, key_id } = parse(KeyParams, req.params, "params");
    app.store.tx(() => {
      liveKey(id, key_id);
      keys.revokeOne(id, key_id);
    });
    return reply.code(204).send();
  });
};

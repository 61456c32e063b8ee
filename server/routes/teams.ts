import type { FastifyPluginAsync } from "fastify";
import { z } from "zod/v4";
import { CreateTeamSchema, PageQuery, Uuid } from "../../api";
import { notFound } from "../errors";
import { parse } from "../validate";
import { commit } from "./respond";

const TeamIdParams = z.strictObject({ id: Uuid });

export const teamRoutes: FastifyPluginAsync = async (app) => {
  app.get("/v1/admin/teams", async (req) => app.store.teams.list(parse(PageQuery, req.query, "query")));

  app.get("/v1/admin/teams/:id", async (req) => {
    const { id } = parse(TeamIdParams, req.params, "params");
    return app.store.teams.get(id) ?? Promise.reject(notFound("team", id, "id"));
  });

  app.post("/v1/admin/teams", async (req, reply) => {
    const body = parse(CreateTeamSchema, req.body, "body");
    return commit(app, req, reply, 201, () => app.store.teams.create(body.name));
  });
};

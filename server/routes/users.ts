import type { FastifyPluginAsync } from "fastify";
import { z } from "zod/v4";
import { CreateUserSchema, PageQuery, UserListQuery, Uuid } from "../../api";
import { notFound } from "../errors";
import { parse } from "../validate";
import { commit } from "./respond";

const UserIdParams = z.strictObject({ id: Uuid });
const UserPageQuery = z.strictObject({ ...PageQuery.shape, ...UserListQuery.shape });

export const userRoutes: FastifyPluginAsync = async (app) => {
  app.get("/v1/admin/users", async (req) => {
    const { email, ...page } = parse(UserPageQuery, req.query, "query");
    return app.store.users.list(page, email);
  });

  app.get("/v1/admin/users/:id", async (req) => {
    const { id } = parse(UserIdParams, req.params, "params");
    return app.store.users.get(id) ?? Promise.reject(notFound("user", id, "id"));
  });

  app.post("/v1/admin/users", async (req, reply) => {
    const body = parse(CreateUserSchema, req.body, "body");
    return commit(app, req, reply, 201, () => app.store.users.create(body));
  });
};

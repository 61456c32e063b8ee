import { isWellFormedSecret } from "../../api";
import { safeEqual } from "../crypto";
import { ApiError } from "../errors";
import { bearer, globalPlugin, isAdminRequest } from "./plugin";

/** Admin routes: the admin token, compared in constant time; a data-plane key gets 403, not 401. */
export const adminAuthPlugin = globalPlugin<{ adminToken: string }>(async (app, { adminToken }) => {
  app.addHook("onRequest", async (req) => {
    if (!isAdminRequest(req)) return;
    const token = bearer(req.headers.authorization);
    if (!token) throw new ApiError(401, "missing Authorization: Bearer <admin token>", { field: "Authorization" });
    if (safeEqual(token, adminToken)) return;
    if (isWellFormedSecret(token)) {
      throw new ApiError(403, "an API key cannot call the admin API; use the admin token", { field: "Authorization" });
    }
    throw new ApiError(401, "invalid admin token", { field: "Authorization" });
  });
});

import { isWellFormedSecret } from "../../api";
import { safeEqual } from "../crypto";
import { ApiError } from "../errors";
import { bearer, globalPlugin } from "./plugin";

/** Admin routes: the admin token, compared in constant time; a data-plane key gets 403, not 401. */
export const adminAuthPlugin = globalPlugin<{ adminToken: string }>(async (app, { adminToken }) => {
  app.addHook("onRequest", async (req) => {
    if (!req.url.startsWith("/v1/admin/") && req.url !== "/v1/admin") return;
    const token = bearer(req.headers.authorization);
    if (!token) throw new ApiError(401, "missing Authorization: Bearer <admin token>", { field: "Authorization" });
    if (safeEqual(token, adminToken)) return;
    if (isWellFormedSecret(token)) {
      throw new ApiError(403, "an API key cannot call the admin API; use the admin token", { field: "Authorization" });
    }
    throw new ApiError(401, "invalid admin token", { field: "Authorization" });
  });
});

import fp from "fastify-plugin";
import { isWellFormedSecret } from "../../api";
import { safeEqual } from "../crypto";
import { HttpError } from "../errors";
import { bearer, isAdminRequest } from "./plugin";

/** Admin routes: the admin token, compared in constant time; a data-plane key gets 403, not 401. */
export const adminAuthPlugin = fp<{ adminToken: string }>(async (app, { adminToken }) => {
  // Callback style: it runs on every request, and the data plane's pass-through must cost nothing.
  app.addHook("onRequest", (req, _reply, done) => {
    if (!isAdminRequest(req)) return done();
    const token = bearer(req.headers.authorization);
    if (!token) return done(new HttpError(401, "missing Authorization: Bearer <admin token>", { field: "Authorization" }));
    if (safeEqual(token, adminToken)) return done();
    if (isWellFormedSecret(token)) {
      return done(new HttpError(403, "an API key cannot call the admin API; use the admin token", { field: "Authorization" }));
    }
    done(new HttpError(401, "invalid admin token", { field: "Authorization" }));
  });
}, { name: "writer-admin-auth", dependencies: ["writer-errors"] });

import { ApiError } from "../errors";
import { globalPlugin, isAdminRequest } from "./plugin";

export const BODY_LIMIT = 1024 * 1024;

/**
 * JSON for everything; an empty JSON body counts as no body (a POST with no fields is legal). The
 * admin API accepts nothing but JSON (415); the data plane also takes raw uploads (POST /v1/files).
 */
export const bodyPlugin = globalPlugin(async (app) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError(400, "malformed JSON body", { field: "(body)" }), undefined);
    }
  });
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: BODY_LIMIT }, (req, body, done) => {
    if (isAdminRequest(req)) {
      return done(new ApiError(415, "unsupported Content-Type: the admin API takes application/json", { field: "Content-Type" }), undefined);
    }
    done(null, body);
  });
});

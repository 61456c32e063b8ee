import type { FastifyRequest } from "fastify";

export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

/**
 * Whether a request belongs to the admin API, decided on the route the router matched (it decodes
 * percent-escapes, so "/v1/%61dmin/teams" IS an admin route) and, for unmatched paths, on the
 * decoded path. Never on the raw URL prefix alone.
 */
export function isAdminRequest(req: FastifyRequest): boolean {
  const route = req.routeOptions?.url;
  if (route) return route === "/v1/admin" || route.startsWith("/v1/admin/");
  let path = req.url.split("?")[0];
  try {
    path = decodeURIComponent(path);
  } catch {
    /* malformed escapes: judge the raw path */
  }
  return /^\/+v1\/+admin(\/|$)/.test(path.replace(/\/\.(?=\/)/g, ""));
}

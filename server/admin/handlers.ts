import type { FastifyInstance } from "fastify";
import { ADMIN_ROUTES, CAPABILITIES, toRouterPath, type AdminRoute } from "../../api";
import type { AdminHandlers } from "./register";

/** Every admin route's handler: a line or two over the store, which owns the rules and the transactions. */
export function adminHandlers(app: FastifyInstance): AdminHandlers {
  const { teams, users, agents, keys, idempotency } = app.store;
  return {
    listCapabilities: async () => ({ data: [...CAPABILITIES] }),

    listTeams: async ({ query }) => teams.list(query),
    createTeam: async ({ body, idem }) => teams.create(body.name, idem),
    getTeam: async ({ params }) => teams.get(params.id),

    listUsers: async ({ query: { email, ...page } }) => users.list(page, email),
    createUser: async ({ body, idem }) => users.create(body, idem),
    getUser: async ({ params }) => users.get(params.id),

    createAgent: async ({ body, idem }) => agents.create(body, idem),
    listAgents: async ({ query }) => agents.list(query),
    getAgent: async ({ params }) => agents.get(params.id),
    updateAgent: async ({ params, body }) => agents.update(params.id, body),
    deleteAgent: async ({ params }) => agents.delete(params.id),
    // Enabling or disabling one capability is idempotent: the set either has it or not afterwards.
    enableCapability: async ({ params }) => agents.setCapability(params.id, params.capability, true),
    disableCapability: async ({ params }) => agents.setCapability(params.id, params.capability, false),

    createKey: async ({ params, body, idem }) => keys.create(params.id, body, idem),
    listKeys: async ({ params, query }) => keys.list(params.id, query),
    getKey: async ({ params }) => keys.get(params.id, params.key_id),
    updateKey: async ({ params, body }) => keys.update(params.id, params.key_id, body),
    regenerateKey: async ({ params, body, idem }) => keys.regenerate(params.id, params.key_id, body.grace_period_seconds ?? 0, idem),
    revokeKey: async ({ params }) => keys.revoke(params.id, params.key_id),

    releaseIdempotency: async ({ body }) => {
      const rows = body.requests.flatMap((r) => {
        const m = matchPost(r.path);
        return m ? [idempotency.rowKey(app.idempotencyScope(m.routerUrl, m.params), r.idempotency_key)] : [];
      });
      return { released: await idempotency.release(rows) };
    },
  };
}

/** The admin POST route a concrete path belongs to, with its validated params (as the idempotency plugin saw them). */
function matchPost(path: string): { routerUrl: string; params: unknown } | undefined {
  for (const r of Object.values(ADMIN_ROUTES) as AdminRoute[]) {
    if (r.method !== "POST") continue;
    const names: string[] = [];
    const re = new RegExp(`^${r.path.replace(/\{(\w+)\}/g, (_m, n: string) => (names.push(n), "([^/]+)"))}/?$`);
    const m = re.exec(path.split("?")[0]);
    if (!m) continue;
    let raw: Record<string, string>;
    try {
      raw = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
    } catch {
      return undefined;
    }
    const params = r.params ? r.params.safeParse(raw) : { success: true as const, data: {} };
    return params.success ? { routerUrl: toRouterPath(r.path), params: params.data } : undefined;
  }
  return undefined;
}

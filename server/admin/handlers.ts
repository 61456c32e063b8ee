import type { FastifyInstance } from "fastify";
import { ADMIN_ROUTES, CAPABILITIES, toRouterPath, USAGE_DEFAULT_DAYS, USAGE_MAX_DAYS, type AdminRoute, type UsageReport } from "../../api";
import { HttpError } from "../errors";
import type { Store } from "../store";
import { idempotencyScope } from "../plugins/idempotency";
import type { AdminHandlers } from "./register";

/** Every admin route's handler: a line or two over the store, which owns the rules and the transactions. */
export function adminHandlers(app: FastifyInstance): AdminHandlers {
  const { teams, users, agents, keys, idempotency, usage, tokens, audit } = app.store;
  return {
    listCapabilities: async () => ({ data: [...CAPABILITIES] }),

    listTeams: async ({ query }) => teams.list(query),
    createTeam: async ({ body, idem }) => teams.create(body.name, idem),
    getTeam: async ({ params }) => teams.get(params.id),

    listUsers: async ({ query: { email, ...page }, teamOnly }) => users.list(page, email, teamOnly),
    createUser: async ({ body, idem }) => users.create(body, idem),
    getUser: async ({ params }) => users.get(params.id),

    createAgent: async ({ body, idem, managed }) => agents.create(body, idem, managed),
    listAgents: async ({ query }) => agents.list(query),
    getAgent: async ({ params }) => agents.get(params.id),
    updateAgent: async ({ params, body, managed }) => agents.update(params.id, body, managed),
    deleteAgent: async ({ params }) => agents.delete(params.id),
    // Enabling or disabling one capability is idempotent: the set either has it or not afterwards.
    enableCapability: async ({ params, managed }) => agents.setCapability(params.id, params.capability, true, managed),
    disableCapability: async ({ params, managed }) => agents.setCapability(params.id, params.capability, false, managed),

    createKey: async ({ params, body, idem, managed }) => keys.create(params.id, body, idem, managed),
    listKeys: async ({ params, query, teamOnly }) => keys.list(params.id, query, teamOnly),
    getKey: async ({ params }) => keys.get(params.id, params.key_id),
    updateKey: async ({ params, body, managed }) => keys.update(params.id, params.key_id, body, managed),
    regenerateKey: async ({ params, body, idem, managed }) => keys.regenerate(params.id, params.key_id, body.grace_period_seconds ?? 0, idem, managed),
    revokeKey: async ({ params }) => keys.revoke(params.id, params.key_id),

    agentUsage: async ({ params, query }) => usageReport(usage, params.id, undefined, query),
    keyUsage: async ({ params, query }) => usageReport(usage, params.id, params.key_id, query),

    createToken: async ({ body, idem }) => tokens.create(body, idem),
    listTokens: async ({ query }) => tokens.list(query),
    getToken: async ({ params }) => tokens.get(params.id),
    revokeToken: async ({ params }) => tokens.revoke(params.id),
    listAudit: async ({ query }) => audit.list(query),

    releaseIdempotency: async ({ body, actor }) => {
      const rows = body.requests.flatMap((r) => {
        const m = matchPost(r.path);
        return m ? [idempotency.rowKey(idempotencyScope(actor.token_id, m.routerUrl, m.params), r.idempotency_key)] : [];
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

const DAY = 86_400_000;

async function usageReport(usage: Store["usage"], agentId: string, keyId: string | undefined, q: { from?: string; to?: string }): Promise<UsageReport> {
  const to = q.to ?? new Date().toISOString().slice(0, 10);
  const from = q.from ?? new Date(Date.parse(to) - (USAGE_DEFAULT_DAYS - 1) * DAY).toISOString().slice(0, 10);
  // Well-formed days (the schema's part, 400) that do not make a range: 422, as the description says.
  if (from > to) throw new HttpError(422, "from must not be after to", { field: "from" });
  if ((Date.parse(to) - Date.parse(from)) / DAY + 1 > USAGE_MAX_DAYS) throw new HttpError(422, `from..to spans more than ${USAGE_MAX_DAYS} days`, { field: "from" });
  const data = await usage.report({ agentId, keyId, from, to });
  const totals = { requests: 0, prompt_tokens: 0, completion_tokens: 0, estimated_tokens: 0, refusals: {} as Record<string, number> };
  for (const d of data) {
    totals.requests += d.requests;
    totals.prompt_tokens += d.prompt_tokens;
    totals.completion_tokens += d.completion_tokens;
    totals.estimated_tokens += d.estimated_tokens;
    for (const [r, n] of Object.entries(d.refusals)) totals.refusals[r] = (totals.refusals[r] ?? 0) + n;
  }
  return { agent_id: agentId, key_id: keyId ?? null, from, to, data, totals };
}

// Admin tokens' roles (README "Admin tokens and roles"): every admin route of the contract, called
// by each role, either does what it says or answers 403 naming the role it needs; and every write
// and every refusal leaves exactly one audit entry naming the token that made it.
import { ADMIN_ROUTES, ROLES, type AdminRouteId, type Role } from "../../api";
import { useApp, type InjectClient } from "../helpers/app";

const srv = useApp();

let support: string;
let sales: string;
let lead: string;
const tokens = {} as Record<Role, { id: string; secret: string }>;
let n = 0;
const uniq = (s: string) => `${s}-${++n}`;

beforeAll(async () => {
  const teams = (await srv.api.get("/v1/admin/teams")).body.data as { id: string; name: string }[];
  support = teams.find((t) => t.name === "Support")!.id;
  sales = teams.find((t) => t.name === "Sales")!.id;
  lead = (await srv.api.get("/v1/admin/users?email=lead@example.com")).body.data[0].id;
  for (const role of ROLES) {
    const t = await srv.api.post("/v1/admin/tokens", { name: `as-${role}`, role, ...(role === "team_admin" ? { team_id: support } : {}) });
    expect(t.status).toBe(201);
    tokens[role] = { id: t.body.id, secret: t.body.secret };
  }
});

/** Fresh objects for one call (so a delete that is allowed has something to delete). */
async function fixture() {
  const agent = await srv.api.post("/v1/admin/agents", { name: uniq("roles"), capabilities: ["models"] });
  const key = await srv.api.post(`/v1/admin/agents/${agent.body.id}/keys`, { name: uniq("k"), scope: "team", team_id: support, owner_id: lead });
  const token = await srv.api.post("/v1/admin/tokens", { name: uniq("victim"), role: "viewer" });
  return { agent: agent.body.id as string, key: key.body.id as string, token: token.body.id as string };
}

/** A well-formed call of each route, on objects a team_admin of Support may touch. */
function call(id: AdminRouteId, f: Awaited<ReturnType<typeof fixture>>) {
  const r = ADMIN_ROUTES[id];
  const path = r.path
    .replace("{id}", id.includes("Token") ? f.token : id === "getTeam" ? support : id === "getUser" ? lead : f.agent)
    .replace("{key_id}", f.key)
    .replace("{capability}", "chat");
  const bodies: Partial<Record<AdminRouteId, unknown>> = {
    createTeam: { name: uniq("team") },
    createUser: { email: `${uniq("u")}@example.com`, name: "U", team_ids: [support] },
    createAgent: { name: uniq("agent"), capabilities: ["models"] },
    updateAgent: { description: "changed" },
    createKey: { name: uniq("key"), scope: "team", team_id: support, owner_id: lead },
    updateKey: { name: uniq("renamed") },
    regenerateKey: { grace_period_seconds: 0 },
    releaseIdempotency: { requests: [{ path: "/v1/admin/agents", idempotency_key: uniq("idem") }] },
    createToken: { name: uniq("tok"), role: "viewer" },
  };
  return { method: r.method, path, body: r.method === "GET" || r.method === "DELETE" || id === "enableCapability" ? undefined : bodies[id] ?? {} };
}

async function newestAudit(): Promise<any> {
  return (await srv.api.get("/v1/admin/audit?limit=1")).body.data[0];
}

const cases = (Object.keys(ADMIN_ROUTES) as AdminRouteId[]).flatMap((id) => ROLES.map((role) => [id, role] as const));

test.each(cases)("%s as %s: allowed, or 403 naming the role it needs; writes and refusals audited once", async (id, role) => {
  const f = await fixture();
  const { method, path, body } = call(id, f);
  const before = await newestAudit();
  const client: InjectClient = srv.as(tokens[role].secret);
  const res = await client.call(method, path, body);
  const route = ADMIN_ROUTES[id];
  const entries = (await srv.api.get("/v1/admin/audit?limit=5")).body.data as any[];
  const added = entries.slice(0, entries.findIndex((e) => e.id === before.id));
  if (route.roles.includes(role)) {
    expect({ id, role, status: res.status, body: res.status < 300 ? "" : res.body }).toEqual({ id, role, status: route.status, body: "" });
    if (method === "GET") expect(added).toHaveLength(0);
    else {
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({ outcome: "ok", action: expect.any(String), actor: { token_id: tokens[role].id, role } });
      expect(JSON.stringify(added[0])).not.toMatch(/writer_sk_[A-Za-z0-9_-]{20}|"secret"/);
    }
  } else {
    expect(res.status).toBe(403);
    expect(res.body.errors[0].description).toContain(`this needs the ${route.roles.join(" or ")} role`);
    expect(res.body.errors[0].description).toContain(`is ${role}`);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ outcome: "refused", actor: { token_id: tokens[role].id, role } });
  }
});

test("a team_admin is held to its team: another team's key is 403, a key for another team cannot be made", async () => {
  const f = await fixture();
  const other = await srv.api.post(`/v1/admin/agents/${f.agent}/keys`, { name: "sales", scope: "team", team_id: sales, owner_id: (await srv.api.get("/v1/admin/users?email=sales-lead@example.com")).body.data[0].id });
  const ta = srv.as(tokens.team_admin.secret);
  const upd = await ta.patch(`/v1/admin/agents/${f.agent}/keys/${other.body.id}`, { name: "mine now" });
  expect(upd.status).toBe(403);
  expect(upd.body.errors[0].description).toContain(`not of team ${support}`);
  expect((await srv.api.get(`/v1/admin/agents/${f.agent}/keys/${other.body.id}`)).body.name).toBe("sales");
  const all = await ta.post(`/v1/admin/agents/${f.agent}/keys`, { name: "everyone" });
  expect(all.status).toBe(403);
  expect(all.body.errors[0].description).toContain(`set scope "team" and team_id ${support}`);
  const list = await ta.get(`/v1/admin/agents/${f.agent}/keys`);
  expect(list.status).toBe(200);
  expect((list.body.data as any[]).every((k) => k.team_id === support)).toBe(true);
});

test("a revoked admin token stops working at once; a viewer cannot revoke the token it holds", async () => {
  const t = await srv.api.post("/v1/admin/tokens", { name: uniq("short-lived"), role: "org_admin" });
  expect((await srv.as(t.body.secret).get("/v1/admin/agents")).status).toBe(200);
  expect((await srv.api.del(`/v1/admin/tokens/${t.body.id}`)).status).toBe(204);
  expect((await srv.as(t.body.secret).get("/v1/admin/agents")).status).toBe(401);
  const listed = (await srv.api.get("/v1/admin/tokens?limit=100")).body.data as any[];
  expect(JSON.stringify(listed)).not.toContain(t.body.secret);
  expect((await srv.as(tokens.viewer.secret).del(`/v1/admin/tokens/${tokens.viewer.id}`)).status).toBe(403);
});

import { ErrorBody, KeySchema, KeyWithSecretSchema, AgentWithDefaultKeySchema, TeamSchema, UserSchema, AgentSchema, CAPABILITY_IDS } from "../../api";
import { directoryOf } from "../helpers/server";
import { apiOf, useApp } from "../helpers/app";

const srv = useApp();
const api = apiOf(srv);
let teams: Record<string, string>;
let users: Record<string, string>;

beforeAll(async () => {
  ({ teams, userIds: users } = await directoryOf(api));
});

const err = (r: { status: number; body: any }, status: number, field?: string) => {
  expect(r.status).toBe(status);
  expect(ErrorBody.safeParse(r.body).success).toBe(true);
  if (field) expect(r.body.errors.map((e: any) => e.extras.field)).toContain(field);
};
const newAgent = async (body: object = { name: "agent" }) => {
  const r = await api.post("/v1/admin/agents", body);
  expect(r.status).toBe(201);
  return r.body;
};

describe("meta", () => {
  test("healthz needs no auth; openapi.json lists the admin routes", async () => {
    const h = await srv.as(undefined).get("/healthz");
    expect(h).toMatchObject({ status: 200, body: { status: "ok" } });
    const o = await srv.as(undefined).get("/openapi.json");
    expect(o.status).toBe(200);
    expect(o.body.openapi).toBe("3.1.0");
    expect(Object.keys(o.body.paths)).toContain("/v1/admin/agents/{id}/keys/{key_id}/regenerate");
  });
});

describe("capabilities, teams, users", () => {
  test("capability catalog", async () => {
    const r = await api.get("/v1/admin/capabilities");
    expect(r.status).toBe(200);
    expect(r.body.data.map((c: any) => c.id)).toEqual([...CAPABILITY_IDS]);
    expect(r.body.data.find((c: any) => c.id === "chat").endpoints).toEqual(["POST /v1/chat"]);
  });

  test("default seed: three teams and four users with memberships", async () => {
    expect(Object.keys(teams).sort()).toEqual(["Engineering", "Sales", "Support"]);
    const lead = await api.get(`/v1/admin/users?email=${encodeURIComponent("lead@example.com")}`);
    expect(lead.body.data).toHaveLength(1);
    expect(lead.body.data[0]).toMatchObject({ name: "Support Lead", team_ids: [teams.Support] });
    const adm = await api.get(`/v1/admin/users/${users["admin@example.com"]}`);
    expect(UserSchema.safeParse(adm.body).success).toBe(true);
    expect(adm.body.team_ids.sort()).toEqual(Object.values(teams).sort());
    const none = await api.get("/v1/admin/users?email=nobody%40example.com");
    expect(none.body).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
  });

  test("create team; duplicate name is 409; get by id; unknown id 404", async () => {
    const c = await api.post("/v1/admin/teams", { name: "Marketing" });
    expect(c.status).toBe(201);
    expect(TeamSchema.safeParse(c.body).success).toBe(true);
    const g = await api.get(`/v1/admin/teams/${c.body.id}`);
    expect(g.body).toEqual(c.body);
    err(await api.post("/v1/admin/teams", { name: "Marketing" }), 409, "name");
    err(await api.get("/v1/admin/teams/00000000-0000-4000-8000-000000000000"), 404, "id");
  });

  test("create user with teams; unknown team is 422 naming it; duplicate email 409", async () => {
    const c = await api.post("/v1/admin/users", { email: "new@example.com", name: "New", team_ids: [teams.Sales] });
    expect(c.status).toBe(201);
    expect(c.body.team_ids).toEqual([teams.Sales]);
    err(await api.post("/v1/admin/users", { email: "x@example.com", name: "X", team_ids: ["00000000-0000-4000-8000-000000000000"] }), 422, "team_ids.0");
    err(await api.post("/v1/admin/users", { email: "new@example.com", name: "Again" }), 409, "email");
    err(await api.post("/v1/admin/users", { email: "not-an-email", name: "X" }), 400, "email");
  });
});

describe("agents", () => {
  test("create returns the agent with a Production default key and its secret", async () => {
    const a = await newAgent({ name: "Support bot", description: "d", capabilities: ["models", "chat", "chat"] });
    expect(AgentWithDefaultKeySchema.safeParse(a).success).toBe(true);
    expect(a.capabilities).toEqual(["chat", "models"]);
    expect(a.key_count).toBe(1);
    expect(a.default_key).toMatchObject({ name: "Production", scope: "all_teams", team_id: null, status: "active", agent_id: a.id });
    expect(a.default_key.secret).toMatch(/^writer_sk_/);
    expect(a.default_key.masked).toBe(`writer_sk_…${a.default_key.secret.slice(-4)}`);
    const g = await api.get(`/v1/admin/agents/${a.id}`);
    expect(AgentSchema.safeParse(g.body).success).toBe(true);
    expect(g.body.default_key).toBeUndefined();
  });

  test("unknown capability is 400 naming the field", async () => {
    const r = await api.post("/v1/admin/agents", { name: "x", capabilities: ["chat", "teleport"] });
    err(r, 400, "capabilities.1");
    expect(r.body.errors[0].description).toContain("teleport");
  });

  test("patch replaces the capability set; name and description update", async () => {
    const a = await newAgent({ name: "p", capabilities: ["chat", "vision"] });
    const p = await api.patch(`/v1/admin/agents/${a.id}`, { name: "p2", capabilities: ["files"] });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ name: "p2", capabilities: ["files"], description: "" });
    expect(Date.parse(p.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(a.updated_at));
    err(await api.patch(`/v1/admin/agents/${a.id}`, { name: "" }), 400, "name");
    err(await api.patch("/v1/admin/agents/00000000-0000-4000-8000-000000000000", { name: "x" }), 404, "id");
  });

  test("PUT/DELETE one capability are idempotent", async () => {
    const a = await newAgent({ name: "c" });
    for (let i = 0; i < 2; i++) {
      const r = await api.put(`/v1/admin/agents/${a.id}/capabilities/vision`);
      expect(r.status).toBe(200);
      expect(r.body.capabilities).toEqual(["vision"]);
    }
    await api.put(`/v1/admin/agents/${a.id}/capabilities/chat`);
    for (let i = 0; i < 2; i++) {
      const r = await api.del(`/v1/admin/agents/${a.id}/capabilities/vision`);
      expect(r.status).toBe(200);
      expect(r.body.capabilities).toEqual(["chat"]);
    }
    err(await api.put(`/v1/admin/agents/${a.id}/capabilities/teleport`), 400, "capability");
  });

  test("delete revokes every key, then 404; the agent leaves the list", async () => {
    const a = await newAgent({ name: "doomed", capabilities: ["models"] });
    const k = await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "k2" });
    expect((await srv.as(k.body.secret).get("/v1/models")).status).toBe(200);
    expect((await api.del(`/v1/admin/agents/${a.id}`)).status).toBe(204);
    err(await api.get(`/v1/admin/agents/${a.id}`), 404, "id");
    err(await api.del(`/v1/admin/agents/${a.id}`), 404, "id");
    err(await api.get(`/v1/admin/agents/${a.id}/keys`), 404, "id");
    expect((await srv.as(k.body.secret).get("/v1/models")).status).toBe(401);
    expect((await srv.as(a.default_key.secret).get("/v1/models")).status).toBe(401);
    const list = await api.get("/v1/admin/agents?limit=100");
    expect(list.body.data.map((x: any) => x.id)).not.toContain(a.id);
    // Creating a key under a deleted agent is 404 too.
    err(await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "late" }), 404, "id");
  });

  test("cursor pagination: limit, order, after, before", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await newAgent({ name: `page-${i}` })).id);
    const all = (await api.get("/v1/admin/agents?limit=100&order=asc")).body.data.map((a: any) => a.id);
    const mine = all.filter((id: string) => ids.includes(id));
    expect(mine).toEqual(ids);
    const p1 = await api.get("/v1/admin/agents?limit=2");
    expect(p1.body.data).toHaveLength(2);
    expect(p1.body.has_more).toBe(true);
    expect(p1.body.data[0].id).toBe(ids[4]);
    expect(p1.body.first_id).toBe(ids[4]);
    expect(p1.body.last_id).toBe(ids[3]);
    const p2 = await api.get(`/v1/admin/agents?limit=2&after=${p1.body.last_id}`);
    expect(p2.body.data.map((a: any) => a.id)).toEqual([ids[2], ids[1]]);
    const back = await api.get(`/v1/admin/agents?limit=2&before=${p2.body.first_id}`);
    expect(back.body.data.map((a: any) => a.id)).toEqual([ids[4], ids[3]]);
    err(await api.get("/v1/admin/agents?limit=0"), 400, "limit");
    err(await api.get("/v1/admin/agents?limit=101"), 400, "limit");
    err(await api.get("/v1/admin/agents?order=up"), 400, "order");
    err(await api.get("/v1/admin/agents?after=not-a-uuid"), 400, "after");
    // A well-formed id of another list's object: the document cannot know it, so 422 (issue #23).
    err(await api.get(`/v1/admin/agents?after=${teams.Sales}`), 422, "after");
    err(await api.get("/v1/admin/agents?bogus=1"), 400, "bogus");
  });
});

describe("keys", () => {
  test("all_teams key: create, get (no secret), list, key_count", async () => {
    const a = await newAgent({ name: "keys" });
    const c = await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "CI", scope: "all_teams" });
    expect(c.status).toBe(201);
    expect(KeyWithSecretSchema.safeParse(c.body).success).toBe(true);
    expect(c.body.secret).not.toBe(a.default_key.secret);
    const g = await api.get(`/v1/admin/agents/${a.id}/keys/${c.body.id}`);
    expect(KeySchema.strict().safeParse(g.body).success).toBe(true);
    expect(g.body.secret).toBeUndefined();
    const l = await api.get(`/v1/admin/agents/${a.id}/keys`);
    expect(l.body.data.map((k: any) => k.name)).toEqual(["CI", "Production"]);
    expect(l.body.data.every((k: any) => k.secret === undefined)).toBe(true);
    expect((await api.get(`/v1/admin/agents/${a.id}`)).body.key_count).toBe(2);
  });

  test("team key rules: team must exist, owner must exist and be a member", async () => {
    const a = await newAgent({ name: "team keys" });
    const path = `/v1/admin/agents/${a.id}/keys`;
    const ok = await api.post(path, { name: "support", scope: "team", team_id: teams.Support, owner_id: users["lead@example.com"] });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ scope: "team", team_id: teams.Support, owner_id: users["lead@example.com"] });
    err(await api.post(path, { name: "x", scope: "team", team_id: "00000000-0000-4000-8000-000000000000", owner_id: users["lead@example.com"] }), 422, "team_id");
    err(await api.post(path, { name: "x", scope: "team", team_id: teams.Support, owner_id: users["eng-lead@example.com"] }), 422, "owner_id");
    err(await api.post(path, { name: "x", scope: "team", team_id: teams.Support, owner_id: "00000000-0000-4000-8000-000000000000" }), 422, "owner_id");
    err(await api.post(path, { name: "x", scope: "team", team_id: teams.Support }), 400, "owner_id");
    err(await api.post(path, { name: "x", scope: "all_teams", team_id: teams.Support }), 400, "team_id");
    err(await api.post(path, { name: "x", scope: "galaxy" }), 400, "scope");
    // PATCH re-validates the owner against the key's team.
    const kp = `${path}/${ok.body.id}`;
    err(await api.patch(kp, { owner_id: users["sales-lead@example.com"] }), 422, "owner_id");
    err(await api.patch(kp, { owner_id: null }), 422, "owner_id");
    const moved = await api.patch(kp, { owner_id: users["admin@example.com"] });
    expect(moved.status).toBe(200);
    expect(moved.body.owner_id).toBe(users["admin@example.com"]);
  });

  test("patch name, status, expires_at", async () => {
    const a = await newAgent({ name: "patch keys" });
    const kp = `/v1/admin/agents/${a.id}/keys/${a.default_key.id}`;
    const exp = new Date(Date.now() + 86400000).toISOString();
    const p = await api.patch(kp, { name: "Renamed", status: "disabled", expires_at: exp });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ name: "Renamed", status: "disabled", expires_at: exp });
    const q = await api.patch(kp, { expires_at: null, status: "active" });
    expect(q.body).toMatchObject({ name: "Renamed", status: "active", expires_at: null });
    err(await api.patch(kp, { status: "paused" }), 400, "status");
    err(await api.patch(kp, { secret: "x" }), 400, "secret");
  });

  test("regenerate: same id, new secret, rotated_at; grace keeps the old secret", async () => {
    const a = await newAgent({ name: "regen", capabilities: ["models"] });
    const kp = `/v1/admin/agents/${a.id}/keys/${a.default_key.id}`;
    const r = await api.post(`${kp}/regenerate`, { grace_period_seconds: 3600 });
    expect(r.status).toBe(200);
    expect(KeyWithSecretSchema.safeParse(r.body).success).toBe(true);
    expect(r.body.id).toBe(a.default_key.id);
    expect(r.body.secret).not.toBe(a.default_key.secret);
    expect(r.body.rotated_at).not.toBeNull();
    const graceEnd = Date.parse(r.body.previous_secret_expires_at) - Date.now();
    expect(graceEnd).toBeGreaterThan(3500_000);
    expect(graceEnd).toBeLessThanOrEqual(3600_000);
    expect((await srv.as(a.default_key.secret).get("/v1/models")).status).toBe(200);
    expect((await srv.as(r.body.secret).get("/v1/models")).status).toBe(200);
    // Without a grace period the previous secret stops at once (and the earlier one too).
    const r2 = await api.post(`${kp}/regenerate`);
    expect(r2.status).toBe(200);
    expect(r2.body.previous_secret_expires_at).toBeNull();
    expect((await srv.as(r.body.secret).get("/v1/models")).status).toBe(401);
    expect((await srv.as(a.default_key.secret).get("/v1/models")).status).toBe(401);
    expect((await srv.as(r2.body.secret).get("/v1/models")).status).toBe(200);
    err(await api.post(`${kp}/regenerate`, { grace_period_seconds: 604801 }), 400, "grace_period_seconds");
    err(await api.post(`${kp}/regenerate`, { grace_period_seconds: -1 }), 400, "grace_period_seconds");
    err(await api.post(`${kp}/regenerate`, { grace_period_seconds: 1.5 }), 400, "grace_period_seconds");
  });

  test("revoke: 204, secret stops at once, then 404 everywhere; list and key_count drop it", async () => {
    const a = await newAgent({ name: "revoke", capabilities: ["models"] });
    const k = await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "temp" });
    const kp = `/v1/admin/agents/${a.id}/keys/${k.body.id}`;
    expect((await srv.as(k.body.secret).get("/v1/models")).status).toBe(200);
    expect((await api.del(kp)).status).toBe(204);
    expect((await srv.as(k.body.secret).get("/v1/models")).status).toBe(401);
    err(await api.get(kp), 404, "key_id");
    err(await api.del(kp), 404, "key_id");
    err(await api.patch(kp, { name: "x" }), 404, "key_id");
    err(await api.post(`${kp}/regenerate`, {}), 404, "key_id");
    const l = await api.get(`/v1/admin/agents/${a.id}/keys`);
    expect(l.body.data.map((x: any) => x.id)).toEqual([a.default_key.id]);
    expect((await api.get(`/v1/admin/agents/${a.id}`)).body.key_count).toBe(1);
  });

  test("a key is reachable only under its own agent", async () => {
    const a = await newAgent({ name: "one" });
    const b = await newAgent({ name: "two" });
    err(await api.get(`/v1/admin/agents/${b.id}/keys/${a.default_key.id}`), 404, "key_id");
    err(await api.get(`/v1/admin/agents/00000000-0000-4000-8000-000000000000/keys/${a.default_key.id}`), 404, "id");
  });
});

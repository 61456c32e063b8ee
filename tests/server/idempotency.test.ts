import { apiOf, useApp } from "../helpers/app";

const srv = useApp();
const api = apiOf(srv);

const agentCount = async () => (await api.get("/v1/admin/agents?limit=100")).body.data.length;

describe("Idempotency-Key", () => {
  test("same key + same body replays the first response exactly, with the same secret, and creates nothing", async () => {
    const before = await agentCount();
    const h = { "idempotency-key": "create-agent-1" };
    const first = await api.post("/v1/admin/agents", { name: "idem", capabilities: ["models"] }, h);
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    // Same body with keys in another order still counts as the same request.
    const again = await api.post("/v1/admin/agents", { capabilities: ["models"], name: "idem" }, h);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(again.body.default_key.secret).toBe(first.body.default_key.secret);
    expect(await agentCount()).toBe(before + 1);
    // The replayed secret is the live one.
    expect((await srv.as(again.body.default_key.secret).get("/v1/models")).status).toBe(200);
  });

  test("same key with a different body is 409 idempotencyKeyReused", async () => {
    const h = { "idempotency-key": "create-agent-2" };
    expect((await api.post("/v1/admin/agents", { name: "a" }, h)).status).toBe(201);
    const r = await api.post("/v1/admin/agents", { name: "b" }, h);
    expect(r.status).toBe(409);
    expect(r.body.errors[0].key).toBe("fail.conflict.idempotencyKeyReused");
    expect(r.body.errors[0].extras.field).toBe("Idempotency-Key");
  });

  test("keys are scoped by path: the same key on another route is independent", async () => {
    const a = (await api.post("/v1/admin/agents", { name: "scope" })).body;
    const h = { "idempotency-key": "shared" };
    const k1 = await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "k" }, h);
    const t1 = await api.post("/v1/admin/teams", { name: "Idem team" }, h);
    expect(k1.status).toBe(201);
    expect(t1.status).toBe(201);
    const k2 = await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "k" }, h);
    expect(k2.headers.get("idempotent-replayed")).toBe("true");
    expect(k2.body.secret).toBe(k1.body.secret);
  });

  test("regenerate replays the same new secret instead of rotating twice", async () => {
    const a = (await api.post("/v1/admin/agents", { name: "regen idem", capabilities: ["models"] })).body;
    const path = `/v1/admin/agents/${a.id}/keys/${a.default_key.id}/regenerate`;
    const h = { "idempotency-key": "rotate-1" };
    const r1 = await api.post(path, { grace_period_seconds: 60 }, h);
    const r2 = await api.post(path, { grace_period_seconds: 60 }, h);
    expect(r1.status).toBe(200);
    expect(r2.headers.get("idempotent-replayed")).toBe("true");
    expect(r2.body.secret).toBe(r1.body.secret);
    // Only one rotation happened, so the original secret is still inside its grace period.
    expect((await srv.as(a.default_key.secret).get("/v1/models")).status).toBe(200);
    expect((await srv.as(r1.body.secret).get("/v1/models")).status).toBe(200);
  });

  test("a failed request records nothing: fixing the body under the same key succeeds", async () => {
    const h = { "idempotency-key": "fix-me" };
    expect((await api.post("/v1/admin/agents", { name: "" }, h)).status).toBe(400);
    expect((await api.post("/v1/admin/agents", { name: "fixed" }, h)).status).toBe(201);
  });

  test("an over-long Idempotency-Key is 400 naming the header", async () => {
    const r = await api.post("/v1/admin/agents", { name: "x" }, { "idempotency-key": "k".repeat(256) });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extras.field).toBe("Idempotency-Key");
  });

  test("concurrent duplicates: every answer carries the one secret, or asks to retry", async () => {
    const h = { "idempotency-key": "burst" };
    const rs = await Promise.all(Array.from({ length: 10 }, () => api.post("/v1/admin/agents", { name: "burst" }, h)));
    const ok = rs.filter((r) => r.status === 201);
    const busy = rs.filter((r) => r.status === 409);
    expect(ok.length + busy.length).toBe(10);
    expect(new Set(ok.map((r) => r.body.default_key.secret)).size).toBe(1);
    for (const b of busy) {
      expect(b.body.errors[0].key).toBe("fail.conflict.idempotencyRequestInProgress");
      expect(b.headers.get("retry-after")).toBe("1");
    }
    const list = (await api.get("/v1/admin/agents?limit=100")).body.data.filter((a: any) => a.name === "burst");
    expect(list).toHaveLength(1);
  });
});

describe("concurrency", () => {
  test("50 parallel key creates on one agent: all 201, 50 distinct ids, all listed with Production", async () => {
    const a = (await api.post("/v1/admin/agents", { name: "busy", capabilities: ["models"] })).body;
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => api.post(`/v1/admin/agents/${a.id}/keys`, { name: `k${i}` })));
    expect(rs.map((r) => r.status)).toEqual(Array(50).fill(201));
    const ids = new Set(rs.map((r) => r.body.id));
    expect(ids.size).toBe(50);
    expect(new Set(rs.map((r) => r.body.secret)).size).toBe(50);
    const list = (await api.get(`/v1/admin/agents/${a.id}/keys?limit=100`)).body;
    expect(list.data).toHaveLength(51);
    expect(list.has_more).toBe(false);
    expect(new Set(list.data.map((k: any) => k.id))).toEqual(new Set([...ids, a.default_key.id]));
    expect((await api.get(`/v1/admin/agents/${a.id}`)).body.key_count).toBe(51);
  });
});

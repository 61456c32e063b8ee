import { ErrorBody } from "../../api";
import { apiOf, useApp } from "../helpers/app";

const srv = useApp();
const api = apiOf(srv);

const expectError = (r: { status: number; body: any }, status: number, field?: string) => {
  expect(r.status).toBe(status);
  expect(ErrorBody.safeParse(r.body).success).toBe(true);
  if (field) expect(r.body.errors.map((e: any) => e.extras.field)).toContain(field);
};

/** A raw request line, for paths fetch would normalise away. */
async function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const r = await srv.app.inject({ method: method as "GET", url: path, headers });
  return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined };
}

describe("bad input never crashes and never answers 500", () => {
  test("malformed JSON is 400", async () => {
    expectError(await api.post("/v1/admin/agents", '{"name": "x"'), 400, "(body)");
  });

  test("unknown field is 400 naming it", async () => {
    const r = await api.post("/v1/admin/agents", { name: "x", colour: "red" });
    expectError(r, 400, "colour");
    expect(r.body.errors[0].description).toContain("colour");
  });

  test("wrong types are 400 naming each field", async () => {
    const r = await api.post("/v1/admin/agents", { name: 42, capabilities: "chat" });
    expectError(r, 400, "name");
    expectError(r, 400, "capabilities");
    expectError(await api.post("/v1/admin/agents", [1, 2]), 400);
    expectError(await api.post("/v1/admin/agents", "null"), 400);
  });

  test("deeply nested JSON is 400, with or without an Idempotency-Key", async () => {
    const n = 100000;
    const body = `{"name":"x","description":${"[".repeat(n)}${"]".repeat(n)}}`;
    expectError(await api.post("/v1/admin/agents", body), 400);
    expectError(await api.post("/v1/admin/agents", body, { "idempotency-key": "deep" }), 400);
  });

  test("prototype keys are just unknown fields", async () => {
    const r = await api.post("/v1/admin/agents", '{"name":"x","__proto__":{"admin":true},"constructor":{"prototype":{}}}');
    expectError(r, 400, "__proto__");
  });

  test("over-long strings are 400 naming the field", async () => {
    const r = await api.post("/v1/admin/agents", { name: "n".repeat(300) });
    expectError(r, 400, "name");
    expect(r.body.errors[0].description).toContain("255");
    expectError(await api.post("/v1/admin/teams", { name: "t".repeat(256) }), 400, "name");
  });

  test("a 2 MiB body is 413", async () => {
    const r = await api.post("/v1/admin/agents", JSON.stringify({ name: "x", description: "d".repeat(2 * 1024 * 1024) }));
    expectError(r, 413);
  });

  test("a non-JSON content type is 415", async () => {
    expectError(await api.post("/v1/admin/agents", "name=x", { "content-type": "application/x-www-form-urlencoded" }), 415, "Content-Type");
  });

  test("malformed uuids in paths are 400 naming the parameter", async () => {
    expectError(await api.get("/v1/admin/agents/not-a-uuid"), 400, "id");
    const a = (await api.post("/v1/admin/agents", { name: "x" })).body;
    expectError(await api.get(`/v1/admin/agents/${a.id}/keys/123`), 400, "key_id");
    expectError(await api.get("/v1/admin/teams/abc"), 400, "id");
    expectError(await api.get("/v1/admin/users/abc"), 400, "id");
  });

  test("path traversal does not escape the route", async () => {
    const auth = { authorization: `Bearer ${srv.adminToken}` };
    for (const p of ["/v1/admin/agents/..%2F..", "/v1/admin/agents/..%2F..%2Fhealthz", "/v1/admin/agents/%2e%2e/keys", "/v1/admin/../../etc/passwd"]) {
      const r = await raw("GET", p, auth);
      expect([400, 404]).toContain(r.status);
      expect(ErrorBody.safeParse(r.body).success).toBe(true);
    }
  });

  test("percent-encoded admin paths still need the admin token", async () => {
    for (const p of ["/v1/%61dmin/teams", "/v1/admin/%74eams", "/v1/%61dmin/nothing"]) {
      const r = await raw("GET", p);
      expect(r.status).toBe(401);
      expect(r.body.errors[0].key).toBe("fail.unauthorized.badToken");
    }
    const ok = await raw("GET", "/v1/%61dmin/teams", { authorization: `Bearer ${srv.adminToken}` });
    expect(ok.status).toBe(200);
  });

  test("unknown routes are 404 and wrong methods 404/405, in Writer's error body", async () => {
    expectError(await api.get("/v1/admin/nothing"), 404, "path");
    expectError(await srv.as(undefined).get("/nope"), 404);
    const m = await api.call("PATCH", "/v1/admin/capabilities", {});
    expect([404, 405]).toContain(m.status);
    expect(ErrorBody.safeParse(m.body).success).toBe(true);
  });

  test("missing or wrong admin token is 401; a data-plane key on an admin route is 403", async () => {
    expectError(await srv.as(undefined).get("/v1/admin/agents"), 401, "Authorization");
    const wrong = await srv.as("writer_admin_wrong").get("/v1/admin/agents");
    expectError(wrong, 401);
    expect(wrong.body.errors[0].key).toBe("fail.unauthorized.badToken");
    expectError(await srv.as(undefined).get("/v1/admin/agents", { authorization: "Basic abc" }), 401);
    const a = (await api.post("/v1/admin/agents", { name: "x" })).body;
    const k = await srv.as(a.default_key.secret).get("/v1/admin/agents");
    expectError(k, 403);
    expect(k.body.errors[0].key).toBe("fail.forbidden.insufficientAccessRights");
    // Revoked keys are still recognisably API keys.
    await api.del(`/v1/admin/agents/${a.id}/keys/${a.default_key.id}`);
    expectError(await srv.as(a.default_key.secret).post("/v1/admin/agents", { name: "y" }), 403);
  });

  test("odd query strings are 400, not 500", async () => {
    expectError(await api.get("/v1/admin/agents?limit=abc"), 400, "limit");
    expectError(await api.get("/v1/admin/agents?limit=1&limit=2"), 400, "limit");
    expectError(await api.get("/v1/admin/agents?after=x&before=y"), 400);
    expectError(await api.get("/v1/admin/users?email=" + "e".repeat(400)), 400, "email");
  });

  test("NUL and other control characters in names are 400 naming the field (PostgreSQL cannot store NUL: it must never reach the store)", async () => {
    expectError(await api.post("/v1/admin/agents", { name: "a\u0000b" }), 400, "name");
    expectError(await api.post("/v1/admin/agents", { name: "ok", description: "x\u0000y" }), 400, "description");
    expectError(await api.post("/v1/admin/teams", { name: "t\u0007" }), 400, "name");
    const agent = (await api.post("/v1/admin/agents", { name: "nul target", description: "line one\nline two\ttab" })).body;
    expect(agent.description).toBe("line one\nline two\ttab");
    expectError(await api.post(`/v1/admin/agents/${agent.id}/keys`, { name: "k\u0000", scope: "all_teams" }), 400, "name");
    expectError(await api.patch(`/v1/admin/agents/${agent.id}`, { name: "x\u001fy" }), 400, "name");
    expectError(await api.get("/v1/admin/agents?after=%00"), 400, "after");
    expectError(await api.get("/v1/admin/users?email=a%00b%40example.com"), 400, "email");
    expectError(await api.post("/v1/admin/users", { email: "nul@example.com", name: "N\u0000", team_ids: [] }), 400, "name");
    // List filters too: PostgreSQL cannot compare with a NUL (it answered 500).
    expectError(await api.get("/v1/admin/audit?object_id=%00"), 400, "object_id");
    expectError(await api.get("/v1/admin/audit?action=a%00b"), 400, "action");
  });

  test("after all of that the server is healthy", async () => {
    expect((await api.get("/healthz")).status).toBe(200);
    expect(srv.logs()).not.toMatch(/"statusCode":500/);
  });
});

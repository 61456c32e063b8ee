// What schemathesis found (issue #23), one case each: the OpenAPI document allows what the server
// accepts and forbids what it refuses. 400: a rule of the document's schemas, naming the field;
// 422: a well-formed request that names no object, or breaks a rule the description states.
import { ADMIN_ROUTES, RELEASE_MAX_REQUESTS } from "../../api";
import { useApp } from "../helpers/app";

const srv = useApp();
let doc: any;
let agentId: string;
beforeAll(async () => {
  doc = (await srv.as(undefined).get("/openapi.json")).body;
  agentId = (await srv.api.post("/v1/admin/agents", { name: "rules" })).body.id;
});
const bodyOf = (path: string, method: string) => doc.paths[path][method].requestBody;

test("control characters: the document's patterns refuse what the server refuses", async () => {
  const name = bodyOf("/v1/admin/agents", "post").content["application/json"].schema.properties.name;
  const patterns = name.allOf.map((p: { pattern: string }) => new RegExp(p.pattern));
  for (const bad of ["a\u0007b", "tab\t", " ", "\u3000"]) {
    expect([bad, patterns.every((p: RegExp) => p.test(bad))]).toEqual([bad, false]);
    expect((await srv.api.post("/v1/admin/teams", { name: bad })).status).toBe(400);
  }
  // Trimmed as stored, but checked as sent (so maxLength holds): 255 characters, an emoji being one.
  const r = await srv.api.post("/v1/admin/teams", { name: `  ${"😀".repeat(253)}` });
  expect([r.status, r.body.name]).toEqual([201, "😀".repeat(253)]);
  expect((await srv.api.post("/v1/admin/teams", { name: "😀".repeat(256) })).status).toBe(400);
});

test("times: before 1970 in UTC, or without seconds, is outside the pattern and refused", async () => {
  const pattern = new RegExp(bodyOf("/v1/admin/agents/{id}/keys", "post").content["application/json"].schema.properties.expires_at.anyOf[0].pattern);
  for (const t of ["1969-12-31T23:59:59Z", "1970-01-01T00:30:00+01:00", "2031-01-31T00:00Z"]) {
    expect([t, pattern.test(t)]).toEqual([t, false]);
    const r = await srv.api.post(`/v1/admin/agents/${agentId}/keys`, { name: "k", expires_at: t });
    expect([t, r.status, r.body.errors[0].extras.field]).toEqual([t, 400, "expires_at"]);
  }
  expect(pattern.test("1970-01-01T00:30:00-01:00")).toBe(true);
  expect((await srv.api.post(`/v1/admin/agents/${agentId}/keys`, { name: "k", expires_at: "1970-01-01T00:30:00-01:00" })).status).toBe(201);
});

test("scope and team, role and team: the document's oneOf states the rule the server applies", async () => {
  const keyRule = bodyOf("/v1/admin/agents/{id}/keys", "post").content["application/json"].schema.oneOf;
  expect(keyRule).toHaveLength(2);
  const r = await srv.api.post(`/v1/admin/agents/${agentId}/keys`, { name: "k", scope: "all_teams", team_id: "00000000-0000-4000-8000-000000000000" });
  expect([r.status, r.body.errors[0].extras.field]).toEqual([400, "team_id"]);
  expect(bodyOf("/v1/admin/tokens", "post").content["application/json"].schema.oneOf).toHaveLength(2);
  const t = await srv.api.post("/v1/admin/tokens", { name: "t", role: "viewer", team_id: "00000000-0000-4000-8000-000000000000" });
  expect([t.status, t.body.errors[0].extras.field]).toEqual([400, "team_id"]);
  // A team that does not exist is a fact of the store: 422 (it was a 500, the foreign key).
  const u = await srv.api.post("/v1/admin/tokens", { name: "t", role: "team_admin", team_id: "00000000-0000-4000-8000-000000000000" });
  expect([u.status, u.body.errors[0].extras.field]).toEqual([422, "team_id"]);
});

test("usage: a range no schema can state is 422, and the description says so", async () => {
  expect(doc.paths["/v1/admin/agents/{id}/usage"].get.description).toContain("366 days");
  const long = await srv.api.get(`/v1/admin/agents/${agentId}/usage?from=2030-01-01&to=2031-06-30`);
  expect([long.status, long.body.errors[0].extras.field]).toEqual([422, "from"]);
  expect((await srv.api.get(`/v1/admin/agents/${agentId}/usage?from=1969-12-31`)).status).toBe(400);
  expect((await srv.api.get(`/v1/admin/agents/${agentId}/usage?to=1970-01-05`)).status).toBe(200);
});

test("an optional body is marked so: none is {}, a JSON null or bare whitespace is no body of the schema's", async () => {
  for (const [id, r] of Object.entries(ADMIN_ROUTES)) {
    if (!("body" in r)) continue;
    expect([id, bodyOf(r.path, r.method.toLowerCase()).required]).toEqual([id, !r.body.safeParse({}).success]);
  }
  expect((await srv.api.call("PATCH", `/v1/admin/agents/${agentId}`)).status).toBe(200);
  for (const raw of ["null", "\r"]) {
    const r = await srv.api.call("PATCH", `/v1/admin/agents/${agentId}`, raw, { "content-type": "application/json" });
    expect([JSON.stringify(raw), r.status, r.body.errors[0].extras.field]).toEqual([JSON.stringify(raw), 400, "(body)"]);
  }
});

test("a release past maxItems is 400 naming requests, not 413: the byte limit fits the schema's largest body", async () => {
  const requests = Array.from({ length: RELEASE_MAX_REQUESTS + 1 }, (_, i) => ({ path: `/v1/admin/agents/${"x".repeat(200)}`, idempotency_key: `k${i}`.padEnd(200, "k") }));
  const r = await srv.api.post("/v1/admin/idempotency/release", { requests });
  expect([r.status, r.body.errors[0].extras.field]).toEqual([400, "requests"]);
  expect((await srv.api.post("/v1/admin/idempotency/release", { requests: requests.slice(1) })).status).toBe(200);
});

test("a method a path does not declare is 405 with Allow, whatever the request carries", async () => {
  for (const [method, headers, body] of [
    ["QUERY", {}, undefined],
    ["QUERY", { "content-type": "application/json" }, "{"],
    ["POST", { "content-type": "text/xml" }, "<a/>"],
    ["PUT", { "content-type": "application/json" }, "not json"],
  ] as const) {
    const r = await srv.api.call(method, "/v1/admin/capabilities", body, { ...headers });
    expect([method, r.status, r.headers.get("allow")]).toEqual([method, 405, "GET"]);
  }
  expect((await srv.api.call("QUERY", "/v1/admin/nowhere")).status).toBe(404);
});

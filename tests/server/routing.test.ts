// Routing rules where the contract is silent, decided and documented in the README.
import { useApp } from "../helpers/app";

const srv = useApp();

test("a wrong method is 405 with Allow", async () => {
  const r = await srv.api.call("PATCH", "/v1/admin/teams");
  expect(r.status).toBe(405);
  expect(r.headers.get("allow")).toBe("GET, POST");
  expect(r.body.tpe).toBe("MethodNotAllowed");
  const d = await srv.as(undefined).call("DELETE", "/v1/chat");
  expect(d.status).toBe(405);
  expect(d.headers.get("allow")).toBe("POST");
  expect((await srv.api.get("/v1/nowhere")).status).toBe(404);
});

test("ids are case-insensitive: an uppercase UUID finds the object", async () => {
  const a = await srv.api.post("/v1/admin/agents", { name: "upper" });
  const r = await srv.api.get(`/v1/admin/agents/${a.body.id.toUpperCase()}`);
  expect(r.status).toBe(200);
  expect(r.body.id).toBe(a.body.id);
  const k = await srv.api.get(`/v1/admin/agents/${a.body.id.toUpperCase()}/keys/${a.body.default_key.id.toUpperCase()}`);
  expect(k.status).toBe(200);
});

test("user emails match case-insensitively", async () => {
  const r = await srv.api.get(`/v1/admin/users?email=Lead@Example.COM`);
  expect(r.body.data.map((u: any) => u.email)).toEqual(["lead@example.com"]);
  const dup = await srv.api.post("/v1/admin/users", { email: "LEAD@example.com", name: "Dup" });
  expect(dup.status).toBe(409);
});

test("an unknown field is named itself, not (body)", async () => {
  const r = await srv.api.post("/v1/admin/teams", { name: "t", extra: 1 });
  expect(r.status).toBe(400);
  expect(r.body.errors[0].extras.field).toBe("extra");
});

test("the OpenAPI document lists 405 and 415 answers", async () => {
  const o = await srv.as(undefined).get("/openapi.json");
  const post = o.body.paths["/v1/admin/agents"].post;
  expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(["201", "400", "401", "403", "405", "409", "413", "415", "422", "429"]));
});

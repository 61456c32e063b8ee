// The provider's idempotent creates against a listening writer-local: a replayed create answers the
// same object; a released key creates anew; and a delete of an object that a create of this same
// deployment answered is skipped (the replacement got the old object back), never performed.
import { AdminClient } from "../../provider/client";
import { answeredInThisDeployment, createOnce, releaseCreated } from "../../provider/createOnce";
import { startApp, type TestApp } from "../helpers/app";

let srv: TestApp;
let c: AdminClient;
beforeAll(async () => {
  srv = await startApp();
  const url = await srv.app.listen({ host: "127.0.0.1", port: 0 });
  c = new AdminClient({ baseUrl: url, adminToken: srv.adminToken, client: { retries: 0 } });
});
afterAll(() => srv.app.close());

const exists = async () => true;

test("the same creation key replays the first object until the key is released; then it creates anew", async () => {
  const body = { name: "once" };
  const first = await createOnce<{ id: string }>(c, "/v1/admin/agents", body, { creationKey: "p/s/ApiAgent/once" }, exists);
  const replay = await createOnce<{ id: string }>(c, "/v1/admin/agents", body, { creationKey: "p/s/ApiAgent/once" }, exists);
  expect(replay.id).toBe(first.id);
  expect(answeredInThisDeployment(first.id)).toBe(true);
  await releaseCreated();
  const fresh = await createOnce<{ id: string }>(c, "/v1/admin/agents", body, { creationKey: "p/s/ApiAgent/once" }, exists);
  expect(fresh.id).not.toBe(first.id);
  // A nonce makes another key, without any release.
  const nonced = await createOnce<{ id: string }>(c, "/v1/admin/agents", body, { creationKey: "p/s/ApiAgent/once", creationNonce: "n1" }, exists);
  expect(nonced.id).not.toBe(fresh.id);
});

test("release of a path that is no admin POST, or of an unknown key, releases nothing", async () => {
  const r = await srv.api.post("/v1/admin/idempotency/release", { requests: [{ path: "/v1/admin/nowhere", idempotency_key: "x" }, { path: "/v1/admin/agents", idempotency_key: "never-used" }] });
  expect(r.status).toBe(200);
  expect(r.body.released).toBe(0);
});

test("a delete of an object this deployment's create answered is skipped, with a warning", async () => {
  const { apiAgent } = await import("../../provider/resources/apiAgent");
  process.env.WRITER_BASE_URL = c.config.baseUrl;
  process.env.WRITER_ADMIN_TOKEN = srv.adminToken;
  const a = await createOnce<{ id: string }>(c, "/v1/admin/agents", { name: "kept" }, { creationKey: "p/s/ApiAgent/kept" }, exists);
  const warned = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  await apiAgent.delete(a.id, {} as never);
  expect(String(warned.mock.calls.map((x) => x[0]).join(""))).toMatch(/got this same object back/);
  warned.mockRestore();
  expect((await srv.api.get(`/v1/admin/agents/${a.id}`)).status).toBe(200);
  // Any other agent is deleted as usual.
  const other = await srv.api.post("/v1/admin/agents", { name: "other" });
  await apiAgent.delete(other.body.id, {} as never);
  expect((await srv.api.get(`/v1/admin/agents/${other.body.id}`)).status).toBe(404);
});

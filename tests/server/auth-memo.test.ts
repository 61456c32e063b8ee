// The data plane memoises key lookups only while the database is unchanged. Two writer-local
// processes on one data dir prove the memo is dropped on commits by another connection too:
// every admin change made through B holds on A from the very next request.
import { admin, LocalServer, startLocalServer } from "../helpers/server";

let a: LocalServer;
let b: LocalServer;
beforeAll(async () => {
  a = await startLocalServer();
  b = await startLocalServer({ dataDir: a.dataDir });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

test("revoke, disable, capability off and rotation through one process hold at once on the other", async () => {
  const viaA = admin(a.url, a.adminToken);
  const viaB = admin(b.url, b.adminToken);
  const agent = (await viaA.post("/v1/admin/agents", { name: "memo", capabilities: ["models", "chat"] })).body;
  const mk = async () => (await viaA.post(`/v1/admin/agents/${agent.id}/keys`, { name: "k", scope: "all_teams" })).body;
  const onA = (secret: string) => admin(a.url, secret).get("/v1/models");

  const k1 = await mk();
  for (let i = 0; i < 3; i++) expect((await onA(k1.secret)).status).toBe(200); // memoised on A
  expect((await viaB.del(`/v1/admin/agents/${agent.id}/keys/${k1.id}`)).status).toBe(204);
  expect((await onA(k1.secret)).status).toBe(401);

  const k2 = await mk();
  expect((await onA(k2.secret)).status).toBe(200);
  expect((await viaB.patch(`/v1/admin/agents/${agent.id}/keys/${k2.id}`, { status: "disabled" })).status).toBe(200);
  expect((await onA(k2.secret)).status).toBe(401);
  expect((await viaB.patch(`/v1/admin/agents/${agent.id}/keys/${k2.id}`, { status: "active" })).status).toBe(200);
  expect((await onA(k2.secret)).status).toBe(200);

  expect((await viaB.del(`/v1/admin/agents/${agent.id}/capabilities/models`)).status).toBe(200);
  expect((await onA(k2.secret)).status).toBe(403);
  expect((await viaB.put(`/v1/admin/agents/${agent.id}/capabilities/models`)).status).toBe(200);
  expect((await onA(k2.secret)).status).toBe(200);

  const rotated = (await viaB.post(`/v1/admin/agents/${agent.id}/keys/${k2.id}/regenerate`, { grace_period_seconds: 0 })).body;
  expect((await onA(k2.secret)).status).toBe(401);
  expect((await onA(rotated.secret)).status).toBe(200);
});

// The data plane memoises key lookups only while nothing that decides access has changed (every
// access-relevant commit empties the memo). Each admin change, made right after the memo was
// filled by repeated requests, holds from the very next data-plane request.
import { admin, useLocalServer } from "../helpers/server";

const a = useLocalServer();

test("revoke, disable, capability off and rotation right after memoised requests hold at once", async () => {
  const viaA = admin(a.url, a.adminToken);
  const viaB = viaA;
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

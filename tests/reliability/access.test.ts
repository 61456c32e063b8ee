// Access decisions under load: while other requests with the same key are in flight, an admin
// change (revoke, disable, expiry, end of grace) holds from the very next data-plane request.
import { ErrorBody } from "../../api";
import { admin, useLocalServer, adminOf, directoryOf } from "../helpers/server";

const srv = useLocalServer();
const api = adminOf(srv);
let teams: Record<string, string>;
let users: Record<string, any>;

beforeAll(async () => {
  ({ teams, users } = await directoryOf(api));
});

const models = (secret: string, headers?: Record<string, string>) => admin(srv.url, secret).get("/v1/models", headers);
const refused = (r: { status: number; body: any }, status: number) => {
  expect(r.status).toBe(status);
  expect(ErrorBody.safeParse(r.body).success).toBe(true);
};
async function agentWithKey() {
  const a = (await api.post("/v1/admin/agents", { name: "access", capabilities: ["models"] })).body;
  const k = (await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "k", scope: "all_teams" })).body;
  return { agent: a, key: k };
}

/**
 * Keeps 8 requests with `secret` in flight while `change` runs; every request sent after the
 * change answered must be refused with `status`, including the very first one.
 */
async function holdsFromNextRequest(secret: string, change: () => Promise<unknown>, status = 401) {
  let stop = false;
  let changedAt = Infinity;
  const late: number[] = [];
  const hammer = async () => {
    while (!stop) {
      const sent = performance.now();
      const r = await models(secret);
      if (sent > changedAt) late.push(r.status);
    }
  };
  const loops = Array.from({ length: 8 }, hammer);
  await new Promise((ok) => setTimeout(ok, 100));
  expect((await models(secret)).status).toBe(200);
  await change();
  changedAt = performance.now();
  refused(await models(secret), status);
  await new Promise((ok) => setTimeout(ok, 100));
  stop = true;
  await Promise.all(loops);
  expect(late.length).toBeGreaterThan(0);
  expect(late.filter((s) => s !== status)).toEqual([]);
}

test("a data-plane key on every admin route: 403, in Writer's error shape", async () => {
  const { agent, key } = await agentWithKey();
  const asKey = admin(srv.url, key.secret);
  for (const [m, p] of [
    ["GET", "/v1/admin/agents"], ["POST", "/v1/admin/agents"], ["GET", `/v1/admin/agents/${agent.id}`],
    ["PATCH", `/v1/admin/agents/${agent.id}`], ["DELETE", `/v1/admin/agents/${agent.id}`],
    ["GET", `/v1/admin/agents/${agent.id}/keys`], ["POST", `/v1/admin/agents/${agent.id}/keys`],
    ["POST", `/v1/admin/agents/${agent.id}/keys/${key.id}/regenerate`], ["DELETE", `/v1/admin/agents/${agent.id}/keys/${key.id}`],
    ["PUT", `/v1/admin/agents/${agent.id}/capabilities/chat`], ["GET", "/v1/admin/teams"], ["GET", "/v1/admin/users"],
    ["GET", "/v1/admin/capabilities"],
  ]) {
    refused(await asKey.call(m, p, m === "POST" || m === "PATCH" ? { name: "x" } : undefined), 403);
  }
  // Nothing happened: the agent and the key are intact.
  expect((await api.get(`/v1/admin/agents/${agent.id}`)).body.name).toBe("access");
  expect((await models(key.secret)).status).toBe(200);
});

test("revoked key: refused from the very next request", async () => {
  const { agent, key } = await agentWithKey();
  await holdsFromNextRequest(key.secret, () => api.del(`/v1/admin/agents/${agent.id}/keys/${key.id}`));
});

test("disabled key: refused from the very next request; re-enabled works again at once", async () => {
  const { agent, key } = await agentWithKey();
  await holdsFromNextRequest(key.secret, () => api.patch(`/v1/admin/agents/${agent.id}/keys/${key.id}`, { status: "disabled" }));
  await api.patch(`/v1/admin/agents/${agent.id}/keys/${key.id}`, { status: "active" });
  expect((await models(key.secret)).status).toBe(200);
});

test("deleted agent and capability switched off: refused from the very next request", async () => {
  const one = await agentWithKey();
  await holdsFromNextRequest(one.key.secret, () => api.del(`/v1/admin/agents/${one.agent.id}/capabilities/models`), 403);
  const two = await agentWithKey();
  await holdsFromNextRequest(two.key.secret, () => api.del(`/v1/admin/agents/${two.agent.id}`));
});

test("expired key: refused from the first request after expires_at", async () => {
  const { agent, key } = await agentWithKey();
  const at = Date.now() + 1500;
  await api.patch(`/v1/admin/agents/${agent.id}/keys/${key.id}`, { expires_at: new Date(at).toISOString() });
  expect((await models(key.secret)).status).toBe(200);
  await holdsFromNextRequest(key.secret, () => new Promise((ok) => setTimeout(ok, at - Date.now() + 5)));
});

test("previous secret: works during the grace period, refused right after it", async () => {
  const { agent, key } = await agentWithKey();
  const r = await api.post(`/v1/admin/agents/${agent.id}/keys/${key.id}/regenerate`, { grace_period_seconds: 2 });
  const until = Date.parse(r.body.previous_secret_expires_at);
  expect((await models(r.body.secret)).status).toBe(200);
  await holdsFromNextRequest(key.secret, () => new Promise((ok) => setTimeout(ok, until - Date.now() + 5)));
  expect((await models(r.body.secret)).status).toBe(200);
  // Without a grace period the old secret stops at once.
  const again = await api.post(`/v1/admin/agents/${agent.id}/keys/${key.id}/regenerate`, { grace_period_seconds: 0 });
  refused(await models(r.body.secret), 401);
  expect((await models(again.body.secret)).status).toBe(200);
});

test("wrong-team key: a team-scoped key naming another team is refused (403); its own team works", async () => {
  const a = (await api.post("/v1/admin/agents", { name: "team", capabilities: ["models"] })).body;
  const teamName = Object.keys(teams)[0];
  const other = Object.keys(teams).find((t) => t !== teamName)!;
  const owner = Object.values(users).find((u: any) => u.team_ids.includes(teams[teamName]));
  const k = await api.post(`/v1/admin/agents/${a.id}/keys`, { name: "t", scope: "team", team_id: teams[teamName], owner_id: owner.id });
  expect(k.status).toBe(201);
  expect((await models(k.body.secret, { "x-writer-team-id": teams[teamName] })).status).toBe(200);
  refused(await models(k.body.secret, { "x-writer-team-id": teams[other] }), 403);
});

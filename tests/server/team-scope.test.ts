// The rule for team-scoped keys and X-Writer-Team-Id (README "writer-local"): the key carries its
// team, so a call without the header acts as that team; a header naming another team is 403.
import { useApp } from "../helpers/app";

const srv = useApp();

test("a team key without X-Writer-Team-Id is its own team; another team's id is 403", async () => {
  const teams = (await srv.api.get("/v1/admin/teams")).body.data as { id: string; name: string }[];
  const support = teams.find((t) => t.name === "Support")!.id;
  const sales = teams.find((t) => t.name === "Sales")!.id;
  const lead = (await srv.api.get("/v1/admin/users?email=lead@example.com")).body.data[0].id;
  const a = await srv.api.post("/v1/admin/agents", { name: "scoped", capabilities: ["models"] });
  const k = await srv.api.post(`/v1/admin/agents/${a.body.id}/keys`, { name: "t", scope: "team", team_id: support, owner_id: lead });
  expect((await srv.as(k.body.secret).get("/v1/models")).status).toBe(200);
  expect((await srv.as(k.body.secret).get("/v1/models", { "x-writer-team-id": support })).status).toBe(200);
  const other = await srv.as(k.body.secret).get("/v1/models", { "x-writer-team-id": sales });
  expect(other.status).toBe(403);
  expect(other.body.errors[0].extras.field).toBe("X-Writer-Team-Id");
});

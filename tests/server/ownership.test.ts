// One upstream key serves every agent, so the gateway keeps their objects apart: files, graphs and
// application jobs made through it belong to the agent (and, for a team key, the team) that made
// them; anyone else's by-id read, update or delete is 404, and lists show only the caller's own.
import { CANNED_APPLICATIONS } from "../../server/dataplane/canned";
import { startApp, type TestApp } from "../helpers/app";

let gw: TestApp;
beforeAll(async () => {
  gw = await startApp();
});
afterAll(() => gw.app.close());

const APP = CANNED_APPLICATIONS[0].id;
const caps = ["files", "knowledge_graph", "applications", "tools_pdf_parser"];

async function agentWith(name: string) {
  const a = await gw.api.post("/v1/admin/agents", { name, capabilities: caps });
  return { id: a.body.id as string, as: gw.as(a.body.default_key.secret) };
}

test("another agent's objects do not exist for it; its own do", async () => {
  const a = await agentWith("owner");
  const b = await agentWith("stranger");
  const file = (await a.as.call("POST", "/v1/files", "data", { "content-type": "text/plain" })).body.id;
  const graph = (await a.as.post("/v1/graphs", { name: "mine" })).body.id;
  const job = (await a.as.post(`/v1/applications/${APP}/jobs`, { inputs: [] })).body.id;

  for (const [method, path, body] of [
    ["GET", `/v1/files/${file}`], ["DELETE", `/v1/files/${file}`], ["GET", `/v1/files/${file}/download`],
    ["GET", `/v1/graphs/${graph}`], ["PUT", `/v1/graphs/${graph}`, { name: "x" }], ["DELETE", `/v1/graphs/${graph}`],
    ["POST", `/v1/graphs/${graph}/file`, { file_id: file }], ["GET", `/v1/applications/jobs/${job}`],
    ["POST", `/v1/applications/jobs/${job}/retry`], ["POST", `/v1/tools/pdf-parser/${file}`, { format: "text" }],
    ["POST", "/v1/files/retry", { file_ids: [file] }],
  ] as [string, string, unknown?][]) {
    const r = await b.as.call(method, path, body);
    expect([method, path, r.status]).toEqual([method, path, 404]);
    expect(r.body.errors[0].key).toBe("fail.notFound.resource");
  }
  // B's graph may not take A's file either.
  const bGraph = (await b.as.post("/v1/graphs", { name: "theirs" })).body.id;
  const attach = await b.as.post(`/v1/graphs/${bGraph}/file`, { file_id: file });
  expect([attach.status, attach.body.errors[0].extras.field]).toEqual([404, "file_id"]);

  expect((await a.as.get(`/v1/files/${file}`)).status).toBe(200);
  expect((await a.as.post(`/v1/graphs/${graph}/file`, { file_id: file })).status).toBe(200);
  expect((await a.as.get(`/v1/applications/jobs/${job}`)).status).toBe(200);

  const aFiles = (await a.as.get("/v1/files")).body.data.map((f: any) => f.id);
  const bFiles = (await b.as.get("/v1/files")).body.data.map((f: any) => f.id);
  expect(aFiles).toEqual([file]);
  expect(bFiles).toEqual([]);
  expect((await b.as.get("/v1/graphs")).body.data.map((g: any) => g.id)).toEqual([bGraph]);
  expect((await b.as.get(`/v1/applications/${APP}/jobs`)).body.result).toEqual([]);
  expect((await a.as.get(`/v1/applications/${APP}/jobs`)).body.result.map((j: any) => j.id)).toEqual([job]);
});

test("a team key's objects are its team's: another team's key of the same agent gets 404; an all-teams key sees them", async () => {
  const teams = Object.fromEntries(((await gw.api.get("/v1/admin/teams")).body.data as any[]).map((t) => [t.name, t.id]));
  const admin = (await gw.api.get("/v1/admin/users?email=admin@example.com")).body.data[0].id;
  const a = await agentWith("teams");
  const keyFor = async (team: string) =>
    gw.as((await gw.api.post(`/v1/admin/agents/${a.id}/keys`, { name: team, scope: "team", team_id: teams[team], owner_id: admin })).body.secret);
  const support = await keyFor("Support");
  const sales = await keyFor("Sales");
  const file = (await support.call("POST", "/v1/files", "x", { "content-type": "text/plain" })).body.id;
  expect((await support.get(`/v1/files/${file}`)).status).toBe(200);
  expect((await sales.get(`/v1/files/${file}`)).status).toBe(404);
  expect((await a.as.get(`/v1/files/${file}`)).status).toBe(200);
});

test("an id no object can have (a NUL byte, in the path or in a body reference) is 404 like any unknown id, never 500 (PostgreSQL text cannot hold NUL)", async () => {
  const a = await agentWith("nul");
  const graph = (await a.as.post("/v1/graphs", { name: "g" })).body.id;
  for (const [method, path, body] of [
    ["GET", "/v1/graphs/%00"], ["GET", "/v1/files/a%00b"], ["DELETE", "/v1/files/%00"],
    ["POST", `/v1/graphs/${graph}/file`, { file_id: "x\u0000y" }], ["POST", "/v1/files/retry", { file_ids: ["\u0000"] }],
  ] as [string, string, unknown?][]) {
    const r = await a.as.call(method, path, body);
    expect([method, path, r.status]).toEqual([method, path, 404]);
    expect(r.body.errors[0].key).toBe("fail.notFound.resource");
  }
});

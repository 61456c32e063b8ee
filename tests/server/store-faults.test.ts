// engine: sqlite (it reads SQLite's own file, pragmas or data dir)
// The gateway's own store failing under it (a full disk: SQLite's max_page_count makes every write
// that needs a new page fail with SQLITE_FULL): the process keeps serving, usage counts are kept
// and written once the disk has room again, and no object made upstream is left without an owner.
import { CAPABILITY_IDS } from "../../api";
import { CANNED_APPLICATIONS } from "../../server/dataplane/canned";
import { call, startGatewayRig, type GatewayRig } from "../helpers/gateway";

jest.setTimeout(60_000);
let rig: GatewayRig;
let now = Date.UTC(2030, 0, 1, 12);
beforeAll(async () => {
  rig = await startGatewayRig({ clock: () => now } as never);
});
afterAll(() => rig.close());

const db = () => (rig.gw.app as any).store.db as import("better-sqlite3").Database;
const fill = () => db().pragma(`max_page_count = ${db().pragma("page_count", { simple: true })}`);
const roomAgain = () => db().pragma("max_page_count = 1073741823");
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

test("a usage flush that fails (disk full) neither kills the process nor loses a count", async () => {
  const a = await rig.agent("full-usage", ["models"]);
  fill();
  // A new usage row per day: 600 days of use cannot fit the pages left.
  for (let d = 0; d < 600; d++) {
    now = Date.UTC(2030, 0, 1, 12) + d * 86_400_000;
    expect((await call(rig.url, a.secret, "GET", "/v1/models")).status).toBe(200);
  }
  await sleep(1500); // the flush timer has run (and failed) at least once
  expect((await call(rig.url, a.secret, "GET", "/v1/models")).status).toBe(200);
  expect((await rig.gw.api.get("/healthz")).status).toBe(200);
  roomAgain();
  await sleep(1500);
  const year = async (y: number) => (await rig.gw.api.get(`/v1/admin/agents/${a.id}/usage?from=${y}-01-01&to=${y}-12-31`)).body.totals.requests;
  expect((await year(2030)) + (await year(2031))).toBe(601);
});

test("a created object whose owner cannot be recorded is undone upstream (503), never orphaned; a retry makes exactly one", async () => {
  const a = await rig.agent(`full-own-${Math.random()}`, [...CAPABILITY_IDS]);
  // Rows of usage for this key were written already; every new owned_objects row needs a page.
  for (let i = 0; i < 3; i++) await call(rig.url, a.secret, "GET", "/v1/models");
  await sleep(1200);
  fill();
  const made = [];
  let refused;
  for (let i = 0; i < 200 && !refused; i++) {
    const r = await call(rig.url, a.secret, "POST", "/v1/graphs", { name: `g${i}` });
    if (r.status === 503) refused = r;
    else made.push(r.json.id);
  }
  expect(refused).toBeDefined();
  expect(refused!.headers.get("retry-after")).toBe("1");
  // The stand-in for Writer was asked to delete the graph it had made.
  const creates = rig.received.filter((x) => x.method === "POST" && x.url === "/v1/graphs").length;
  const deletes = rig.received.filter((x) => x.method === "DELETE" && x.url.startsWith("/v1/graphs/"));
  expect(deletes).toHaveLength(1);
  roomAgain();
  const again = await call(rig.url, a.secret, "POST", "/v1/graphs", { name: "again" });
  expect(again.status).toBe(200);
  expect((await call(rig.url, a.secret, "GET", `/v1/graphs/${again.json.id}`)).status).toBe(200);
  expect(rig.received.filter((x) => x.method === "POST" && x.url === "/v1/graphs").length).toBe(creates + 1);
  // Everything the agent sees is everything Writer kept for it.
  const listed = (await call(rig.url, a.secret, "GET", "/v1/graphs?limit=100")).json.data.map((g: any) => g.id);
  expect(listed.sort()).toEqual([...made, again.json.id].sort());
});

test("a job (Writer cannot delete one) whose owner cannot be recorded stays its creator's and is recorded once the disk has room", async () => {
  const a = await rig.agent(`full-job-${Math.random()}`, ["applications"]);
  const app = CANNED_APPLICATIONS[0].id;
  fill();
  let job;
  for (let i = 0; i < 300 && !job; i++) {
    const r = await call(rig.url, a.secret, "POST", `/v1/applications/${app}/jobs`, { inputs: [] });
    expect(r.status).toBe(202);
    if (!(await (rig.gw.app as any).store.objects.ownerOf("job", r.json.id))) job = r.json.id;
  }
  expect(job).toBeDefined();
  // Not yet in the store, yet its creator sees it (and nobody else does).
  expect((await call(rig.url, a.secret, "GET", `/v1/applications/jobs/${job}`)).status).toBe(200);
  const b = await rig.agent(`other-${Math.random()}`, ["applications"]);
  expect((await call(rig.url, b.secret, "GET", `/v1/applications/jobs/${job}`)).status).toBe(404);
  roomAgain();
  await sleep(1500);
  expect(await (rig.gw.app as any).store.objects.ownerOf("job", job)).toMatchObject({ agentId: a.id });
});

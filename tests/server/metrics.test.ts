// GET /metrics (README "Metrics"): Prometheus's own parser (promtool) accepts it, the counters
// move with traffic, only org_admin and viewer tokens read it, and the series stay the same in
// number whether one agent or 1,000 make the traffic (no label holds an agent, key or secret).
import { spawnSync } from "node:child_process";
import { useApp } from "../helpers/app";

const srv = useApp();
const promtool = process.env.WRITER_PROMTOOL || "/usr/bin/promtool";

async function scrape(token = srv.adminToken): Promise<string> {
  const r = await srv.as(token).get("/metrics");
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toContain("text/plain");
  return r.body as string;
}

/** "name{labels}" -> value, for writer's own series (not the process's, which come and go with GC). */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("writer_") || line.startsWith("writer_process_")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function agentWithKey(i: number): Promise<string> {
  const a = await srv.api.post("/v1/admin/agents", { name: `metrics-${i}`, capabilities: ["models", "chat"] });
  expect(a.status).toBe(201);
  return a.body.default_key.secret;
}

async function traffic(secret: string) {
  const k = srv.as(secret);
  expect((await k.get("/v1/models")).status).toBe(200);
  expect((await k.post("/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hello there" }] })).status).toBe(200);
  expect((await k.post("/v1/completions", { model: "palmyra-x5", prompt: "x" })).status).toBe(403); // not a capability of it
  expect((await srv.as("writer_sk_nonsense").get("/v1/models")).status).toBe(401);
}

test("promtool accepts /metrics; counters move; the series do not grow with 1,000 agents", async () => {
  const first = await agentWithKey(0);
  await traffic(first);
  const one = await scrape();
  const check = spawnSync(promtool, ["check", "metrics"], { input: one, encoding: "utf8" });
  // promtool parses the whole text (a parse error is "error while linting") and lints the names.
  // Its only complaint may be prom-client's own Node.js gauges named *_total; ours lint clean.
  const complaints = (check.stdout + check.stderr).split("\n").filter(Boolean);
  expect(complaints.filter((l) => !/^writer_process_nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(l))).toEqual([]);
  expect(check.error).toBeUndefined();
  const s1 = series(one);
  expect(s1.get('writer_dataplane_requests_total{capability="models",status="200"}')).toBeGreaterThanOrEqual(1);
  expect(s1.get('writer_dataplane_requests_total{capability="chat",status="200"}')).toBeGreaterThanOrEqual(1);
  expect([...s1.keys()].some((k) => k.startsWith("writer_dataplane_refusals_total{"))).toBe(true);
  expect([...s1.entries()].filter(([k]) => k.startsWith("writer_tokens_total{")).reduce((n, [, v]) => n + v, 0)).toBeGreaterThan(0);
  expect(s1.get("writer_admin_requests_total{status=\"201\"}")).toBeGreaterThanOrEqual(1);

  for (let i = 1; i < 1000; i++) {
    const secret = await agentWithKey(i);
    if (i % 10 === 0) await traffic(secret);
    else expect((await srv.as(secret).get("/v1/models")).status).toBe(200);
  }
  const many = await scrape();
  const s2 = series(many);
  const histograms = (m: Map<string, number>) => [...m.keys()].filter((k) => !k.includes("_bucket{")).sort();
  expect(histograms(s2)).toEqual(histograms(s1));
  expect(s2.size).toBe(s1.size);
  expect(s2.get('writer_dataplane_requests_total{capability="models",status="200"}')).toBeGreaterThanOrEqual(1000);
  for (const k of s2.keys()) expect(k).not.toMatch(/writer_sk_|[0-9a-f]{8}-[0-9a-f]{4}-/);
}, 180_000);

test("only org_admin and viewer tokens read /metrics; an API key or no token does not", async () => {
  const teams = (await srv.api.get("/v1/admin/teams")).body.data as { id: string }[];
  const viewer = await srv.api.post("/v1/admin/tokens", { name: "grafana", role: "viewer" });
  const teamAdmin = await srv.api.post("/v1/admin/tokens", { name: "ta", role: "team_admin", team_id: teams[0].id });
  await scrape(viewer.body.secret);
  const ta = await srv.as(teamAdmin.body.secret).get("/metrics");
  expect(ta.status).toBe(403);
  expect(ta.body.errors[0].description).toContain("org_admin or viewer");
  expect((await srv.as(undefined).get("/metrics")).status).toBe(401);
  expect((await srv.as(await agentWithKey(5000)).get("/metrics")).status).toBe(401);
});

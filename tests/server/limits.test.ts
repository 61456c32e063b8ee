// Per-key limits at the gateway, with a clock the test moves (no sleeps): requests per minute
// exact under 50 concurrent clients, tokens per minute and a token budget that are never overrun
// (each request reserves its bound and settles to what it spent) and reset with their window or
// UTC period; usage per day with refusals by reason.
import { startApp, type TestApp } from "../helpers/app";

const T0 = Date.UTC(2031, 0, 31, 23, 59, 0); // one minute before a new day and a new month
let now = T0;
let gw: TestApp;
beforeAll(async () => {
  gw = await startApp({ clock: () => now } as any);
});
afterAll(() => gw.app.close());

const chat = (secret: string, words = 5) =>
  gw.as(secret).post("/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hello" }], max_tokens: words });

async function key(limits: object) {
  const a = await gw.api.post("/v1/admin/agents", { name: "limited", capabilities: ["chat", "models"] });
  const k = await gw.api.post(`/v1/admin/agents/${a.body.id}/keys`, { name: "k", ...limits });
  expect(k.status).toBe(201);
  return { agentId: a.body.id as string, keyId: k.body.id as string, secret: k.body.secret as string, key: k.body };
}

test("requests per minute: exactly the limit under 50 concurrent clients, 429 with Retry-After, then the next minute", async () => {
  now = T0;
  const k = await key({ requests_per_minute: 20 });
  expect(k.key.requests_per_minute).toBe(20);
  const answers = await Promise.all(Array.from({ length: 50 }, () => gw.as(k.secret).get("/v1/models")));
  expect(answers.filter((r) => r.status === 200)).toHaveLength(20);
  const refused = answers.filter((r) => r.status === 429);
  expect(refused).toHaveLength(30);
  expect(refused[0].body.tpe).toBe("TooManyRequests");
  expect(Number(refused[0].headers.get("retry-after"))).toBe(60);
  now = T0 + 30_000;
  expect(Number((await gw.as(k.secret).get("/v1/models")).headers.get("retry-after"))).toBe(30);
  now = T0 + 60_000;
  expect((await gw.as(k.secret).get("/v1/models")).status).toBe(200);
});

test("tokens per minute: each request reserves its bound (prompt + max_tokens) and settles to Writer's usage; never past the limit", async () => {
  now = T0 + 5 * 60_000;
  const k = await key({ tokens_per_minute: 100 });
  let ok = 0;
  let used = 0;
  for (;;) {
    const r = await chat(k.secret, 20);
    if (r.status !== 200) {
      expect(r.status).toBe(429);
      expect(r.body.errors[0].description).toMatch(/tokens per minute/);
      break;
    }
    ok++;
    used += r.body.usage.total_tokens;
  }
  // Refused once what is left is less than one request's bound: 5 bytes of text + 8 for the message + 20.
  expect(used).toBeLessThanOrEqual(100);
  expect(100 - used).toBeLessThan(5 + 8 + 20);
  expect(ok).toBe(3);
  // A request that could never fit is 400 naming the field to change, not a 429 to wait out.
  const never = await chat(k.secret, 200);
  expect([never.status, never.body.errors[0].extras.field]).toEqual([400, "max_tokens"]);
  now += 60_000;
  expect((await chat(k.secret, 20)).status).toBe(200);
});

test("a token budget stops before its limit and resets with its period; limits update in place", async () => {
  now = Date.UTC(2031, 1, 10, 12, 0, 0);
  const k = await key({ token_budget: { tokens: 100, period: "day" } });
  let total = 0;
  for (;;) {
    const r = await chat(k.secret, 30);
    if (r.status === 429) {
      expect(r.body.errors[0].description).toMatch(/token budget/);
      // Retry-After points at the next UTC midnight.
      expect(Number(r.headers.get("retry-after"))).toBe(12 * 3600);
      break;
    }
    total += r.body.usage.total_tokens;
  }
  // Never past it: the next request's bound (5 + 8 + 30) no longer fits what is left.
  expect(total).toBeLessThanOrEqual(100);
  expect(100 - total).toBeLessThan(5 + 8 + 30);
  // Raising the budget holds from the next request; so does removing it.
  const patched = await gw.api.patch(`/v1/admin/agents/${k.agentId}/keys/${k.keyId}`, { token_budget: { tokens: 1000, period: "month" } });
  expect(patched.body.token_budget).toEqual({ tokens: 1000, period: "month" });
  expect((await chat(k.secret, 5)).status).toBe(200);
  await gw.api.patch(`/v1/admin/agents/${k.agentId}/keys/${k.keyId}`, { token_budget: { tokens: 100, period: "day" } });
  expect((await chat(k.secret, 30)).status).toBe(429);
  now = Date.UTC(2031, 1, 11, 0, 0, 1);
  expect((await chat(k.secret, 5)).status).toBe(200);
  // Usage per day, with the refusals by reason.
  const u = await gw.api.get(`/v1/admin/agents/${k.agentId}/keys/${k.keyId}/usage?from=2031-02-10&to=2031-02-11`);
  expect(u.status).toBe(200);
  expect(u.body.data.map((d: any) => d.date)).toEqual(["2031-02-10", "2031-02-11"]);
  expect(u.body.data[0].refusals.token_budget).toBe(2);
  expect(u.body.data[1].requests).toBe(1);
  expect(u.body.totals.prompt_tokens + u.body.totals.completion_tokens).toBe(total + 10 + 10);
  expect(u.body.totals.estimated_tokens).toBe(0);
  const agentUsage = await gw.api.get(`/v1/admin/agents/${k.agentId}/usage?from=2031-02-10&to=2031-02-11`);
  expect(agentUsage.body.totals.requests).toBe(u.body.totals.requests);
});

test("bad limits are 400 naming the field", async () => {
  const a = await gw.api.post("/v1/admin/agents", { name: "bad-limits" });
  for (const [body, field] of [
    [{ name: "k", requests_per_minute: 0 }, "requests_per_minute"],
    [{ name: "k", tokens_per_minute: 1.5 }, "tokens_per_minute"],
    [{ name: "k", token_budget: { tokens: 10, period: "week" } }, "token_budget.period"],
    [{ name: "k", token_budget: { tokens: 10 } }, "token_budget.period"],
  ] as const) {
    const r = await gw.api.post(`/v1/admin/agents/${a.body.id}/keys`, body);
    expect([r.status, r.body.errors[0].extras.field]).toEqual([400, field]);
  }
  // Two well-formed days that make no range: a rule no schema can state, so 422 (the operation's description says it).
  const u = await gw.api.get(`/v1/admin/agents/${a.body.id}/usage?from=2031-02-11&to=2031-02-10`);
  expect([u.status, u.body.errors[0].extras.field]).toEqual([422, "from"]);
});

import { admin, startLocalServer, type LocalServer } from "../helpers/server";

const servers: LocalServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.stop())));
const start = async (faults: string, extraArgs: string[] = []) => {
  const s = await startLocalServer({ faults, extraArgs });
  servers.push(s);
  return s;
};

describe("fault injection (tests only)", () => {
  test("off by default: a plain server answers every request", async () => {
    const s = await start("");
    const api = admin(s.url, s.adminToken);
    const rs = await Promise.all(Array.from({ length: 30 }, () => api.get("/v1/admin/teams")));
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect(s.output()).not.toContain("FAULT INJECTION");
  });

  test("429 and 503 carry Retry-After; /healthz and /openapi.json are exempt", async () => {
    const s = await start("429=1");
    expect(s.output()).toContain("FAULT INJECTION ON");
    const api = admin(s.url, s.adminToken);
    const r = await api.get("/v1/admin/teams");
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("1");
    expect(r.body.errors[0].key).toBe("fail.tooManyRequests.quotaExceeded");
    expect((await api.get("/healthz")).status).toBe(200);
    expect((await api.get("/openapi.json")).status).toBe(200);
    const u = await start("503=1");
    const r2 = await admin(u.url, u.adminToken).get("/v1/admin/teams");
    expect(r2.status).toBe(503);
    expect(r2.headers.get("retry-after")).toBe("1");
    const v = await start("500=1");
    const r3 = await admin(v.url, v.adminToken).get("/v1/admin/teams");
    expect(r3.status).toBe(500);
    expect(JSON.stringify(r3.body)).not.toMatch(/at .*\.js/);
  });

  test("drop: some creates commit without an answer; an idempotent retry recovers the one created key", async () => {
    const s = await start("drop=0.5", ["--fault-seed", "7"]);
    const api = admin(s.url, s.adminToken);
    const team = async (name: string, key: string) => {
      for (let i = 0; i < 40; i++) {
        try {
          return await api.post("/v1/admin/teams", { name }, { "idempotency-key": key });
        } catch {
          /* connection dropped: retry with the same key */
        }
      }
      throw new Error("never answered");
    };
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await team(`drop-${i}`, `drop-key-${i}`));
    expect(results.every((r) => r.status === 201)).toBe(true);
    // Some retries must have been replays of a create whose answer was dropped after the commit.
    expect(results.some((r) => r.headers.get("idempotent-replayed") === "true")).toBe(true);
    // And no team was created twice (a duplicate name would have been a 409).
    let all: string[] = [];
    for (let i = 0; i < 40 && all.length === 0; i++) {
      try {
        all = (await api.get("/v1/admin/teams?limit=100")).body.data.map((t: any) => t.name);
      } catch {
        /* dropped */
      }
    }
    expect(all.filter((n) => n.startsWith("drop-")).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `drop-${i}`).sort());
  });

  test("hang holds the request for --fault-hang-ms then closes the connection", async () => {
    const s = await start("hang=1", ["--fault-hang-ms", "300"]);
    const t0 = Date.now();
    await expect(admin(s.url, s.adminToken).get("/v1/admin/teams")).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect((await admin(s.url, s.adminToken).get("/healthz")).status).toBe(200);
  });

  test("a hung request does not hold up shutdown", async () => {
    const s = await start("hang=1");
    const pending = admin(s.url, s.adminToken).get("/v1/admin/teams").catch((e) => e);
    await new Promise((ok) => setTimeout(ok, 200));
    const t0 = Date.now();
    expect(await s.stop("SIGTERM")).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    // The client sees a failed connection (an error, not an HTTP answer).
    const outcome = await pending;
    expect(outcome).toHaveProperty("message");
    expect(outcome).not.toHaveProperty("status");
  });
});

// Thousands of malformed requests (fast-check) at every admin route and at data-plane auth: zero
// 5xx, zero crashes, every error in Writer's error shape. Then malformed resource inputs through
// the real engine: each rejected at preview with a message naming the property, nothing created.
import { request } from "node:http";
import { connect } from "node:net";
import fc from "fast-check";
import { ErrorBody, generateSecret } from "../../api";
import { admin, useLocalServer, adminOf } from "../helpers/server";
import { ProjectStack } from "../helpers/pulumi";
import { serverInventory } from "./inventory";

jest.setTimeout(300_000);

const srv = useLocalServer();
const api = adminOf(srv);
let agentId: string;
let keyId: string;
let secret: string;

beforeAll(async () => {
  const a = (await api.post("/v1/admin/agents", { name: "fuzz", capabilities: ["models", "chat"] })).body;
  agentId = a.id;
  keyId = a.default_key.id;
  secret = a.default_key.secret;
});

interface Answer { status: number; text: string; contentType: string }
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer | undefined> {
  const u = new URL(srv.url);
  return new Promise((ok, fail) => {
    let req;
    try {
      req = request({ host: u.hostname, port: u.port, method, path, headers, agent: false }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => ok({ status: res.statusCode!, text, contentType: String(res.headers["content-type"] ?? "") }));
      });
    } catch {
      return ok(undefined); // the client refused to send it (invalid header or path): not a server answer
    }
    req.on("error", fail);
    if (body !== undefined) {
      // Framed: Node does not chunk GET/DELETE/OPTIONS bodies, and unframed bytes are a new request.
      req.setHeader("content-length", Buffer.byteLength(body));
      req.write(body);
    }
    req.end();
  });
}

const stats = { sent: 0, byStatus: {} as Record<number, number> };
function checkAnswer(a: Answer | undefined, what: string) {
  if (!a) return;
  stats.sent++;
  stats.byStatus[a.status] = (stats.byStatus[a.status] ?? 0) + 1;
  if (a.status >= 500) throw new Error(`${what} -> ${a.status} ${a.text}`);
  // A HEAD answer has no body by definition (RFC 9110 9.3.2): only its status is checked.
  if (a.status >= 400 && !what.startsWith("HEAD ")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(a.text);
    } catch {
      throw new Error(`${what} -> ${a.status} non-JSON error: ${a.text.slice(0, 200)}`);
    }
    if (!ErrorBody.safeParse(parsed).success) throw new Error(`${what} -> ${a.status} not Writer's error shape: ${a.text.slice(0, 300)}`);
  }
}

const segment = fc.oneof(
  fc.constant("__AGENT__"), fc.constant("__KEY__"), fc.uuid(), fc.string({ maxLength: 40 }),
  fc.constantFrom("..", ".", "%2e%2e", "%00", "null", "-1", "9".repeat(400), "chat", "models", "nope", "%ZZ", "a/b"),
);
const ROUTES = [
  "/v1/admin/capabilities", "/v1/admin/teams", "/v1/admin/teams/{a}", "/v1/admin/users", "/v1/admin/users/{a}",
  "/v1/admin/agents", "/v1/admin/agents/{a}", "/v1/admin/agents/{a}/capabilities/{b}", "/v1/admin/agents/{a}/keys",
  "/v1/admin/agents/{a}/keys/{b}", "/v1/admin/agents/{a}/keys/{b}/regenerate",
];
const json = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.record({
    name: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null), fc.constant("x".repeat(300))),
    description: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    capabilities: fc.oneof(fc.array(fc.oneof(fc.constantFrom("chat", "models", "nope"), fc.string())), fc.string(), fc.constant(null)),
    scope: fc.oneof(fc.constantFrom("all_teams", "team", "ALL"), fc.integer()),
    team_id: fc.oneof(fc.uuid(), fc.string(), fc.constant(null)),
    owner_id: fc.oneof(fc.uuid(), fc.string(), fc.constant(null)),
    status: fc.oneof(fc.constantFrom("active", "disabled", "revoked"), fc.boolean()),
    expires_at: fc.oneof(fc.date({ min: new Date(0), max: new Date(8.64e15) }).map((d) => d.toISOString()), fc.string(), fc.integer()),
    grace_period_seconds: fc.oneof(fc.integer(), fc.double(), fc.string()),
    email: fc.oneof(fc.emailAddress(), fc.string()),
    team_ids: fc.oneof(fc.array(fc.uuid()), fc.string()),
    [fc.string() as unknown as string]: fc.anything(),
  }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }), // not JSON at all
  fc.constantFrom("{", "[1,", '{"name":', "\u0000", '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', "1e999999", '"' + "a".repeat(5000) + '"'),
);
const query = fc.oneof(fc.constant(""), fc.constantFrom("?limit=0", "?limit=-1", "?limit=1e9", "?limit=abc", "?order=sideways", "?after=zzz", "?before=" + "%".repeat(3), "?email=%00", "?limit=1&limit=2"), fc.string({ maxLength: 30 }).map((s) => "?" + encodeURIComponent(s) + "=" + s));
const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json; charset=latin1");

test("admin routes: 3,000 malformed requests, zero 5xx, every error in Writer's shape", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ROUTES), segment, segment, fc.constantFrom("GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"),
      fc.option(json, { nil: undefined }), query, contentType,
      fc.oneof(fc.constant(`Bearer ${srv.adminToken}`), fc.constant(`Bearer ${srv.adminToken}`), fc.constant(`Bearer ${secret}`), fc.string(), fc.constant("Bearer "), fc.constant(`bearer ${srv.adminToken}x`)),
      fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
      async (route, a, b, method, body, q, ct, auth, idem) => {
        const fill = (s: string) => (s === "__AGENT__" ? agentId : s === "__KEY__" ? keyId : s.includes("%") ? s : encodeURIComponent(s));
        const path = route.replace("{a}", fill(a)).replace("{b}", fill(b)) + q;
        const headers: Record<string, string> = { authorization: auth };
        if (ct) headers["content-type"] = ct;
        if (idem !== undefined) headers["idempotency-key"] = idem;
        checkAnswer(await send(method, path, headers, method === "GET" || method === "HEAD" ? undefined : body), `${method} ${path} ${body?.slice(0, 100)}`);
      },
    ),
    { numRuns: 3000, seed: 4242 },
  );
  expect(stats.sent).toBeGreaterThan(2500);
  expect((await api.get("/healthz")).status).toBe(200);
  expect(srv.proc.exitCode).toBeNull();
});

test("bytes the HTTP parser rejects get a 400 in Writer's shape, not Fastify's", async () => {
  const u = new URL(srv.url);
  for (const garbage of ["GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "\u0000\u0001\u0002\r\n\r\n", "GET /v1/models HTTP/1.1\r\n" + "X: " + "a".repeat(20000) + "\r\n\r\n"]) {
    const text = await new Promise<string>((ok, fail) => {
      const s = connect(Number(u.port), u.hostname, () => s.end(garbage));
      let out = "";
      s.on("data", (d) => (out += d));
      s.on("end", () => ok(out));
      s.on("error", fail);
    });
    const [head, body] = text.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1.1 4\d\d /);
    expect(ErrorBody.safeParse(JSON.parse(body)).success).toBe(true);
  }
  expect(srv.proc.exitCode).toBeNull();
});

test("data-plane auth: 2,000 malformed or mutated tokens, each 401 in Writer's shape; the real key still works", async () => {
  const endpoints = [["GET", "/v1/models"], ["POST", "/v1/chat"], ["GET", "/v1/graphs"], ["POST", "/v1/completions"]];
  const token = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.nat({ max: secret.length - 1 }).chain((i) => fc.char().map((c) => secret.slice(0, i) + c + secret.slice(i + 1))).filter((t) => t !== secret),
    fc.constant(generateSecret()), fc.constant(srv.adminToken), fc.constant(secret.slice(0, -1)), fc.constant(secret + "x"), fc.constant(secret.toUpperCase()),
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...endpoints), token, fc.constantFrom("Bearer ", "bearer ", "Basic ", "", "Bearer  "), async ([m, p], t, scheme) => {
      const headers = { authorization: scheme + t, "content-type": "application/json" };
      const a = await send(m, p, headers, m === "POST" ? "{}" : undefined);
      checkAnswer(a, `${m} ${p} auth=${JSON.stringify(scheme + t).slice(0, 80)}`);
      if (a) expect(a.status).toBe(401);
    }),
    { numRuns: 2000, seed: 777 },
  );
  expect((await admin(srv.url, secret).get("/v1/models")).status).toBe(200);
});

test("malformed resource inputs: each rejected at preview naming the property; nothing created", async () => {
  const before = await serverInventory(api);
  const cases: [string, RegExp][] = [
    [`new writer.ApiAgent("a", { capabilities: ["chat", "teleport" as any] });`, /capabilities/],
    [`new writer.ApiAgent("a", { name: "x".repeat(300) });`, /name.*255/],
    [`new writer.ApiAgent("a", { name: "   " });`, /name.*empty/],
    [`const a = new writer.ApiAgent("a", {}); new writer.ApiKey("k", { agentId: a.id, expiresAt: "next tuesday" });`, /expiresAt/],
    [`const a = new writer.ApiAgent("a", {}); new writer.ApiKey("k", { agentId: a.id, expiresAt: "2001-01-01T00:00:00Z" });`, /expiresAt.*past/],
    [`const a = new writer.ApiAgent("a", {}); new writer.ApiKey("k", { agentId: a.id, gracePeriodSeconds: -5 });`, /gracePeriodSeconds/],
    [`const a = new writer.ApiAgent("a", {}); new writer.ApiKey("k", { agentId: a.id, gracePeriodSeconds: 1e9 });`, /gracePeriodSeconds/],
    [`const a = new writer.ApiAgent("a", {}); new writer.ApiKey("k", { agentId: a.id, rotateAfterDays: 0 });`, /rotateAfterDays/],
    [`const a = new writer.ApiAgent("a", {}); new writer.ApiKey("k", { agentId: a.id, teamId: "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5" });`, /ownerId/],
    [`const a = new writer.ApiAgent("a", {}); new writer.AgentCapability("c", { agentId: a.id, capability: "teleport" as any });`, /capability/],
  ];
  // One stack, one program per case: the preview must fail and say which property is wrong.
  const p = new ProjectStack("badinput", "");
  await p.init("test", { "writer:baseUrl": srv.url }, { "writer:adminToken": srv.adminToken });
  for (const [body, msg] of cases) {
    p.setProgram(`import * as writer from "pulumi-writer";\n${body}\n`);
    const r = await p.run(["preview"], { allowFail: true });
    expect({ body, failed: r.code !== 0, named: msg.test(r.stdout + r.stderr) }).toEqual({ body, failed: true, named: true });
  }
  // `up` of the last bad program creates nothing either.
  const up = await p.run(["up", "--yes"], { allowFail: true });
  expect(up.code).not.toBe(0);
  expect(await serverInventory(api)).toEqual(before);
});

// The HTTP client against a scripted server on loopback: retries, Retry-After, idempotency keys
// reused across retries, the error family, and no secret in any message.
import http from "node:http";
import { AddressInfo } from "node:net";
import { AdminClient } from "../../provider/client";
import { APIConnectionError, NotFoundError, UnprocessableEntityError, redact } from "../../provider/errors";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;
let server: http.Server;
let handler: Handler;
let seen: { method: string; url: string; idem?: string; at: number }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, idem: req.headers["idempotency-key"] as string | undefined, at: Date.now() });
    req.resume();
    req.on("end", () => handler(req, res, seen.length));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => (seen = []));

function client(retries = 4) {
  const port = (server.address() as AddressInfo).port;
  return new AdminClient({ baseUrl: `http://127.0.0.1:${port}`, adminToken: "writer_admin_TOPSECRET", client: { retries, backoffMs: 5, timeoutMs: 2000 } });
}
const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};
const writerError = (status: number, description: string, field?: string, key = "fail.x") => ({
  tpe: "X", errors: [{ description, key, extras: field ? { field } : {} }], extras: {},
});

test("a POST retried after 503 and a dropped connection keeps one idempotency key", async () => {
  handler = (req, res, n) => {
    if (n === 1) return json(res, 503, writerError(503, "busy"), { "retry-after": "0" });
    if (n === 2) return req.socket.destroy();
    json(res, 201, { id: "k1" });
  };
  const r = await client().post<{ id: string }>("/v1/admin/agents", { name: "a" });
  expect(r.id).toBe("k1");
  expect(seen).toHaveLength(3);
  expect(new Set(seen.map((s) => s.idem)).size).toBe(1);
  expect(seen[0].idem).toMatch(/^[0-9a-f-]{36}$/);
});

test("two logical POSTs get two idempotency keys", async () => {
  handler = (_q, res) => json(res, 201, { id: "x" });
  await client().post("/p", {});
  await client().post("/p", {});
  expect(seen[0].idem).not.toBe(seen[1].idem);
});

test("429 honours Retry-After before retrying", async () => {
  handler = (_q, res, n) => (n === 1 ? json(res, 429, writerError(429, "slow down"), { "retry-after": "1" }) : json(res, 200, { ok: true }));
  await client().get("/v1/admin/agents");
  expect(seen).toHaveLength(2);
  expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(900);
});

test("404 and 422 are not retried and map to errors that say what to fix", async () => {
  handler = (_q, res) => json(res, 404, writerError(404, "agent not found", "id"));
  await expect(client().get("/v1/admin/agents/x")).rejects.toBeInstanceOf(NotFoundError);
  expect(seen).toHaveLength(1);
  handler = (_q, res) => json(res, 422, writerError(422, "owner is not a member of the team", "owner_id"));
  const e: any = await client().post("/v1/admin/agents/a/keys", {}).catch((x) => x);
  expect(e).toBeInstanceOf(UnprocessableEntityError);
  expect(e.message).toContain("field: owner_id");
  expect(e.message).toContain("must be a member of the team");
});

test("a server that never answers ends in a connection error naming the URL, not the token", async () => {
  handler = () => undefined; // hang
  const c = new AdminClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, adminToken: "writer_admin_TOPSECRET", client: { retries: 1, timeoutMs: 200, backoffMs: 5 } });
  const e: any = await c.get("/v1/admin/teams").catch((x) => x);
  expect(e).toBeInstanceOf(APIConnectionError);
  expect(e.message).toContain("timed out");
  expect(e.message).not.toContain("TOPSECRET");
  expect(seen).toHaveLength(2);
});

test("pagination walks every page", async () => {
  const ids = Array.from({ length: 7 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
  handler = (req, res) => {
    const u = new URL(req.url!, "http://x");
    const after = u.searchParams.get("after");
    const start = after ? ids.indexOf(after) + 1 : 0;
    const data = ids.slice(start, start + 3).map((id) => ({ id }));
    json(res, 200, { data, has_more: start + 3 < ids.length, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  };
  const got: string[] = [];
  for await (const x of client().list<{ id: string }>("/v1/admin/teams")) got.push(x.id);
  expect(got).toEqual(ids);
  expect(seen).toHaveLength(3);
});

test("redact hides key secrets and admin tokens", () => {
  expect(redact("bad key writer_sk_abcDEF123_-x_0a1b2c3d and writer_admin_zzz")).toBe("bad key writer_sk_[REDACTED] and writer_admin_[REDACTED]");
});

// writer-local as a gateway in front of a stand-in for Writer's API: enforcement first (refused
// requests never reach the upstream), then forwarding with the upstream key, streaming, faults.
import { request } from "node:http";
import { startApp, type TestApp } from "../helpers/app";
import { slowStream, startFakeUpstream, type FakeUpstream } from "../helpers/upstream";

const UPSTREAM_KEY = "upstream_key_Z9sQk2LmP0aVxT4b";
let fake: FakeUpstream;
let gw: TestApp;
let url: string;
let secret: string;
let agentId: string;
let keyId: string;

beforeAll(async () => {
  fake = await startFakeUpstream();
  gw = await startApp({ upstream: { url: fake.url, apiKey: UPSTREAM_KEY, connectTimeoutMs: 500, headersTimeoutMs: 800, bodyTimeoutMs: 800, connections: 4 } } as any);
  url = await gw.app.listen({ host: "127.0.0.1", port: 0 });
  const a = await gw.api.post("/v1/admin/agents", { name: "gw", capabilities: ["chat", "models", "files"] });
  secret = a.body.default_key.secret;
  agentId = a.body.id;
  keyId = a.body.default_key.id;
});
afterAll(async () => {
  await gw.app.close();
  await fake.close();
});
beforeEach(() => {
  fake.seen.length = 0;
  fake.behave((_req, res) => res.writeHead(200, { "content-type": "application/json", "x-request-id": "req-1", "x-ratelimit-remaining-requests": "399", "set-cookie": "a=b", "x-internal": "no" }).end('{"ok":true,"n":1}'));
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token = secret) =>
  fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers }, body: body === undefined ? undefined : typeof body === "string" || Buffer.isBuffer(body) ? (body as string) : JSON.stringify(body) });

test("forwards method, path and body (as validated) with the upstream key; returns status, the headers that matter and the body unchanged", async () => {
  const body = '{"model":"palmyra-x5","messages":[{"role":"user","content":"hi"}],"temperature":0.5,"future_field":{"x":1}}';
  const r = await call("POST", "/v1/chat", body, { "x-writer-team-id": "whatever", "x-custom": "kept", connection: "keep-alive" });
  expect(r.status).toBe(200);
  expect(await r.text()).toBe('{"ok":true,"n":1}');
  expect(r.headers.get("x-request-id")).toBe("req-1");
  expect(r.headers.get("x-ratelimit-remaining-requests")).toBe("399");
  expect(r.headers.get("set-cookie")).toBeNull();
  expect(r.headers.get("x-internal")).toBeNull();
  expect(fake.seen).toHaveLength(1);
  const s = fake.seen[0];
  expect([s.method, s.url, s.body.toString()]).toEqual(["POST", "/v1/chat", body]);
  expect(s.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  expect(s.headers["x-writer-team-id"]).toBeUndefined();
  expect(s.headers["x-custom"]).toBe("kept");
  // A query parameter Writer does not take there is refused, never passed on.
  const q = await call("POST", "/v1/chat?trace=1", body);
  expect(q.status).toBe(400);
  expect(((await q.json()) as any).errors[0].extras.field).toBe("trace");
  expect(fake.seen).toHaveLength(1);
});

test("refused requests never reach the upstream: 401, 403, 400, 404 of another agent's object", async () => {
  const other = await gw.api.post("/v1/admin/agents", { name: "gw-other", capabilities: ["models"] });
  expect((await call("GET", "/v1/models", undefined, {}, "writer_sk_nope")).status).toBe(401);
  expect((await call("POST", "/v1/chat", { model: "m" }, {}, other.body.default_key.secret)).status).toBe(403);
  expect((await call("POST", "/v1/chat", { model: "m" })).status).toBe(400);
  expect((await call("GET", "/v1/files/6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5")).status).toBe(404);
  expect(fake.seen).toHaveLength(0);
});

test("upstream answers pass through: 5xx unchanged; unreachable 502; too slow 504; all in Writer's error shape where the gateway speaks", async () => {
  fake.behave((_req, res) => res.writeHead(503, { "content-type": "application/json", "retry-after": "7" }).end('{"tpe":"ServiceUnavailable","errors":[{"description":"busy","key":"k","extras":{}}],"extras":{}}'));
  const five = await call("GET", "/v1/models");
  expect(five.status).toBe(503);
  expect(five.headers.get("retry-after")).toBe("7");
  expect(((await five.json()) as any).errors[0].description).toBe("busy");

  fake.behave(() => undefined); // never answers
  const slow = await call("GET", "/v1/models");
  expect(slow.status).toBe(504);
  expect(((await slow.json()) as any).tpe).toBe("GatewayTimeout");

  fake.behave((req) => req.socket.destroy()); // drops the connection
  const dropped = await call("GET", "/v1/models");
  expect(dropped.status).toBe(502);
  const b: any = await dropped.json();
  expect(b.tpe).toBe("BadGateway");
  expect(JSON.stringify(b)).not.toContain(UPSTREAM_KEY);
});

test("an upstream that is down is 502", async () => {
  const down = await startApp({ upstream: { url: "http://127.0.0.1:9", apiKey: UPSTREAM_KEY, connectTimeoutMs: 500, headersTimeoutMs: 500, bodyTimeoutMs: 500, connections: 1 } } as any);
  const a = await down.api.post("/v1/admin/agents", { name: "down", capabilities: ["models"] });
  const r = await down.as(a.body.default_key.secret).get("/v1/models");
  expect(r.status).toBe(502);
  expect(r.body.errors[0].key).toBe("fail.badGateway.upstream");
  await down.app.close();
});

test("SSE streams chunk by chunk; the final usage chunk is counted (and not shown to a client that did not ask for it); a rotation during the stream does not cut it", async () => {
  fake.behave(slowStream(20, 15));
  const r = await call("POST", "/v1/chat", { model: "m", messages: [{ role: "user", content: "x" }], stream: true });
  expect(r.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = r.body!.getReader();
  const first = await reader.read();
  expect(new TextDecoder().decode(first.value)).toMatch(/^data: /);
  // Rotated with no grace: new requests with the old secret fail, the stream in flight goes on.
  const rotated = await gw.api.post(`/v1/admin/agents/${agentId}/keys/${keyId}/regenerate`, { grace_period_seconds: 0 });
  expect((await call("GET", "/v1/models")).status).toBe(401);
  let text = new TextDecoder().decode(first.value);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  expect(text.match(/^data: \{/gm)!.length).toBe(15);
  expect(text).not.toContain('"usage"');
  // The gateway asked Writer for the usage chunk.
  expect(JSON.parse(fake.seen[0].body.toString()).stream_options).toEqual({ include_usage: true });
  expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  secret = rotated.body.secret;
  const u = await gw.api.get(`/v1/admin/agents/${agentId}/keys/${keyId}/usage`);
  // Writer's figures for the stream; the earlier answers without usage are counted as estimates.
  expect(u.body.totals.completion_tokens - u.body.totals.estimated_tokens).toBeLessThanOrEqual(15);
  expect(u.body.totals.prompt_tokens + u.body.totals.completion_tokens - u.body.totals.estimated_tokens).toBe(3 + 15);
});

test("a client that goes away mid-stream aborts the upstream request", async () => {
  fake.behave(slowStream(20));
  const closed = fake.streamClosed();
  await new Promise<void>((ok, fail) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, method: "POST", path: "/v1/chat", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" } }, (res) => {
      res.once("data", () => {
        req.destroy();
        ok();
      });
    });
    req.on("error", () => undefined);
    req.end(JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }], stream: true }));
    setTimeout(() => fail(new Error("no first chunk")), 3000);
  });
  await expect(Promise.race([closed.then(() => "closed"), new Promise((ok) => setTimeout(() => ok("still open"), 3000))])).resolves.toBe("closed");
});

test("an answer cut short of its stated length is 502 in Writer's shape, never a truncated 200", async () => {
  fake.behave((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
    res.write('{"data":[');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const r = await call("GET", "/v1/models");
  expect(r.status).toBe(502);
  expect(((await r.json()) as any).errors[0].description).toMatch(/Writer's API/);
});

test("a client that goes away before a whole answer arrives aborts the upstream request", async () => {
  fake.behave((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
    res.write('{"data":[');
  });
  const closed = fake.streamClosed();
  const u = new URL(url);
  const req = request({ host: u.hostname, port: u.port, method: "GET", path: "/v1/models", headers: { authorization: `Bearer ${secret}` } });
  req.on("error", () => undefined);
  req.end();
  await new Promise((ok) => setTimeout(ok, 200));
  req.destroy();
  await expect(Promise.race([closed.then(() => "closed"), new Promise((ok) => setTimeout(() => ok("still open"), 3000))])).resolves.toBe("closed");
  // A client going away is not the server's error: nothing at error level.
  await new Promise((ok) => setTimeout(ok, 100));
  const errors = gw.logs().split("\n").filter((l) => l.includes('"level":50'));
  expect(errors).toEqual([]);
});

test("a status HTTP does not have is 502; the error of its unread body does not take the gateway down", async () => {
  fake.behave((_req, res) => {
    res.socket!.write("HTTP/1.1 600 Odd\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n");
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const r = await call("GET", "/v1/models");
  expect(r.status).toBe(502);
  expect(((await r.json()) as any).errors[0].description).toMatch(/invalid status/);
  await new Promise((ok) => setTimeout(ok, 100));
  fake.behave((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'));
  expect((await call("GET", "/v1/models")).status).toBe(200);
});

test("HEAD passes the stated length on (a small answer is not held whole as an empty one)", async () => {
  fake.behave((_req, res) => res.writeHead(200, { "content-type": "application/json", "content-length": "17" }).end());
  const r = await call("HEAD", "/v1/models");
  expect(r.status).toBe(200);
  expect(r.headers.get("content-length")).toBe("17");
});

test("an upstream that stops mid-stream ends the client's stream with an error event", async () => {
  fake.behave((_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write('data: {"choices":[]}\n\n');
    setTimeout(() => res.socket?.destroy(), 50);
  });
  const r = await call("POST", "/v1/chat", { model: "m", messages: [{ role: "user", content: "x" }], stream: true });
  const text = await r.text();
  expect(text).toMatch(/event: error\ndata: \{"tpe":"GatewayTimeout"/);
});

test("uploads stream through with the upstream key; past --upload-limit-bytes they are 413", async () => {
  const fileId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  fake.behave((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: fileId, name: "x", status: "completed", created_at: "2025-01-01T00:00:00Z", graph_ids: [] })));
  const ok = await call("POST", "/v1/files", Buffer.alloc(5000, 1) as never, { "content-type": "application/pdf", "content-disposition": "attachment; filename=a.pdf" });
  expect(ok.status).toBe(200);
  expect(fake.seen[0].body.length).toBe(5000);
  expect(fake.seen[0].headers["content-type"]).toBe("application/pdf");
  expect(fake.seen[0].headers["content-disposition"]).toBe("attachment; filename=a.pdf");
  // The file is the caller's: it can read it back through the gateway.
  expect((await call("GET", `/v1/files/${fileId}`)).status).toBe(200);
});

test("an upload past the limit is 413, declared or streamed, and the upstream never gets it whole", async () => {
  const small = await startApp({ upstream: { url: fake.url, apiKey: UPSTREAM_KEY, connectTimeoutMs: 500, headersTimeoutMs: 2000, bodyTimeoutMs: 2000, connections: 2 }, uploadLimitBytes: 1000 } as any);
  const u = await small.app.listen({ host: "127.0.0.1", port: 0 });
  const a = await small.api.post("/v1/admin/agents", { name: "up", capabilities: ["files"] });
  fake.seen.length = 0;
  const declared = await fetch(u + "/v1/files", { method: "POST", headers: { authorization: `Bearer ${a.body.default_key.secret}`, "content-type": "text/plain" }, body: Buffer.alloc(5000) });
  expect(declared.status).toBe(413);
  expect(fake.seen).toHaveLength(0);
  // No Content-Length (chunked): counted as it streams.
  const chunks = async function* () {
    for (let i = 0; i < 10; i++) yield Buffer.alloc(400);
  };
  const streamed = await fetch(u + "/v1/files", { method: "POST", headers: { authorization: `Bearer ${a.body.default_key.secret}`, "content-type": "text/plain" }, body: chunks() as never, duplex: "half" } as never);
  expect(streamed.status).toBe(413);
  expect(((await streamed.json()) as any).errors[0].extras.field).toBe("(body)");
  expect(fake.seen.every((s) => s.body.length <= 1000)).toBe(true);
  await small.app.close();
});

test("the upstream key never reaches a client or a log line", async () => {
  expect(gw.logs()).not.toContain(UPSTREAM_KEY);
});

test("a connection lost after a POST was sent answers 502 with x-should-retry: false; a GET, or a POST never sent, may be retried", async () => {
  fake.behave((req) => req.socket.destroy());
  const post = await call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "x" }] });
  expect(post.status).toBe(502);
  expect(post.headers.get("x-should-retry")).toBe("false");
  expect(((await post.json()) as any).errors[0].description).toMatch(/may have done the work/);
  const get = await call("GET", "/v1/models");
  expect(get.status).toBe(502);
  expect(get.headers.get("x-should-retry")).toBeNull();
  const down = await startApp({ upstream: { url: "http://127.0.0.1:1", apiKey: UPSTREAM_KEY, connectTimeoutMs: 500, headersTimeoutMs: 500, bodyTimeoutMs: 500, connections: 1 } } as any);
  const a = await down.api.post("/v1/admin/agents", { name: "d", capabilities: ["chat"] });
  const never = await down.as(a.body.default_key.secret).post("/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "x" }] });
  expect(never.status).toBe(502);
  expect(never.headers.get("x-should-retry")).toBeNull();
  await down.app.close();
});

test("a request that never got an answer adds no upstream duration (the histogram is of answers)", async () => {
  const down = await startApp({ upstream: { url: "http://127.0.0.1:1", apiKey: UPSTREAM_KEY, connectTimeoutMs: 500, headersTimeoutMs: 500, bodyTimeoutMs: 500, connections: 1 } } as any);
  const a = await down.api.post("/v1/admin/agents", { name: "d", capabilities: ["models"] });
  expect((await down.as(a.body.default_key.secret).get("/v1/models")).status).toBe(502);
  const m = await down.api.get("/metrics");
  expect(String(m.body)).toMatch(/^writer_upstream_duration_seconds_count 0$/m);
  expect(String(m.body)).toMatch(/^writer_upstream_time_to_first_byte_seconds_count 0$/m);
  await down.app.close();
});

test("Writer's x-should-retry reaches the client", async () => {
  fake.behave((_req, res) => res.writeHead(500, { "content-type": "application/json", "x-should-retry": "false" }).end('{"tpe":"InternalServerError","errors":[{"description":"no","key":"k","extras":{}}],"extras":{}}'));
  const r = await call("GET", "/v1/models");
  expect([r.status, r.headers.get("x-should-retry")]).toEqual([500, "false"]);
});

test("an upstream that dies half-way through an event: the client gets whole events, then the error event on a fresh boundary", async () => {
  fake.behave((_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write('data: {"id":"s","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"a"}}]}\n\n');
    res.write('data: {"id":"s","object":"chat.completion.chunk","choi');
    setTimeout(() => res.socket?.destroy(), 50);
  });
  const r = await call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "x" }], stream: true });
  const text = await r.text();
  const events = text.split("\n\n");
  expect(events.pop()).toBe("");
  expect(events).toHaveLength(2);
  expect(events[0]).toMatch(/^data: \{.*"content":"a"/);
  expect(events[1]).toMatch(/^event: error\ndata: \{"tpe":"GatewayTimeout"/);
});

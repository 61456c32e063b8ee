// What is declared is what is enforced: a hostile workload's every way around ownership,
// capabilities and budgets, through a gateway in front of a canned writer-local that answers like
// Writer (no usage where Writer sends none, real pagination over every agent's objects). Each test
// is one row of issue #18's table; refused requests must never reach the stand-in.
import Writer from "writer-sdk";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { request } from "node:http";
import { join } from "node:path";
import { call, startGatewayRig, type GatewayRig } from "../helpers/gateway";

jest.setTimeout(60_000);
let rig: GatewayRig;
beforeAll(async () => {
  rig = await startGatewayRig();
});
afterAll(() => rig.close());

const ALL = ["chat", "completions", "knowledge_graph", "files", "applications", "vision", "translation", "tools_web_search", "models"];
/** One of the canned stand-in's applications (server/dataplane/canned.ts CANNED_APPLICATIONS). */
const APP = "5b1c3f0e-2a4d-4e6f-8a1b-3c5d7e9f0a12";
const as = (secret: string) => ({
  call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => call(rig.url, secret, method, path, body, headers),
});
const seen = (needle: string) => rig.received.filter((r) => r.url.includes(needle) || r.body.includes(needle));
const usageOf = async (agentId: string) => (await rig.gw.api.get(`/v1/admin/agents/${agentId}/usage`)).body.totals;

async function twoAgents(caps = ALL) {
  const a = await rig.agent(`a-${Math.random()}`, caps);
  const b = await rig.agent(`b-${Math.random()}`, caps);
  return { a, b, A: as(a.secret), B: as(b.secret) };
}
const upload = async (secret: string, query = "") => {
  const r = await fetch(`${rig.url}/v1/files${query}`, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "text/plain", "content-disposition": "attachment; filename=a.txt" }, body: "hello" });
  return { status: r.status, json: (await r.json()) as any };
};

describe("objects named in nested bodies are the caller's", () => {
  test("a chat graph tool naming another agent's graph: 404, never forwarded", async () => {
    const { A, B } = await twoAgents();
    const graph = (await A.call("POST", "/v1/graphs", { name: "a" })).json.id;
    const r = await B.call("POST", "/v1/chat", {
      model: "palmyra-x5", messages: [{ role: "user", content: "q" }],
      tools: [{ type: "graph", function: { graph_ids: [graph], subqueries: false, description: "kb" } }],
    });
    expect(r.status).toBe(404);
    expect(r.json.errors[0].extras.field).toBe("tools.0.function.graph_ids.0");
    expect(seen(graph).filter((x) => x.url === "/v1/chat")).toHaveLength(0);
    // The owner's own tool call goes through.
    expect((await A.call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "q" }], tools: [{ type: "graph", function: { graph_ids: [graph], subqueries: false } }] })).status).toBe(200);
  });

  test("a chat vision tool whose variables name another agent's file: 404", async () => {
    const { a, B } = await twoAgents();
    const file = (await upload(a.secret)).json.id;
    const r = await B.call("POST", "/v1/chat", {
      model: "palmyra-x5", messages: [{ role: "user", content: "{{img}}" }],
      tools: [{ type: "vision", function: { model: "palmyra-vision", variables: [{ name: "img", file_id: file }] } }],
    });
    expect(r.status).toBe(404);
    expect(r.json.errors[0].extras.field).toBe("tools.0.function.variables.0.file_id");
    expect(seen(file).filter((x) => x.url === "/v1/chat")).toHaveLength(0);
  });

  test("POST /v1/files?graphId=<another agent's graph>: 404; the query is never forwarded", async () => {
    const { A, b } = await twoAgents();
    const graph = (await A.call("POST", "/v1/graphs", { name: "a" })).json.id;
    const before = rig.received.length;
    const r = await upload(b.secret, `?graphId=${graph}`);
    expect(r.status).toBe(404);
    expect(r.json.errors[0].extras.field).toBe("graphId");
    expect(rig.received.slice(before)).toHaveLength(0);
    // A query parameter Writer does not take is refused, not passed on.
    const odd = await upload(b.secret, `?graph_id=${graph}`);
    expect(odd.status).toBe(400);
    expect(odd.json.errors[0].extras.field).toBe("graph_id");
    // Given twice (one of them mine): refused, so Writer cannot read the other one.
    const mine = (await as(b.secret).call("POST", "/v1/graphs", { name: "b" })).json.id;
    const twice = await upload(b.secret, `?graphId=${mine}&graphId=${graph}`);
    expect(twice.status).toBe(400);
  });

  test("applications and jobs with inputs[].value naming another agent's file: 404 (text values pass)", async () => {
    const { a, B } = await twoAgents();
    const file = (await upload(a.secret)).json.id;
    for (const path of [`/v1/applications/${APP}`, `/v1/applications/${APP}/jobs`]) {
      const r = await B.call("POST", path, { inputs: [{ id: "doc", value: ["some text", file] }] });
      expect([path, r.status, r.json.errors[0].extras.field]).toEqual([path, 404, "inputs.0.value.1"]);
    }
    expect(seen(file).filter((x) => x.url.startsWith("/v1/applications"))).toHaveLength(0);
    expect((await B.call("POST", `/v1/applications/${APP}`, { inputs: [{ id: "topic", value: ["plain text"] }] })).status).toBe(200);
  });

  test("a chat-only agent's tools need their capabilities: 403 naming each", async () => {
    const c = as((await rig.agent("chat-only", ["chat"])).secret);
    const graph = (await as((await rig.agent("g", ["knowledge_graph"])).secret).call("POST", "/v1/graphs", { name: "g" })).json.id;
    const before = rig.received.length;
    for (const [tool, capability] of [
      [{ type: "graph", function: { graph_ids: [graph], subqueries: false } }, "knowledge_graph"],
      [{ type: "web_search", function: { include_domains: [], exclude_domains: [] } }, "tools_web_search"],
      [{ type: "vision", function: { model: "palmyra-vision", variables: [] } }, "vision"],
      [{ type: "translation", function: { model: "palmyra-translate", source_language_code: "en", target_language_code: "fr" } }, "translation"],
    ] as const) {
      const r = await c.call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "q" }], tools: [tool] });
      expect([tool.type, r.status]).toEqual([tool.type, 403]);
      expect(r.json.errors[0].description).toContain(`"${capability}"`);
    }
    // A tool type Writer does not document is refused (it may open what a capability guards).
    const unknown = await c.call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "q" }], tools: [{ type: "code_interpreter" }] });
    expect(unknown.status).toBe(400);
    expect(rig.received.slice(before)).toHaveLength(0);
    // Tools that need nothing more pass.
    expect((await c.call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "q" }], tools: [{ type: "function", function: { name: "f", parameters: {} } }] })).status).toBe(200);
  });

  test("a body with a duplicated key is forwarded as validated, never as the raw bytes", async () => {
    const { A, B } = await twoAgents();
    const theirs = (await A.call("POST", "/v1/graphs", { name: "a" })).json.id;
    const mine = (await B.call("POST", "/v1/graphs", { name: "b" })).json.id;
    const raw = `{"question":"q","graph_ids":["${mine}"],"graph_ids":["${theirs}"]}`;
    const r = await B.call("POST", "/v1/graphs/question", raw);
    // JSON.parse keeps the last key: the check sees theirs, so it is refused; nothing reaches Writer.
    expect(r.status).toBe(404);
    expect(seen(theirs).filter((x) => x.url === "/v1/graphs/question")).toHaveLength(0);
    const other = `{"question":"q","graph_ids":["${theirs}"],"graph_ids":["${mine}"]}`;
    expect((await B.call("POST", "/v1/graphs/question", other)).status).toBe(200);
    const sent = rig.received.filter((x) => x.url === "/v1/graphs/question").pop()!;
    expect(sent.body).not.toContain(theirs);
    expect(JSON.parse(sent.body).graph_ids).toEqual([mine]);
  });
});

describe("lists show the caller's objects only", () => {
  test("B lists graphs when A owns the first pages: no id of A's anywhere; writer-sdk iterates exactly B's", async () => {
    const { A, b, B } = await twoAgents();
    const bs: string[] = [];
    for (let i = 0; i < 3; i++) bs.push((await B.call("POST", "/v1/graphs", { name: `b${i}` })).json.id);
    const as_: string[] = [];
    for (let i = 0; i < 12; i++) as_.push((await A.call("POST", "/v1/graphs", { name: `a${i}` })).json.id);
    const page = await B.call("GET", "/v1/graphs?limit=2");
    for (const id of as_) expect(page.text).not.toContain(id);
    expect(page.json.data.map((g: any) => g.id)).toEqual([bs[2], bs[1]]);
    expect(page.json).toMatchObject({ has_more: true, first_id: bs[2], last_id: bs[1] });
    // Another agent's id is not a cursor either.
    expect((await B.call("GET", `/v1/graphs?after=${as_[0]}`)).status).toBe(404);
    const client = new Writer({ apiKey: b.secret, baseURL: rig.url, maxRetries: 0 });
    const seenIds: string[] = [];
    for await (const g of client.graphs.list({ limit: 1 })) seenIds.push(g.id);
    expect(seenIds.filter((id) => bs.includes(id)).sort()).toEqual([...bs].sort());
    expect(seenIds.some((id) => as_.includes(id))).toBe(false);
    const back: string[] = [];
    for await (const g of client.graphs.list({ limit: 1, order: "asc" })) back.push(g.id);
    expect(back.filter((id) => bs.includes(id))).toEqual(bs);
  });

  test("jobs list in Writer's shape, counting the caller's jobs only", async () => {
    const { A, B } = await twoAgents();
    const mine: string[] = [];
    for (let i = 0; i < 2; i++) mine.push((await B.call("POST", `/v1/applications/${APP}/jobs`, { inputs: [] })).json.id);
    for (let i = 0; i < 5; i++) await A.call("POST", `/v1/applications/${APP}/jobs`, { inputs: [] });
    const r = await B.call("GET", `/v1/applications/${APP}/jobs?limit=1&offset=1`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(["pagination", "result", "totalCount"]);
    expect(r.json.totalCount).toBe(2);
    expect(r.json.pagination).toEqual({ offset: 1, limit: 1 });
    expect(r.json.result.map((j: any) => j.id)).toEqual([mine[0]]);
  });

  test("GET /v1/applications/{id}/graphs shows the caller's graphs; a PUT keeps the other agents' graphs", async () => {
    const { A, B } = await twoAgents();
    const ga = (await A.call("POST", "/v1/graphs", { name: "a" })).json.id;
    const gb = (await B.call("POST", "/v1/graphs", { name: "b" })).json.id;
    expect((await A.call("PUT", `/v1/applications/${APP}/graphs`, { graph_ids: [ga] })).json.graph_ids).toEqual([ga]);
    const put = await B.call("PUT", `/v1/applications/${APP}/graphs`, { graph_ids: [gb] });
    expect(put.json.graph_ids).toEqual([gb]);
    expect((await B.call("GET", `/v1/applications/${APP}/graphs`)).json.graph_ids).toEqual([gb]);
    // B's PUT did not take A's graph off the application.
    expect((await A.call("GET", `/v1/applications/${APP}/graphs`)).json.graph_ids).toEqual([ga]);
  });
});

describe("tokens are always counted, and budgets cannot be overrun", () => {
  const streamChat = (secret: string, maxTokens: number, readUntil: "usage" | "half" | "end", base = rig.url) =>
    new Promise<number>((ok, fail) => {
      const u = new URL(base + "/v1/chat");
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" } }, (res) => {
        let text = "";
        let chunks = 0;
        res.on("data", (d: Buffer) => {
          text += d.toString();
          chunks = (text.match(/\n\n/g) ?? []).length;
          if ((readUntil === "usage" && text.includes('"usage"')) || (readUntil === "half" && chunks >= maxTokens / 2)) {
            req.destroy();
            ok(chunks);
          }
        });
        res.on("end", () => ok(chunks));
        res.on("error", () => ok(chunks));
      });
      req.on("error", () => undefined);
      req.end(JSON.stringify({ model: "palmyra-x5", messages: [{ role: "user", content: "tell me" }], max_tokens: maxTokens, stream: true, ...(readUntil === "usage" ? { stream_options: { include_usage: true } } : {}) }));
      setTimeout(() => fail(new Error("stream did not finish")), 20_000);
    });

  test("streams read to their usage chunk, then abandoned (8 x 528 tokens): charged what Writer reported", async () => {
    const c = await rig.agent("streams", ["chat"]);
    await Promise.all(Array.from({ length: 8 }, () => streamChat(c.secret, 528, "usage")));
    await new Promise((ok) => setTimeout(ok, 200));
    const t = await usageOf(c.id);
    expect(t.completion_tokens).toBe(8 * 528);
    expect(t.estimated_tokens).toBe(0);
  });

  test("a stream abandoned half-way is charged what was streamed, marked estimated", async () => {
    // A stand-in that streams like a model (a token every 5 ms), so half of it is all the client gets.
    const slow = await startGatewayRig({}, { cannedChunkIntervalMs: 5 });
    const c = await slow.agent("half", ["chat"]);
    const read = await streamChat(c.secret, 400, "half", slow.url);
    expect(read).toBeGreaterThanOrEqual(200);
    await new Promise((ok) => setTimeout(ok, 300));
    const t = (await slow.gw.api.get(`/v1/admin/agents/${c.id}/usage`)).body.totals;
    await slow.close();
    expect(t.completion_tokens).toBeGreaterThan(0);
    expect(t.completion_tokens).toBeLessThan(400);
    expect(t.estimated_tokens).toBe(t.prompt_tokens + t.completion_tokens);
    // A client that did not ask for usage never sees the chunk the gateway asked for.
    const full = await as((await rig.agent("no-ask", ["chat"])).secret).call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "x" }], stream: true, max_tokens: 3 });
    expect(full.text).not.toContain('"usage"');
    expect(full.text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  test("answers without usage (completions, graph questions, applications, vision, translation) are counted as estimates", async () => {
    const c = await rig.agent("no-usage", ALL);
    const C = as(c.secret);
    const g = (await C.call("POST", "/v1/graphs", { name: "g" })).json.id;
    const f = (await upload(c.secret)).json.id;
    const calls: [string, unknown][] = [
      ["/v1/completions", { model: "palmyra-x5", prompt: "once upon a time", max_tokens: 10 }],
      ["/v1/graphs/question", { question: "what is in it?", graph_ids: [g] }],
      [`/v1/applications/${APP}`, { inputs: [{ id: "t", value: ["write me a poem"] }] }],
      ["/v1/vision", { model: "palmyra-vision", prompt: "describe {{i}}", variables: [{ name: "i", file_id: f }] }],
      ["/v1/translation", { model: "palmyra-translate", text: "hello world", source_language_code: "en", target_language_code: "fr" }],
    ];
    let before = 0;
    for (const [path, body] of calls) {
      const r = await C.call("POST", path, body);
      expect([path, r.status]).toEqual([path, 200]);
      expect(r.text).not.toContain('"usage"');
      const t = await usageOf(c.id);
      const now = t.prompt_tokens + t.completion_tokens;
      expect([path, now > before]).toEqual([path, true]);
      expect(t.estimated_tokens).toBe(now);
      before = now;
    }
    // Streamed: a graph question is SSE, counted the same way.
    const s = await C.call("POST", "/v1/graphs/question", { question: "streamed?", graph_ids: [g], stream: true });
    expect(s.headers.get("content-type")).toContain("text/event-stream");
    expect(s.text).toContain('"answer"');
    const t = await usageOf(c.id);
    expect(t.prompt_tokens + t.completion_tokens).toBeGreaterThan(before);
  });

  async function limitedKey(limits: object) {
    const a = await rig.agent(`limited-${Math.random()}`, ["chat", "completions"]);
    const k = await rig.gw.api.post(`/v1/admin/agents/${a.id}/keys`, { name: "k", ...limits });
    expect(k.status).toBe(201);
    return { agentId: a.id, keyId: k.body.id as string, secret: k.body.secret as string };
  }
  const keyUsage = async (k: { agentId: string; keyId: string }) => (await rig.gw.api.get(`/v1/admin/agents/${k.agentId}/keys/${k.keyId}/usage`)).body.totals;

  test("max_tokens 100000 on a 50-token budget: refused (400 naming max_tokens), nothing spent", async () => {
    const k = await limitedKey({ token_budget: { tokens: 50, period: "day" } });
    const before = rig.received.length;
    const r = await as(k.secret).call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hi" }], max_tokens: 100_000 });
    expect(r.status).toBe(400);
    expect(r.json.errors[0].extras.field).toBe("max_tokens");
    expect(rig.received.slice(before)).toHaveLength(0);
    const t = await keyUsage(k);
    expect(t.prompt_tokens + t.completion_tokens).toBe(0);
  });

  test("50 concurrent clients with large max_tokens on a token budget and 10 on 30 tokens/min: overshoot 0", async () => {
    const budget = await limitedKey({ token_budget: { tokens: 2000, period: "day" } });
    const big = await Promise.all(Array.from({ length: 50 }, () => as(budget.secret).call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "go" }], max_tokens: 300 })));
    const okBig = big.filter((r) => r.status === 200);
    expect(okBig.length).toBeGreaterThan(0);
    expect(big.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    const spent = (await keyUsage(budget));
    expect(spent.prompt_tokens + spent.completion_tokens).toBeLessThanOrEqual(2000);
    expect(spent.prompt_tokens + spent.completion_tokens).toBe(okBig.reduce((n, r) => n + r.json.usage.total_tokens, 0));

    const tpm = await limitedKey({ tokens_per_minute: 30 });
    const ten = await Promise.all(Array.from({ length: 10 }, () => as(tpm.secret).call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "go" }], max_tokens: 8 })));
    const okTen = ten.filter((r) => r.status === 200);
    expect(okTen.length).toBeGreaterThan(0);
    const used = okTen.reduce((n, r) => n + r.json.usage.total_tokens, 0);
    expect(used).toBeLessThanOrEqual(30);
    const refused = ten.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  test("several answers in one request (chat n, completions best_of) reserve max_tokens each: overshoot 0", async () => {
    const tpm = await limitedKey({ tokens_per_minute: 100 });
    const ten = await Promise.all(Array.from({ length: 10 }, () => as(tpm.secret).call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "go" }], max_tokens: 5, n: 4 })));
    const ok = ten.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(ok[0].json.choices).toHaveLength(4);
    expect(ok.reduce((n, r) => n + r.json.usage.total_tokens, 0)).toBeLessThanOrEqual(100);
    const never = await as(tpm.secret).call("POST", "/v1/completions", { model: "palmyra-x5", prompt: "x", max_tokens: 30, best_of: 4 });
    expect([never.status, never.json.errors[0].extras.field]).toEqual([400, "max_tokens"]);
  });

  test("a limited key's chat without max_tokens is sent with the reserved bound; a 429 past 60 s says x-should-retry: false", async () => {
    const k = await limitedKey({ token_budget: { tokens: 5000, period: "month" } });
    expect((await as(k.secret).call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
    const sent = rig.received.filter((x) => x.url === "/v1/chat").pop()!;
    expect(JSON.parse(sent.body).max_tokens).toBe(1024);
    const small = await limitedKey({ token_budget: { tokens: 40, period: "month" } });
    expect((await as(small.secret).call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hi" }], max_tokens: 20 })).status).toBe(200);
    const r = await as(small.secret).call("POST", "/v1/chat", { model: "palmyra-x5", messages: [{ role: "user", content: "hi" }], max_tokens: 20 });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(r.headers.get("x-should-retry")).toBe("false");
  });
});

test("Writer's Python client (writer-sdk 3.0.0): it iterates exactly its own graphs, and a stream it stops reading at [DONE] is charged what Writer reported", async () => {
  const python = execFileSync("bash", [join(__dirname, "..", "..", "scripts", "ensure-python-venv")], { encoding: "utf8" }).trim().split("\n").pop()!;
  const { a, b, A, B } = await twoAgents(["knowledge_graph", "chat"]);
  const mine: string[] = [];
  for (let i = 0; i < 3; i++) mine.push((await B.call("POST", "/v1/graphs", { name: `py-b${i}` })).json.id);
  const theirs: string[] = [];
  for (let i = 0; i < 5; i++) theirs.push((await A.call("POST", "/v1/graphs", { name: `py-a${i}` })).json.id);
  const script = `
import json, sys
from writerai import Writer
c = Writer(api_key=sys.argv[2], base_url=sys.argv[1], max_retries=0)
ids = [g.id for g in c.graphs.list(limit=1)]
chunks = 0
for ch in c.chat.chat(model="palmyra-x5", messages=[{"role": "user", "content": "hi"}], max_tokens=40, stream=True, stream_options={"include_usage": True}):
    chunks += 1
print(json.dumps({"ids": ids, "chunks": chunks}))
`;
  // Not execFileSync: the gateway answers from this very process.
  const { stdout } = await promisify(execFile)(python, ["-c", script, rig.url, b.secret], { encoding: "utf8", timeout: 30_000 });
  const out = JSON.parse(stdout.trim().split("\n").pop()!);
  expect(out.ids.filter((id: string) => !theirs.includes(id)).sort()).toEqual(expect.arrayContaining([...mine].sort()));
  expect(out.ids.some((id: string) => theirs.includes(id))).toBe(false);
  expect(out.chunks).toBeGreaterThanOrEqual(40);
  await new Promise((ok) => setTimeout(ok, 300));
  const t = await usageOf(b.id);
  expect(t.completion_tokens).toBe(40);
  expect(t.estimated_tokens).toBe(0);
  void a;
});

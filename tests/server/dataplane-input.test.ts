// Data-plane bodies are validated with schemas: crafted JSON is a 400 naming the field, never a 500.
import { useApp } from "../helpers/app";

const srv = useApp();
let secret: string;
beforeAll(async () => {
  const a = await srv.api.post("/v1/admin/agents", { name: "dp-input", capabilities: ["completions", "knowledge_graph", "tools_web_search", "translation", "chat"] });
  secret = a.body.default_key.secret;
});

const CRAFTED: [string, string, string, unknown][] = [
  ["POST", "/v1/completions", "prompt", { model: "m", prompt: { toString: 1 } }],
  ["POST", "/v1/graphs", "name", { name: { toString: 1 } }],
  ["POST", "/v1/tools/web-search", "query", { query: { toString: 1 } }],
  ["POST", "/v1/translation", "text", { model: "m", text: { toString: 1 }, source_language_code: "es", target_language_code: "en" }],
  ["POST", "/v1/chat", "messages.0.content", { model: "m", messages: [{ role: "user", content: { toString: 1 } }] }],
  ["POST", "/v1/chat", "model", { model: ["m"], messages: [{ role: "user", content: "x" }] }],
];

test.each(CRAFTED)("%s %s with an object where a string goes is 400 naming %s", async (method, path, field, body) => {
  const r = await srv.as(secret).call(method, path, body);
  expect(r.status).toBe(400);
  expect(r.body.errors.map((e: any) => e.extras.field)).toContain(field);
});

test("a prompt nested 100,000 arrays deep is 400", async () => {
  const n = 100000;
  const r = await srv.as(secret).call("POST", "/v1/completions", `{"model":"m","prompt":${"[".repeat(n)}${"]".repeat(n)}}`);
  expect(r.status).toBe(400);
});

test("a valid body still answers", async () => {
  const r = await srv.as(secret).call("POST", "/v1/completions", { model: "palmyra-x5", prompt: "Once" });
  expect(r.status).toBe(200);
});

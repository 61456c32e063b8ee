// How close the gateway's token estimate (used where Writer reports no usage) is to a real
// tokenizer: 4 UTF-8 bytes a token against o200k_base (js-tiktoken), on English prose, Chinese,
// code and a chat-style JSON body (measured: +15%, +12%, -3%). Writer's own tokenizer is not published; the estimate should
// err high rather than low, and never wildly.
import { getEncoding } from "js-tiktoken";
import { estimateTokens, textBytes } from "../../server/dataplane/usage";

const enc = getEncoding("o200k_base");
const SAMPLES: Record<string, string> = {
  english: "Writer lets an organisation's admins create API agents in AI Studio. An agent has a name, a description and a set of capabilities: which Writer API endpoints its keys may call. Each agent has API keys, a default one named Production plus any number more, each scoped to all teams or to one team with a key owner. A key's secret is shown once, at creation, and never again. ".repeat(20),
  chinese: "我们的平台团队正在构建一个网关，它在每个请求上执行声明的能力、团队范围和预算。每个密钥只显示一次，之后再也不会显示。".repeat(30),
  code: "export function reservationFor(e: Endpoint, body: Record<string, unknown> | undefined) {\n  if (!e.generates) return { tokens: 0 };\n  const messages = Array.isArray(body?.messages) ? body.messages.length : 1;\n  return { tokens: textBytes(body) + 8 * messages };\n}\n".repeat(20),
};

test.each(Object.entries(SAMPLES))("%s: the estimate is within -5% .. +30% of o200k_base", (name, text) => {
  const real = enc.encode(text).length;
  const est = estimateTokens(Buffer.byteLength(text));
  const ratio = est / real;
  if (process.env.SHOW_RATIOS) console.log(name, real, est, ratio.toFixed(3));
  expect(ratio).toBeGreaterThanOrEqual(0.95);
  expect(ratio).toBeLessThanOrEqual(1.3);
});

test("a chat body's text is what is counted, not its JSON (ids, roles and model are not text)", () => {
  const body = { model: "palmyra-x5", messages: [{ role: "user", content: SAMPLES.english }], tools: [{ type: "graph", function: { graph_ids: ["5b1c3f0e-2a4d-4e6f-8a1b-3c5d7e9f0a12"] } }] };
  expect(textBytes(body)).toBe(Buffer.byteLength(SAMPLES.english));
});

import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { ENDPOINTS } from "./endpoints";
import { SSE_DONE, sseEvent } from "./sse";
import type { Upstream, UpstreamRequest, UpstreamResponse } from "./upstream";

/**
 * writer-local's own answers for Writer's data-plane endpoints, in Writer's documented shapes
 * (checked against writer-sdk's types), served as an Upstream: the embedded default (no
 * --upstream) and the stand-in for Writer's API in tests and benchmarks. Generation answers carry
 * `usage`; with `stream: true` chat, completions and applications answer Server-Sent Events in
 * Writer's chunk format, ending with a usage chunk and `[DONE]`. Bodies arrive already validated
 * by the contract's schemas (api/dataplane.ts).
 */

const MODELS_JSON = Buffer.from(JSON.stringify({
  models: [
    { id: "palmyra-x5", name: "Palmyra X5" },
    { id: "palmyra-x4", name: "Palmyra X4" },
    { id: "palmyra-fin", name: "Palmyra Fin" },
    { id: "palmyra-med", name: "Palmyra Med" },
    { id: "palmyra-creative", name: "Palmyra Creative" },
  ],
}));
const EPOCH = "2025-01-01T00:00:00.000Z";
/** Stable ids derived from a seed, so canned objects look the same on every call. */
const fakeId = (seed: string) => {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const page = <T extends { id: string }>(data: T[]) => ({ data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
const graph = (id: string, name = "writer-local graph") => ({
  id, created_at: EPOCH, name, description: "", type: "manual",
  file_status: { completed: 0, failed: 0, in_progress: 0, total: 0 }, urls: [],
});
const file = (id: string) => ({ id, created_at: EPOCH, graph_ids: [], name: "writer-local.txt", status: "completed" });
const application = (id: string) => ({
  id, name: "writer-local app", type: "generation", status: "deployed", created_at: EPOCH, updated_at: EPOCH, last_deployed_at: EPOCH, inputs: [],
});
const job = (id: string) => ({
  id, status: "completed", created_at: EPOCH, updated_at: EPOCH, application_id: fakeId("app"),
  data: { title: "writer-local", suggestion: "writer-local job result" },
});
const tokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));
const usage = (prompt: string, completion: string) => {
  const prompt_tokens = tokens(prompt);
  const completion_tokens = tokens(completion);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
};

type Body = Record<string, any>;
interface Call {
  params: Record<string, string>;
  body: Body;
  upload?: Readable;
}
type Answer = { status?: number; json: unknown } | { status?: number; sse: string[] } | { status?: number; bytes: Buffer; contentType: string };

/** The generated text: the canned sentence, or `max_tokens` words of it (what a benchmark asks for to get long streams). */
function generated(said: string, maxTokens: unknown): string[] {
  const words = `writer-local reply to: ${said}`.split(/\s+/).filter(Boolean);
  const n = typeof maxTokens === "number" && maxTokens > 0 ? Math.min(Math.floor(maxTokens), 100_000) : words.length;
  return Array.from({ length: n }, (_, i) => words[i % words.length] + (i < n - 1 ? " " : ""));
}

function chat(b: Body): Answer {
  const last = b.messages[b.messages.length - 1];
  const said = typeof last?.content === "string" ? last.content.slice(0, 200) : "";
  const words = generated(said, b.max_tokens);
  const content = words.join("");
  const id = randomUUID();
  const created = Math.floor(Date.now() / 1000);
  const u = usage(said, content);
  if (b.stream) {
    const base = { id, object: "chat.completion.chunk", created, model: b.model };
    const chunks = words.map((w, i) => sseEvent({ ...base, choices: [{ index: 0, delta: i === 0 ? { role: "assistant", content: w } : { content: w }, finish_reason: null }] }));
    chunks.push(sseEvent({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }));
    chunks.push(sseEvent({ ...base, choices: [], usage: u }));
    return { sse: [...chunks, SSE_DONE] };
  }
  return {
    json: {
      id, object: "chat.completion", created, model: b.model, usage: u,
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content, refusal: null } }],
    },
  };
}

function completion(b: Body): Answer {
  const words = generated(b.prompt.slice(0, 200), b.max_tokens);
  const u = usage(b.prompt, words.join(""));
  if (b.stream) return { sse: [...words.map((w) => sseEvent({ value: w })), sseEvent({ value: "", usage: u }), SSE_DONE] };
  return { json: { choices: [{ text: `writer-local completion of: ${b.prompt.slice(0, 200)}` }], model: b.model, usage: u } };
}

function generateApplication(b: Body): Answer {
  const said = JSON.stringify(b.inputs ?? []).slice(0, 200);
  const content = "writer-local generated content";
  const u = usage(said, content);
  if (b.stream) return { sse: [sseEvent({ delta: { title: "writer-local", content } }), sseEvent({ delta: {}, usage: u }), SSE_DONE] };
  return { json: { title: "writer-local", suggestion: content, usage: u } };
}

/** What the canned API has created, newest last, so its lists and reads show it like Writer's would (bounded). */
class Made<T extends { id: string }> {
  private items = new Map<string, T>();
  constructor(private max = 10_000) {}
  add(t: T): T {
    this.items.set(t.id, t);
    if (this.items.size > this.max) this.items.delete(this.items.keys().next().value!);
    return t;
  }
  get(id: string): T | undefined {
    return this.items.get(id);
  }
  delete(id: string): void {
    this.items.delete(id);
  }
  /** Newest first, as Writer's lists default to. */
  list(): T[] {
    return [...this.items.values()].reverse();
  }
}

async function drain(s: Readable | undefined): Promise<void> {
  if (!s) return;
  for await (const _ of s) {
    /* the upload is counted by the gateway's limit and otherwise not kept */
  }
}

function answers(): Record<string, (c: Call) => Answer | Promise<Answer>> {
  const graphs = new Made<ReturnType<typeof graph>>();
  const files = new Made<ReturnType<typeof file>>();
  const jobs = new Made<ReturnType<typeof job>>();
  return {
  "GET /v1/models": () => ({ bytes: MODELS_JSON, contentType: "application/json" }),
  "POST /v1/chat": (c) => chat(c.body),
  "POST /v1/completions": (c) => completion(c.body),
  "GET /v1/graphs": () => ({ json: page([...graphs.list(), graph(fakeId("graph"))]) }),
  "POST /v1/graphs": (c) => ({ json: graphs.add(graph(randomUUID(), c.body.name ?? "graph")) }),
  "POST /v1/graphs/question": (c) => ({ json: { question: c.body.question, answer: "writer-local has no knowledge yet", sources: [], usage: usage(c.body.question, "writer-local has no knowledge yet") } }),
  "GET /v1/graphs/{graph_id}": (c) => ({ json: graphs.get(c.params.graph_id) ?? graph(c.params.graph_id) }),
  "PUT /v1/graphs/{graph_id}": (c) => ({ json: graphs.add({ ...(graphs.get(c.params.graph_id) ?? graph(c.params.graph_id)), ...(c.body.name ? { name: c.body.name } : {}) }) }),
  "DELETE /v1/graphs/{graph_id}": (c) => (graphs.delete(c.params.graph_id), { json: { id: c.params.graph_id, deleted: true } }),
  "POST /v1/graphs/{graph_id}/file": (c) => ({ json: { ...file(c.body.file_id), graph_ids: [c.params.graph_id] } }),
  "DELETE /v1/graphs/{graph_id}/file/{file_id}": (c) => ({ json: { id: c.params.file_id, deleted: true } }),
  "GET /v1/files": () => ({ json: page([...files.list(), file(fakeId("file"))]) }),
  "POST /v1/files": async (c) => {
    await drain(c.upload);
    return { json: files.add(file(randomUUID())) };
  },
  "GET /v1/files/{file_id}": (c) => ({ json: files.get(c.params.file_id) ?? file(c.params.file_id) }),
  "DELETE /v1/files/{file_id}": (c) => (files.delete(c.params.file_id), { json: { id: c.params.file_id, deleted: true } }),
  "GET /v1/files/{file_id}/download": () => ({ bytes: Buffer.from("writer-local file\n"), contentType: "application/octet-stream" }),
  "POST /v1/files/retry": () => ({ json: { success: true } }),
  "GET /v1/applications": () => ({ json: page([application(fakeId("app"))]) }),
  "GET /v1/applications/{application_id}": (c) => ({ json: application(c.params.application_id) }),
  "POST /v1/applications/{application_id}": (c) => generateApplication(c.body),
  "POST /v1/applications/{application_id}/jobs": () => {
    const j = jobs.add({ ...job(randomUUID()), status: "in_progress" });
    return { status: 202, json: { id: j.id, status: j.status, created_at: new Date().toISOString() } };
  },
  "GET /v1/applications/{application_id}/jobs": () => {
    const result = [...jobs.list(), job(fakeId("job"))];
    return { json: { result, pagination: { page: 1, items: result.length } } };
  },
  "GET /v1/applications/jobs/{job_id}": (c) => ({ json: jobs.get(c.params.job_id) ?? job(c.params.job_id) }),
  "POST /v1/applications/jobs/{job_id}/retry": (c) => ({ status: 202, json: { id: c.params.job_id, status: "in_progress", created_at: new Date().toISOString() } }),
  "GET /v1/applications/{application_id}/graphs": () => ({ json: { graph_ids: [] } }),
  "PUT /v1/applications/{application_id}/graphs": (c) => ({ json: { graph_ids: c.body.graph_ids } }),
  "POST /v1/tools/pdf-parser/{file_id}": () => ({ json: { content: "writer-local parsed text" } }),
  "POST /v1/tools/web-search": (c) => ({ json: { query: c.body.query, answer: "writer-local search answer", sources: [] } }),
  "POST /v1/vision": () => ({ json: { data: "writer-local sees an image" } }),
  "POST /v1/translation": (c) => ({ json: { data: `writer-local translation of: ${String(c.body.text).slice(0, 200)}` } }),
  };
}

/** Matches a request path to an endpoint template and its parameters. */
const MATCHERS = ENDPOINTS.map((e) => {
  const names: string[] = [];
  const re = new RegExp(`^${e.path.replace(/\{(\w+)\}/g, (_m, n: string) => (names.push(n), "([^/]+)"))}$`);
  return { key: `${e.method} ${e.path}`, method: e.method, re, names };
});

function respond(a: Answer, chunkIntervalMs: number): UpstreamResponse {
  const status = a.status ?? 200;
  if ("sse" in a) {
    // One event per read, so a slow client applies backpressure all the way here; paced like a
    // model's tokens when asked to.
    const events = chunkIntervalMs > 0
      ? (async function* () {
          for (const [i, e] of a.sse.entries()) {
            if (i > 0) await new Promise((ok) => setTimeout(ok, chunkIntervalMs));
            yield e;
          }
        })()
      : a.sse;
    return { status, headers: { "content-type": "text/event-stream", "cache-control": "no-cache" }, body: Readable.from(events, { objectMode: false }) };
  }
  const bytes = "bytes" in a ? a.bytes : Buffer.from(typeof a.json === "string" ? a.json : JSON.stringify(a.json));
  const type = "bytes" in a ? a.contentType : "application/json";
  return { status, headers: { "content-type": type, "content-length": String(bytes.length) }, bytes };
}

/**
 * `latencyMs`: how long each answer waits before it starts; `chunkIntervalMs`: the time between two
 * events of a stream. Both model a remote model API (tests and benchmarks); both default to 0.
 */
export function cannedUpstream(opts: { latencyMs?: number; chunkIntervalMs?: number } = {}): Upstream {
  const ANSWERS = answers();
  const latency = opts.latencyMs ?? 0;
  const interval = opts.chunkIntervalMs ?? 0;
  /** At once, unless the answer itself waits (an upload being read). */
  const answer = (r: UpstreamRequest): UpstreamResponse | Promise<UpstreamResponse> => {
    const path = r.path.split("?")[0];
    for (const m of MATCHERS) {
      if (m.method !== r.method) continue;
      const hit = m.re.exec(path);
      if (!hit) continue;
      const params = Object.fromEntries(m.names.map((n, i) => [n, decodeURIComponent(hit[i + 1])]));
      const body = typeof r.body === "string" && r.body.trim() ? (JSON.parse(r.body) as Body) : {};
      const a = ANSWERS[m.key]({ params, body, upload: typeof r.body === "object" ? r.body : undefined });
      return a instanceof Promise ? a.then((x) => respond(x, interval)) : respond(a, interval);
    }
    return respond({ status: 404, json: { tpe: "NotFound", errors: [{ description: `no route ${r.method} ${path}`, key: "fail.notFound.resource", extras: {} }], extras: {} } }, 0);
  };
  return {
    request(r) {
      if (latency > 0) return new Promise<void>((ok) => setTimeout(ok, latency)).then(() => answer(r));
      return answer(r);
    },
    async close() {},
  };
}

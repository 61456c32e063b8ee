import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { ENDPOINT_LIST, type EndpointName } from "../../api";
import type { Upstream, UpstreamRequest, UpstreamResponse } from "./upstream";
import { SSE_DONE, sseEvent } from "./usage";

/**
 * writer-local's own answers for Writer's data-plane endpoints, served as an Upstream: the embedded
 * default (no --upstream) and the stand-in for Writer's API in tests and benchmarks. It is never
 * kinder than Writer: the shapes and omissions are writer-sdk's types (2.3.2) and Writer's docs.
 * - `usage` only where Writer sends it: a chat answer, and a chat stream's last chunk only with
 *   `stream_options.include_usage`. Completions (`{choices, model}`, chunks `{value}`), graph
 *   questions, applications, vision and translation carry none.
 * - A chat answer never spends more than its max_tokens (one token per generated word).
 * - Lists are Writer's: cursor pages over everything created (whoever created it) with `limit`,
 *   `order`, `after`, `before`; jobs as `{result, totalCount, pagination: {offset, limit}}`.
 * - Unknown objects are 404; streamed answers (chat, completions, graph questions, applications)
 *   are Server-Sent Events with no `id:` lines, ending with `[DONE]`.
 * Bodies arrive validated by the contract's schemas (api/dataplane.ts).
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

type Body = Record<string, any>;
interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Body;
  upload?: Readable;
}
type Answer = { status?: number; json: unknown } | { status?: number; sse: string[] } | { status?: number; bytes: Buffer; contentType: string };

const notFound = (what: string): Answer => ({
  status: 404, json: { tpe: "NotFound", errors: [{ description: `${what} not found`, key: "fail.notFound.resource", extras: {} }], extras: {} },
});
const badRequest = (description: string): Answer => ({
  status: 400, json: { tpe: "BadRequest", errors: [{ description, key: "fail.badRequest.invalidParameters", extras: {} }], extras: {} },
});
const wordsOf = (s: string) => s.split(/\s+/).filter(Boolean);
/** Text a model would read: what the canned prompt_tokens count (4 bytes a token, as Writer's own are unknown). */
const promptTokens = (messages: Body[]) =>
  messages.reduce((n, m) => n + 3 + Math.ceil(Buffer.byteLength(typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? "")) / 4), 0);

/** The generated words: the canned sentence, or `max_tokens` words of it (what a benchmark asks for to get long streams). */
function generated(said: string, maxTokens: unknown): string[] {
  const words = wordsOf(`writer-local reply to: ${said}`);
  const n = typeof maxTokens === "number" && maxTokens > 0 ? Math.min(Math.floor(maxTokens), 100_000) : words.length;
  return Array.from({ length: n }, (_, i) => words[i % words.length] + (i < n - 1 ? " " : ""));
}

function chat(b: Body): Answer {
  const last = b.messages[b.messages.length - 1];
  const said = typeof last?.content === "string" ? last.content.slice(0, 200) : "";
  const words = generated(said, b.max_tokens);
  const id = randomUUID();
  const created = Math.floor(Date.now() / 1000);
  const prompt_tokens = promptTokens(b.messages);
  // `n` answers, each its own completion: Writer counts the tokens of all of them.
  const n = typeof b.n === "number" ? b.n : 1;
  const usage = { prompt_tokens, completion_tokens: n * words.length, total_tokens: prompt_tokens + n * words.length };
  if (b.stream) {
    const base = { id, object: "chat.completion.chunk", created, model: b.model };
    const chunks = words.map((w, i) => sseEvent({ ...base, choices: [{ index: 0, delta: i === 0 ? { role: "assistant", content: w } : { content: w }, finish_reason: null }] }));
    chunks.push(sseEvent({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }));
    if (b.stream_options?.include_usage === true) chunks.push(sseEvent({ ...base, choices: [], usage }));
    return { sse: [...chunks, SSE_DONE] };
  }
  return {
    json: {
      id, object: "chat.completion", created, model: b.model, usage,
      choices: Array.from({ length: n }, (_, index) => ({ index, finish_reason: "stop", message: { role: "assistant", content: words.join(""), refusal: null } })),
    },
  };
}

function completion(b: Body): Answer {
  const words = generated(b.prompt.slice(0, 200), b.max_tokens);
  if (b.stream) return { sse: [...words.map((w) => sseEvent({ value: w })), SSE_DONE] };
  return { json: { choices: [{ text: words.join("") }], model: b.model } };
}

function question(b: Body): Answer {
  const answer = "writer-local has no knowledge yet";
  if (b.stream) return { sse: [...wordsOf(answer).map((w) => sseEvent({ data: { question: b.question, answer: `${w} `, sources: [] } })), SSE_DONE] };
  return { json: { question: b.question, answer, sources: [] } };
}

function generateApplication(b: Body): Answer {
  const content = "writer-local generated content";
  if (b.stream) return { sse: [...wordsOf(content).map((w, i) => sseEvent({ delta: { ...(i === 0 ? { title: "writer-local" } : {}), content: `${w} ` } })), SSE_DONE] };
  return { json: { title: "writer-local", suggestion: content } };
}

/** Objects in creation order, paged the way Writer pages them (bounded: the oldest go first). */
class Collection<T extends { id: string; created_at: string }> {
  private items = new Map<string, T>();
  constructor(private max = 100_000) {}
  add(t: T): T {
    this.items.delete(t.id);
    this.items.set(t.id, t);
    if (this.items.size > this.max) this.items.delete(this.items.keys().next().value!);
    return t;
  }
  get(id: string): T | undefined {
    return this.items.get(id);
  }
  delete(id: string): boolean {
    return this.items.delete(id);
  }
  all(): T[] {
    return [...this.items.values()];
  }
  /** Writer's cursor page: newest first by default; `after`/`before` are ids of the listed order. */
  page(q: URLSearchParams, keep: (t: T) => boolean = () => true): Answer {
    const limit = Number(q.get("limit") ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return badRequest("limit must be between 1 and 100");
    const list = this.all().filter(keep);
    if (q.get("order") !== "asc") list.reverse();
    const after = q.get("after");
    const before = q.get("before");
    let from = 0;
    let to = list.length;
    if (after) {
      const i = list.findIndex((t) => t.id === after);
      if (i < 0) return badRequest("after does not name an object of this list");
      from = i + 1;
    }
    if (before) {
      const i = list.findIndex((t) => t.id === before);
      if (i < 0) return badRequest("before does not name an object of this list");
      to = i;
    }
    const window = list.slice(from, to);
    const data = before && !after ? window.slice(-limit) : window.slice(0, limit);
    const has_more = before && !after ? window.length > limit : window.length > limit;
    return { json: { data, has_more, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null } };
  }
}

async function drain(s: Readable | undefined): Promise<void> {
  if (!s) return;
  for await (const _ of s) {
    /* the upload is counted by the gateway's limit and otherwise not kept */
  }
}

const now = () => new Date().toISOString();
/** The organisation's no-code agents (applications are made in AI Studio, never through the API). */
export const CANNED_APPLICATIONS = [
  { id: "5b1c3f0e-2a4d-4e6f-8a1b-3c5d7e9f0a12", name: "writer-local summary", type: "generation", status: "deployed" },
  { id: "9d2e4a6c-8b0f-4d1e-a3c5-e7f9b1d3a5c7", name: "writer-local research", type: "generation", status: "deployed" },
].map((a) => ({ ...a, created_at: "2025-01-01T00:00:00.000Z", updated_at: "2025-01-01T00:00:00.000Z", last_deployed_at: "2025-01-01T00:00:00.000Z", inputs: [] }));
const APPLICATIONS = CANNED_APPLICATIONS;

type Handler = (c: Call) => Answer | Promise<Answer>;

/** One canned answer per endpoint of the table (api/endpoints.ts): the compiler checks none is missing. */
function answers(): Record<EndpointName, Handler> {
  type Graph = { id: string; created_at: string; name: string; description: string; type: string; file_status: Record<string, number>; urls: unknown[] };
  type File = { id: string; created_at: string; name: string; graph_ids: string[]; status: string };
  type Job = { id: string; created_at: string; application_id: string; status: string; updated_at: string; data: unknown };
  const graphs = new Collection<Graph>();
  const files = new Collection<File>();
  const jobs = new Collection<Job>();
  const appGraphs = new Map<string, string[]>();
  const app = (id: string) => APPLICATIONS.find((a) => a.id === id);
  const graphOr404 = (id: string, f: (g: Graph) => Answer): Answer => {
    const g = graphs.get(id);
    return g ? f(g) : notFound(`graph ${id}`);
  };
  const fileOr404 = (id: string, f: (x: File) => Answer): Answer => {
    const x = files.get(id);
    return x ? f(x) : notFound(`file ${id}`);
  };
  const recount = (g: Graph) => {
    const total = files.all().filter((f) => f.graph_ids.includes(g.id)).length;
    g.file_status = { completed: total, failed: 0, in_progress: 0, total };
  };
  return {
    models: () => ({ bytes: MODELS_JSON, contentType: "application/json" }),
    chat: (c) => chat(c.body),
    completions: (c) => completion(c.body),

    graphsList: (c) => graphs.page(c.query),
    graphsCreate: (c) => ({
      json: graphs.add({
        id: randomUUID(), created_at: now(), name: c.body.name ?? "", description: c.body.description ?? "", type: "manual",
        file_status: { completed: 0, failed: 0, in_progress: 0, total: 0 }, urls: [],
      }),
    }),
    graphsQuestion: (c) => {
      const missing = (c.body.graph_ids as string[]).find((id) => !graphs.get(id));
      return missing ? notFound(`graph ${missing}`) : question(c.body);
    },
    graphsGet: (c) => graphOr404(c.params.graph_id, (g) => ({ json: g })),
    graphsUpdate: (c) => graphOr404(c.params.graph_id, (g) => ({
      json: Object.assign(g, c.body.name !== undefined ? { name: c.body.name } : {}, c.body.description !== undefined ? { description: c.body.description } : {}),
    })),
    graphsDelete: (c) => graphOr404(c.params.graph_id, (g) => (graphs.delete(g.id), { json: { id: g.id, deleted: true } })),
    graphsAddFile: (c) => graphOr404(c.params.graph_id, (g) => fileOr404(c.body.file_id, (f) => {
      if (!f.graph_ids.includes(g.id)) f.graph_ids.push(g.id);
      recount(g);
      return { json: f };
    })),
    graphsRemoveFile: (c) => graphOr404(c.params.graph_id, (g) => fileOr404(c.params.file_id, (f) => {
      f.graph_ids = f.graph_ids.filter((x) => x !== g.id);
      recount(g);
      return { json: { id: f.id, deleted: true } };
    })),

    filesList: (c) => {
      const graph = c.query.get("graph_id");
      const status = c.query.get("status");
      return files.page(c.query, (f) => (!graph || f.graph_ids.includes(graph)) && (!status || f.status === status));
    },
    filesUpload: async (c) => {
      await drain(c.upload);
      const graph = c.query.get("graphId");
      if (graph && !graphs.get(graph)) return notFound(`graph ${graph}`);
      const f = files.add({ id: randomUUID(), created_at: now(), name: "upload", graph_ids: graph ? [graph] : [], status: "completed" });
      if (graph) recount(graphs.get(graph)!);
      return { json: f };
    },
    filesGet: (c) => fileOr404(c.params.file_id, (f) => ({ json: f })),
    filesDelete: (c) => fileOr404(c.params.file_id, (f) => (files.delete(f.id), { json: { id: f.id, deleted: true } })),
    filesDownload: (c) => fileOr404(c.params.file_id, () => ({ bytes: Buffer.from("writer-local file\n"), contentType: "application/octet-stream" })),
    filesRetry: (c) => {
      const missing = (c.body.file_ids as string[]).find((id) => !files.get(id));
      return missing ? notFound(`file ${missing}`) : { json: { success: true } };
    },

    applicationsList: () => ({ json: { data: APPLICATIONS, has_more: false, first_id: APPLICATIONS[0].id, last_id: APPLICATIONS[APPLICATIONS.length - 1].id } }),
    applicationsGet: (c) => (app(c.params.application_id) ? { json: app(c.params.application_id) } : notFound(`application ${c.params.application_id}`)),
    applicationsGenerate: (c) => (app(c.params.application_id) ? generateApplication(c.body) : notFound(`application ${c.params.application_id}`)),
    jobsCreate: (c) => {
      if (!app(c.params.application_id)) return notFound(`application ${c.params.application_id}`);
      const j = jobs.add({
        id: randomUUID(), created_at: now(), updated_at: now(), application_id: c.params.application_id, status: "completed",
        data: { title: "writer-local", suggestion: "writer-local job result" },
      });
      return { status: 202, json: { id: j.id, status: "in_progress", created_at: j.created_at } };
    },
    jobsList: (c) => {
      if (!app(c.params.application_id)) return notFound(`application ${c.params.application_id}`);
      const offset = Number(c.query.get("offset") ?? 0);
      const limit = Number(c.query.get("limit") ?? 10);
      if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > 100) return badRequest("offset must be >= 0 and limit between 1 and 100");
      const status = c.query.get("status");
      const mine = jobs.all().filter((j) => j.application_id === c.params.application_id && (!status || j.status === status)).reverse();
      return { json: { result: mine.slice(offset, offset + limit), totalCount: mine.length, pagination: { offset, limit } } };
    },
    jobsGet: (c) => (jobs.get(c.params.job_id) ? { json: jobs.get(c.params.job_id) } : notFound(`job ${c.params.job_id}`)),
    jobsRetry: (c) => {
      const j = jobs.get(c.params.job_id);
      return j ? { status: 202, json: { id: j.id, status: "in_progress", created_at: j.created_at } } : notFound(`job ${c.params.job_id}`);
    },
    applicationGraphsGet: (c) => (app(c.params.application_id) ? { json: { graph_ids: appGraphs.get(c.params.application_id) ?? [] } } : notFound(`application ${c.params.application_id}`)),
    applicationGraphsUpdate: (c) => {
      if (!app(c.params.application_id)) return notFound(`application ${c.params.application_id}`);
      const missing = (c.body.graph_ids as string[]).find((id) => !graphs.get(id));
      if (missing) return notFound(`graph ${missing}`);
      appGraphs.set(c.params.application_id, [...new Set(c.body.graph_ids as string[])]);
      return { json: { graph_ids: appGraphs.get(c.params.application_id) } };
    },

    pdfParser: (c) => fileOr404(c.params.file_id, () => ({ json: { content: "writer-local parsed text" } })),
    webSearch: (c) => ({ json: { query: c.body.query, answer: "writer-local search answer", sources: [] } }),
    vision: (c) => {
      const missing = (c.body.variables as { file_id: string }[]).find((v) => !files.get(v.file_id));
      return missing ? notFound(`file ${missing.file_id}`) : { json: { data: "writer-local sees an image" } };
    },
    translation: (c) => ({ json: { data: `writer-local translation of: ${String(c.body.text).slice(0, 200)}` } }),
  };
}

/** Matches a request path to an endpoint template and its parameters. */
const MATCHERS = ENDPOINT_LIST.map((e) => {
  const names: string[] = [];
  const re = new RegExp(`^${e.path.replace(/\{(\w+)\}/g, (_m, n: string) => (names.push(n), "([^/]+)"))}$`);
  return { name: e.name, method: e.method as string, re, names };
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
    const [path, qs] = r.path.split("?");
    for (const m of MATCHERS) {
      if (m.method !== r.method) continue;
      const hit = m.re.exec(path);
      if (!hit) continue;
      const params = Object.fromEntries(m.names.map((n, i) => [n, decodeURIComponent(hit[i + 1])]));
      const body = (r.json ?? (typeof r.body === "string" && r.body.trim() ? JSON.parse(r.body) : {})) as Body;
      const a = ANSWERS[m.name]({ params, query: new URLSearchParams(qs ?? ""), body, upload: typeof r.body === "object" ? r.body : undefined });
      return a instanceof Promise ? a.then((x) => respond(x, interval)) : respond(a, interval);
    }
    return respond(notFound(`route ${r.method} ${path}`), 0);
  };
  return {
    request(r) {
      if (latency > 0) return new Promise<void>((ok) => setTimeout(ok, latency)).then(() => answer(r));
      return answer(r);
    },
    async close() {},
  };
}

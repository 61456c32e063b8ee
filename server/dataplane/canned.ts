import { createHash, randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod/v4";
import type { ChatRequest, CompletionRequest, GraphRequest, GraphQuestionRequest, TranslationRequest, WebSearchRequest } from "../../api";

/**
 * Canned, deterministic answers for Writer's data-plane endpoints, in Writer's documented shapes
 * (checked against writer-sdk's types): what writer-local answers when it has no upstream. Bodies
 * arrive validated by the contract's schemas (api/dataplane.ts).
 */

const MODELS = [
  { id: "palmyra-x5", name: "Palmyra X5" },
  { id: "palmyra-x4", name: "Palmyra X4" },
  { id: "palmyra-fin", name: "Palmyra Fin" },
  { id: "palmyra-med", name: "Palmyra Med" },
  { id: "palmyra-creative", name: "Palmyra Creative" },
];
const MODELS_JSON = JSON.stringify({ models: MODELS });
const EPOCH = "2025-01-01T00:00:00.000Z";
/** Stable ids derived from a seed, so canned objects look the same on every call. */
const fakeId = (seed: string) => {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const page = <T extends { id: string }>(data: T[]) => ({
  data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null,
});
const graph = (id: string) => ({
  id, created_at: EPOCH, name: "writer-local graph", description: "", type: "manual",
  file_status: { completed: 0, failed: 0, in_progress: 0, total: 0 }, urls: [],
});
const file = (id: string) => ({ id, created_at: EPOCH, graph_ids: [], name: "writer-local.txt", status: "completed" });
const application = (id: string) => ({
  id, name: "writer-local app", type: "generation", status: "deployed", created_at: EPOCH, updated_at: EPOCH,
  last_deployed_at: EPOCH, inputs: [],
});
const job = (id: string) => ({
  id, status: "completed", created_at: EPOCH, updated_at: EPOCH, application_id: fakeId("app"),
  data: { title: "writer-local", suggestion: "writer-local job result" },
});

type Req = FastifyRequest<{ Params: Record<string, string>; Body: unknown }>;
export type CannedHandler = (req: Req, reply: FastifyReply) => unknown;
const body = <S extends z.ZodType>(req: Req) => req.body as z.output<S>;

function chat(req: Req) {
  const b = body<typeof ChatRequest>(req);
  const last = b.messages[b.messages.length - 1];
  const said = typeof last.content === "string" ? last.content.slice(0, 200) : "";
  const content = `writer-local reply to: ${said}`;
  const prompt_tokens = Math.max(1, Math.ceil(said.length / 4));
  const completion_tokens = Math.max(1, Math.ceil(content.length / 4));
  return {
    id: randomUUID(),
    object: "chat.completion",
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content, refusal: null } }],
    created: Math.floor(Date.now() / 1000),
    model: b.model,
    usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens },
  };
}

/** "METHOD /path" -> its canned answer, for every data-plane endpoint. */
export const CANNED: Record<string, CannedHandler> = {
  // The hottest data-plane answer is a constant: serialized once.
  "GET /v1/models": (_req, reply) => reply.type("application/json; charset=utf-8").send(MODELS_JSON),
  "POST /v1/chat": (req) => chat(req),
  "POST /v1/completions": (req) => {
    const b = body<typeof CompletionRequest>(req);
    return { choices: [{ text: `writer-local completion of: ${b.prompt.slice(0, 200)}` }], model: b.model };
  },
  "GET /v1/graphs": () => page([graph(fakeId("graph"))]),
  "POST /v1/graphs": (req) => ({ ...graph(randomUUID()), name: body<typeof GraphRequest>(req).name ?? "graph" }),
  "POST /v1/graphs/question": (req) => ({ question: body<typeof GraphQuestionRequest>(req).question, answer: "writer-local has no knowledge yet", sources: [] }),
  "GET /v1/graphs/{graph_id}": (req) => graph(req.params.graph_id),
  "PUT /v1/graphs/{graph_id}": (req) => graph(req.params.graph_id),
  "DELETE /v1/graphs/{graph_id}": (req) => ({ id: req.params.graph_id, deleted: true }),
  "POST /v1/graphs/{graph_id}/file": (req) => ({ ...file(fakeId("file")), graph_ids: [req.params.graph_id] }),
  "DELETE /v1/graphs/{graph_id}/file/{file_id}": (req) => ({ id: req.params.file_id, deleted: true }),
  "GET /v1/files": () => page([file(fakeId("file"))]),
  "POST /v1/files": () => file(randomUUID()),
  "GET /v1/files/{file_id}": (req) => file(req.params.file_id),
  "DELETE /v1/files/{file_id}": (req) => ({ id: req.params.file_id, deleted: true }),
  "GET /v1/files/{file_id}/download": (_req, reply) => reply.type("application/octet-stream").send(Buffer.from("writer-local file\n")),
  "POST /v1/files/retry": () => ({ success: true }),
  "GET /v1/applications": () => page([application(fakeId("app"))]),
  "GET /v1/applications/{application_id}": (req) => application(req.params.application_id),
  "POST /v1/applications/{application_id}": () => ({ title: "writer-local", suggestion: "writer-local generated content" }),
  "POST /v1/applications/{application_id}/jobs": (_req, reply) =>
    reply.code(202).send({ id: randomUUID(), status: "in_progress", created_at: new Date().toISOString() }),
  "GET /v1/applications/{application_id}/jobs": () => ({ result: [job(fakeId("job"))], pagination: { page: 1, items: 1 } }),
  "GET /v1/applications/jobs/{job_id}": (req) => job(req.params.job_id),
  "POST /v1/applications/jobs/{job_id}/retry": (req, reply) =>
    reply.code(202).send({ id: req.params.job_id, status: "in_progress", created_at: new Date().toISOString() }),
  "GET /v1/applications/{application_id}/graphs": () => ({ graph_ids: [] }),
  "PUT /v1/applications/{application_id}/graphs": (req) => ({ graph_ids: (req.body as { graph_ids: string[] }).graph_ids }),
  "POST /v1/tools/pdf-parser/{file_id}": () => ({ content: "writer-local parsed text" }),
  "POST /v1/tools/web-search": (req) => ({ query: body<typeof WebSearchRequest>(req).query, answer: "writer-local search answer", sources: [] }),
  "POST /v1/vision": () => ({ data: "writer-local sees an image" }),
  "POST /v1/translation": (req) => ({ data: `writer-local translation of: ${body<typeof TranslationRequest>(req).text.slice(0, 200)}` }),
};

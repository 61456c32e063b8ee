import { createHash, randomUUID } from "node:crypto";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { ENDPOINT_CAPABILITY, isWellFormedSecret, type Capability } from "../../api";
import { ApiError } from "../errors";
import { bearer } from "../plugins/plugin";

/**
 * Writer's data-plane endpoints with canned, deterministic answers in Writer's documented shapes
 * (checked against writer-sdk's types). What is real here is the access decision, taken per request
 * from the store (memoised only while the database is unchanged: Keys.authenticate), so an admin
 * change holds from the very next request.
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
type Handler = (req: Req, reply: FastifyReply) => unknown;

function requireFields(body: unknown, fields: string[]): Record<string, unknown> {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new ApiError(400, "a JSON object body is required", { field: "(body)" });
  const b = body as Record<string, unknown>;
  for (const f of fields) if (b[f] === undefined || b[f] === null) throw new ApiError(400, `${f} is required`, { field: f });
  return b;
}

function chat(req: Req) {
  const b = requireFields(req.body, ["model", "messages"]);
  if (typeof b.model !== "string") throw new ApiError(400, "model must be a string", { field: "model" });
  if (!Array.isArray(b.messages) || b.messages.length === 0) throw new ApiError(400, "messages must be a non-empty array", { field: "messages" });
  const last = b.messages[b.messages.length - 1] as { content?: unknown } | null;
  const said = typeof last?.content === "string" ? last.content.slice(0, 200) : "";
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

const HANDLERS: Record<string, Handler> = {
  // The hottest data-plane answer is a constant: serialized once.
  "GET /v1/models": (_req, reply) => reply.type("application/json; charset=utf-8").send(MODELS_JSON),
  "POST /v1/chat": (req) => chat(req),
  "POST /v1/completions": (req) => {
    const b = requireFields(req.body, ["model", "prompt"]);
    return { choices: [{ text: `writer-local completion of: ${String(b.prompt).slice(0, 200)}` }], model: b.model };
  },
  "GET /v1/graphs": () => page([graph(fakeId("graph"))]),
  "POST /v1/graphs": (req) => ({ ...graph(randomUUID()), name: String((req.body as { name?: unknown })?.name ?? "graph") }),
  "POST /v1/graphs/question": (req) => {
    const b = requireFields(req.body, ["question"]);
    return { question: b.question, answer: "writer-local has no knowledge yet", sources: [] };
  },
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
  "PUT /v1/applications/{application_id}/graphs": (req) => ({ graph_ids: (req.body as { graph_ids?: unknown })?.graph_ids ?? [] }),
  "POST /v1/tools/pdf-parser/{file_id}": () => ({ content: "writer-local parsed text" }),
  "POST /v1/tools/web-search": (req) => ({ query: String((req.body as { query?: unknown })?.query ?? ""), answer: "writer-local search answer", sources: [] }),
  "POST /v1/vision": () => ({ data: "writer-local sees an image" }),
  "POST /v1/translation": (req) => ({ data: `writer-local translation of: ${String((req.body as { text?: unknown })?.text ?? "").slice(0, 200)}` }),
};

const LAST_USED_WRITE_INTERVAL_MS = 1000;

export const dataPlaneRoutes: FastifyPluginAsync = async (app) => {
  const { keys } = app.store;
  // Only throttles the last_used_at write; every access decision reads the store (Keys.authenticate).
  const lastWrite = new Map<string, number>();

  const authorize = (capability: Capability) => async (req: FastifyRequest) => {
    const token = bearer(req.headers.authorization);
    // The checksum rejects typos and garbage before any DB lookup.
    if (!token || !isWellFormedSecret(token)) throw new ApiError(401, "Invalid token", { field: "Authorization" });
    const { hash, row: k, capabilities } = keys.authenticate(token);
    const now = Date.now();
    const bad =
      !k || k.revoked_at !== null || k.agent_deleted_at !== null || k.status !== "active" ||
      (k.expires_at !== null && k.expires_at <= now) ||
      (k.secret_hash !== hash && (k.previous_secret_expires_at === null || k.previous_secret_expires_at <= now));
    if (bad || !k) throw new ApiError(401, "Invalid token", { field: "Authorization" });
    if (!capabilities.has(capability)) {
      throw new ApiError(403, `this key's agent lacks the "${capability}" capability`, { field: "Authorization" });
    }
    const team = req.headers["x-writer-team-id"];
    if (k.scope === "team" && team !== undefined && team !== k.team_id) {
      throw new ApiError(403, "this key is scoped to another team", { field: "X-Writer-Team-Id" });
    }
    if (now - (lastWrite.get(k.id) ?? 0) >= LAST_USED_WRITE_INTERVAL_MS) {
      lastWrite.set(k.id, now);
      keys.markUsed(k.id, now);
    }
  };

  for (const [endpoint, capability] of ENDPOINT_CAPABILITY) {
    const [method, path] = endpoint.split(" ");
    const handler = HANDLERS[endpoint];
    if (!handler) throw new Error(`no data-plane handler for ${endpoint}`);
    app.route({
      method: method as "GET",
      url: path.replace(/\{(\w+)\}/g, ":$1"),
      onRequest: authorize(capability),
      handler: handler as never,
    });
  }
};

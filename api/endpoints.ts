import type { z } from "zod/v4";
import { CAPABILITY_IDS, CAPABILITY_NAMES, type Capability, type CapabilityInfo } from "./capabilities";
import {
  ApplicationGraphsRequest, ApplicationJobRequest, ApplicationRequest, ChatRequest, CompletionRequest, FileRetryRequest,
  GraphFileRequest, GraphQuestionRequest, GraphRequest, PdfParserRequest, TranslationRequest, VisionRequest, WebSearchRequest,
  type ToolType,
} from "./dataplane";

/** Objects the data plane creates, kept apart per agent (and team). Applications are the organisation's. */
export type ObjectKind = "file" | "graph" | "job";

/**
 * A field that names an object. `at` is a path: for `path` and `query`, the parameter's name; for
 * `body`, dot-separated keys where `[]` walks every element of an array and `[type=graph]` only the
 * elements whose `type` is `graph`. `idShaped`: only values shaped like Writer's ids (UUIDs) name an
 * object there (application inputs hold text and file ids side by side).
 */
export interface ObjectRef {
  in: "path" | "query" | "body";
  at: string;
  kind: ObjectKind;
  idShaped?: true;
}

/**
 * How a list answer is cut down to the caller's own objects:
 * - `cursor`: Writer's cursor page (`data`, `has_more`, `first_id`, `last_id`; query `after`/`before`);
 * - `offset`: Writer's jobs page (`result`, `totalCount`, `pagination: {offset, limit}`);
 * - `ids`: an array of ids in the field (`{"graph_ids": [...]}`).
 */
export type ListRule = { style: "cursor"; kind: ObjectKind } | { style: "offset"; kind: ObjectKind } | { style: "ids"; kind: ObjectKind; field: string };

/**
 * Whether and how an endpoint spends tokens. `usage`: what Writer reports (`json` on the whole
 * answer, `stream_option` only in a chat stream's last chunk when asked with
 * `stream_options.include_usage`, `none`: nothing, so the gateway estimates). `maxTokens`: the body
 * field bounding the answer, if the endpoint has one.
 */
export interface Generation {
  usage: "json" | "none";
  streamUsage?: "stream_option" | "none";
  maxTokens?: "max_tokens";
  /** The body field asking for several answers at once (chat `n`, completions `best_of`): each may spend `maxTokens`. */
  answers?: "n" | "best_of";
  /** Async work (jobs): the answer is never seen by the gateway, so the reservation is what is charged. */
  async?: true;
}

export interface Endpoint {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Writer's path template, e.g. /v1/files/{file_id}. */
  path: string;
  capability: Capability;
  /**
   * The query parameters Writer takes here (writer-sdk's *Params); any other is refused (400), so
   * nothing the gateway has not checked reaches Writer in a query.
   */
  query?: readonly string[];
  /** The JSON body's schema; an upload endpoint takes raw bytes instead. */
  body?: z.ZodType;
  upload?: true;
  /** Every field of the request that names an object: each must be the caller's, or the request is 404. */
  refs?: ObjectRef[];
  /** Chat tools: the capability each tool type needs beyond the endpoint's own (null: none). */
  tools?: Record<ToolType, Capability | null>;
  /** What a successful answer creates (its `id`), recorded as the caller's before the client sees it. */
  creates?: ObjectKind;
  lists?: ListRule;
  generates?: Generation;
  /** With `stream: true` the answer is Server-Sent Events. */
  streams?: true;
  /**
   * A PUT that replaces a list every agent shares (an application's graphs): the entries of other
   * agents, read first from `readFrom`, are kept, so one agent's PUT cannot remove another's.
   */
  keepsOthers?: { field: string; readFrom: string };
}

const CURSOR = ["limit", "order", "after", "before"] as const;

const TOOLS: Record<ToolType, Capability | null> = {
  function: null, llm: null, graph: "knowledge_graph", vision: "vision", web_search: "tools_web_search", translation: "translation",
};

/**
 * Every Writer data-plane endpoint the gateway serves, with everything the gateway enforces about it.
 * This is the one table: the capability catalog, the routes, ownership, lists, token accounting and
 * the canned answers (server/dataplane/canned.ts, a handler per name, checked by the compiler) are
 * all derived from it.
 */
export const ENDPOINTS = {
  chat: {
    method: "POST", path: "/v1/chat", capability: "chat", body: ChatRequest, streams: true, tools: TOOLS,
    refs: [
      { in: "body", at: "tools[type=graph].function.graph_ids[]", kind: "graph" },
      { in: "body", at: "tools[type=vision].function.variables[].file_id", kind: "file" },
    ],
    generates: { usage: "json", streamUsage: "stream_option", maxTokens: "max_tokens", answers: "n" },
  },
  completions: {
    method: "POST", path: "/v1/completions", capability: "completions", body: CompletionRequest, streams: true,
    generates: { usage: "none", streamUsage: "none", maxTokens: "max_tokens", answers: "best_of" },
  },
  models: { method: "GET", path: "/v1/models", capability: "models" },

  graphsList: { method: "GET", path: "/v1/graphs", capability: "knowledge_graph", query: CURSOR, lists: { style: "cursor", kind: "graph" },
    refs: [{ in: "query", at: "after", kind: "graph" }, { in: "query", at: "before", kind: "graph" }],
  },
  graphsCreate: { method: "POST", path: "/v1/graphs", capability: "knowledge_graph", body: GraphRequest, creates: "graph" },
  graphsQuestion: {
    method: "POST", path: "/v1/graphs/question", capability: "knowledge_graph", body: GraphQuestionRequest, streams: true,
    refs: [{ in: "body", at: "graph_ids[]", kind: "graph" }],
    generates: { usage: "none", streamUsage: "none" },
  },
  graphsGet: { method: "GET", path: "/v1/graphs/{graph_id}", capability: "knowledge_graph", refs: [{ in: "path", at: "graph_id", kind: "graph" }] },
  graphsUpdate: { method: "PUT", path: "/v1/graphs/{graph_id}", capability: "knowledge_graph", body: GraphRequest, refs: [{ in: "path", at: "graph_id", kind: "graph" }] },
  graphsDelete: { method: "DELETE", path: "/v1/graphs/{graph_id}", capability: "knowledge_graph", refs: [{ in: "path", at: "graph_id", kind: "graph" }] },
  graphsAddFile: {
    method: "POST", path: "/v1/graphs/{graph_id}/file", capability: "knowledge_graph", body: GraphFileRequest,
    refs: [{ in: "path", at: "graph_id", kind: "graph" }, { in: "body", at: "file_id", kind: "file" }],
  },
  graphsRemoveFile: {
    method: "DELETE", path: "/v1/graphs/{graph_id}/file/{file_id}", capability: "knowledge_graph",
    refs: [{ in: "path", at: "graph_id", kind: "graph" }, { in: "path", at: "file_id", kind: "file" }],
  },

  filesList: {
    method: "GET", path: "/v1/files", capability: "files", query: [...CURSOR, "graph_id", "status", "file_types"], lists: { style: "cursor", kind: "file" },
    refs: [{ in: "query", at: "graph_id", kind: "graph" }, { in: "query", at: "after", kind: "file" }, { in: "query", at: "before", kind: "file" }],
  },
  filesUpload: { method: "POST", path: "/v1/files", capability: "files", upload: true, creates: "file", query: ["graphId"], refs: [{ in: "query", at: "graphId", kind: "graph" }] },
  filesGet: { method: "GET", path: "/v1/files/{file_id}", capability: "files", refs: [{ in: "path", at: "file_id", kind: "file" }] },
  filesDelete: { method: "DELETE", path: "/v1/files/{file_id}", capability: "files", refs: [{ in: "path", at: "file_id", kind: "file" }] },
  filesDownload: { method: "GET", path: "/v1/files/{file_id}/download", capability: "files", refs: [{ in: "path", at: "file_id", kind: "file" }] },
  filesRetry: { method: "POST", path: "/v1/files/retry", capability: "files", body: FileRetryRequest, refs: [{ in: "body", at: "file_ids[]", kind: "file" }] },

  applicationsList: { method: "GET", path: "/v1/applications", capability: "applications", query: [...CURSOR, "type"] },
  applicationsGet: { method: "GET", path: "/v1/applications/{application_id}", capability: "applications" },
  applicationsGenerate: {
    method: "POST", path: "/v1/applications/{application_id}", capability: "applications", body: ApplicationRequest, streams: true,
    refs: [{ in: "body", at: "inputs[].value[]", kind: "file", idShaped: true }],
    generates: { usage: "none", streamUsage: "none" },
  },
  jobsCreate: {
    method: "POST", path: "/v1/applications/{application_id}/jobs", capability: "applications", body: ApplicationJobRequest, creates: "job",
    refs: [{ in: "body", at: "inputs[].value[]", kind: "file", idShaped: true }],
    generates: { usage: "none", async: true },
  },
  jobsList: { method: "GET", path: "/v1/applications/{application_id}/jobs", capability: "applications", query: ["limit", "offset", "status"], lists: { style: "offset", kind: "job" } },
  jobsGet: { method: "GET", path: "/v1/applications/jobs/{job_id}", capability: "applications", refs: [{ in: "path", at: "job_id", kind: "job" }] },
  jobsRetry: { method: "POST", path: "/v1/applications/jobs/{job_id}/retry", capability: "applications", refs: [{ in: "path", at: "job_id", kind: "job" }] },
  applicationGraphsGet: {
    method: "GET", path: "/v1/applications/{application_id}/graphs", capability: "applications", lists: { style: "ids", kind: "graph", field: "graph_ids" },
  },
  applicationGraphsUpdate: {
    method: "PUT", path: "/v1/applications/{application_id}/graphs", capability: "applications", body: ApplicationGraphsRequest,
    refs: [{ in: "body", at: "graph_ids[]", kind: "graph" }], lists: { style: "ids", kind: "graph", field: "graph_ids" },
    keepsOthers: { field: "graph_ids", readFrom: "/v1/applications/{application_id}/graphs" },
  },

  pdfParser: { method: "POST", path: "/v1/tools/pdf-parser/{file_id}", capability: "tools_pdf_parser", body: PdfParserRequest, refs: [{ in: "path", at: "file_id", kind: "file" }] },
  webSearch: { method: "POST", path: "/v1/tools/web-search", capability: "tools_web_search", body: WebSearchRequest },
  vision: {
    method: "POST", path: "/v1/vision", capability: "vision", body: VisionRequest,
    refs: [{ in: "body", at: "variables[].file_id", kind: "file" }], generates: { usage: "none" },
  },
  translation: { method: "POST", path: "/v1/translation", capability: "translation", body: TranslationRequest, generates: { usage: "none" } },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof ENDPOINTS;
export type NamedEndpoint = Endpoint & { name: EndpointName };

/** The table as a list, in its order. */
export const ENDPOINT_LIST: readonly NamedEndpoint[] = Object.entries(ENDPOINTS).map(([name, e]) => ({ ...(e as Endpoint), name: name as EndpointName }));

/** "METHOD /path" of an endpoint, as the capability catalog lists it. */
export const endpointKey = (e: Pick<Endpoint, "method" | "path">) => `${e.method} ${e.path}`;

/** The capability catalog: each capability with the endpoints of the table it opens. */
export const CAPABILITIES: readonly CapabilityInfo[] = CAPABILITY_IDS.map((id) => ({
  id, ...CAPABILITY_NAMES[id], endpoints: ENDPOINT_LIST.filter((e) => e.capability === id).map(endpointKey),
}));

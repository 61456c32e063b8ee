import { z } from "zod/v4";

// Request bodies of Writer's data-plane endpoints, after writer-sdk's request types: the fields
// writer-local reads (and, as a gateway, relies on: `stream`, `model`, `max_tokens`, every field
// that names an object, every tool's type) are typed; everything else passes through untouched
// (loose objects), so a field Writer adds tomorrow is not refused today. A tool type Writer adds
// tomorrow IS refused (400): it may open what a capability guards, so it waits until it is listed.

const Str = z.string();
const Model = z.string().min(1, "must not be empty").max(200);
const Stream = z.boolean().optional();
const Id = z.string().min(1, "must not be empty").max(200);
const Ids = z.array(Id).max(1000);
const MaxTokens = z.number().int("must be a whole number").min(1, "must be at least 1").max(1_000_000).optional();
/** How many answers one request asks for (chat `n`, completions `best_of`): each spends up to max_tokens. */
const Answers = z.number().int("must be a whole number").min(1, "must be at least 1").max(128, "must be at most 128").optional();
const ContentPart = z.looseObject({ type: z.string() });
const Message = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
});

/** Chat tools (writer-sdk's ToolParam): the types Writer documents, each with the fields that name objects. */
export const TOOL_TYPES = ["function", "graph", "llm", "translation", "vision", "web_search"] as const;
export type ToolType = (typeof TOOL_TYPES)[number];
const GraphTool = z.looseObject({ type: z.literal("graph"), function: z.looseObject({ graph_ids: Ids, subqueries: z.boolean().optional() }) });
const VisionTool = z.looseObject({
  type: z.literal("vision"),
  function: z.looseObject({ model: Model.optional(), variables: z.array(z.looseObject({ name: Str, file_id: Id })).max(100) }),
});
const OtherTool = (type: Exclude<ToolType, "graph" | "vision">) => z.looseObject({ type: z.literal(type), function: z.looseObject({}).optional() });
export const ChatTool = z.discriminatedUnion("type", [
  GraphTool, VisionTool, OtherTool("function"), OtherTool("llm"), OtherTool("translation"), OtherTool("web_search"),
], { error: (iss) => (iss.code === "invalid_union" ? `unknown tool type: use one of ${TOOL_TYPES.join(", ")}` : undefined) });

export const ChatRequest = z.looseObject({
  model: Model,
  messages: z.array(Message).min(1, "must hold at least one message").max(10000),
  max_tokens: MaxTokens,
  n: Answers,
  stream: Stream,
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).optional(),
  tools: z.array(ChatTool).max(128).optional(),
});
export const CompletionRequest = z.looseObject({ model: Model, prompt: Str, max_tokens: MaxTokens, best_of: Answers, stream: Stream });
export const GraphRequest = z.looseObject({ name: Str.optional(), description: Str.optional() });
// graph_ids is required, as in writer-sdk: a question that names no graph is not the gateway's to pass.
export const GraphQuestionRequest = z.looseObject({ question: Str, graph_ids: Ids.min(1, "must name at least one graph"), stream: Stream });
export const GraphFileRequest = z.looseObject({ file_id: Id });
export const FileRetryRequest = z.looseObject({ file_ids: Ids });
const AppInputs = z.array(z.looseObject({ id: Str, value: z.array(Str).max(1000) })).max(1000);
export const ApplicationRequest = z.looseObject({ inputs: AppInputs, stream: Stream });
export const ApplicationJobRequest = z.looseObject({ inputs: AppInputs });
export const ApplicationGraphsRequest = z.looseObject({ graph_ids: Ids });
export const PdfParserRequest = z.looseObject({ format: z.enum(["text", "markdown"], { error: 'must be "text" or "markdown"' }) });
export const WebSearchRequest = z.looseObject({ query: Str });
export const VisionRequest = z.looseObject({ model: Model, prompt: Str, variables: z.array(z.looseObject({ name: Str, file_id: Id })).max(100) });
export const TranslationRequest = z.looseObject({
  model: Model,
  text: Str,
  source_language_code: Str,
  target_language_code: Str,
});

/** Token counts as Writer reports them in `usage` (JSON answers and the last SSE chunk). */
export const Usage = z.looseObject({
  prompt_tokens: z.number().int().nonnegative().optional(),
  completion_tokens: z.number().int().nonnegative().optional(),
  total_tokens: z.number().int().nonnegative().optional(),
});
export type Usage = z.infer<typeof Usage>;

import { z } from "zod/v4";

// Request bodies of Writer's data-plane endpoints: the fields writer-local reads (and, as a gateway,
// relies on: `stream`, `model`) are typed; everything else passes through untouched (loose
// objects), so a field Writer adds tomorrow is not refused today.

const Str = z.string();
const Model = z.string().min(1, "must not be empty").max(200);
const Stream = z.boolean().optional();
const Ids = z.array(z.string().max(200)).max(1000);
const ContentPart = z.looseObject({ type: z.string() });
const Message = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
});

export const ChatRequest = z.looseObject({
  model: Model,
  messages: z.array(Message).min(1, "must hold at least one message").max(10000),
  stream: Stream,
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).optional(),
});
export const CompletionRequest = z.looseObject({ model: Model, prompt: Str, stream: Stream });
export const GraphRequest = z.looseObject({ name: Str.optional(), description: Str.optional() });
export const GraphQuestionRequest = z.looseObject({ question: Str, graph_ids: Ids.optional(), stream: Stream });
export const GraphFileRequest = z.looseObject({ file_id: Str });
export const FileRetryRequest = z.looseObject({ file_ids: Ids });
const AppInputs = z.array(z.looseObject({ id: Str, value: z.array(Str) })).max(1000);
export const ApplicationRequest = z.looseObject({ inputs: AppInputs, stream: Stream });
export const ApplicationJobRequest = z.looseObject({ inputs: AppInputs });
export const ApplicationGraphsRequest = z.looseObject({ graph_ids: Ids });
export const PdfParserRequest = z.looseObject({ format: z.enum(["text", "markdown"], { error: 'must be "text" or "markdown"' }) });
export const WebSearchRequest = z.looseObject({ query: Str });
export const VisionRequest = z.looseObject({ model: Model, prompt: Str, variables: z.array(z.looseObject({ name: Str, file_id: Str })).max(100) });
export const TranslationRequest = z.looseObject({
  model: Model,
  text: Str,
  source_language_code: Str,
  target_language_code: Str,
});

/** "METHOD /path" -> its JSON body schema, for every data-plane endpoint that takes one. */
export const DATA_PLANE_BODIES: Readonly<Record<string, z.ZodType>> = {
  "POST /v1/chat": ChatRequest,
  "POST /v1/completions": CompletionRequest,
  "POST /v1/graphs": GraphRequest,
  "PUT /v1/graphs/{graph_id}": GraphRequest,
  "POST /v1/graphs/question": GraphQuestionRequest,
  "POST /v1/graphs/{graph_id}/file": GraphFileRequest,
  "POST /v1/files/retry": FileRetryRequest,
  "POST /v1/applications/{application_id}": ApplicationRequest,
  "POST /v1/applications/{application_id}/jobs": ApplicationJobRequest,
  "PUT /v1/applications/{application_id}/graphs": ApplicationGraphsRequest,
  "POST /v1/tools/pdf-parser/{file_id}": PdfParserRequest,
  "POST /v1/tools/web-search": WebSearchRequest,
  "POST /v1/vision": VisionRequest,
  "POST /v1/translation": TranslationRequest,
};

/** Token counts as Writer reports them in `usage` (JSON answers and the last SSE chunk). */
export const Usage = z.looseObject({
  prompt_tokens: z.number().int().nonnegative().optional(),
  completion_tokens: z.number().int().nonnegative().optional(),
  total_tokens: z.number().int().nonnegative().optional(),
});
export type Usage = z.infer<typeof Usage>;

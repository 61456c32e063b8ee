import { z } from "zod/v4";

/**
 * The capability catalog: which Writer data-plane endpoints each capability opens.
 * Writer shows these only as toggles in AI Studio; the ids are this project's names.
 */
export const CAPABILITY_IDS = [
  "chat",
  "completions",
  "models",
  "knowledge_graph",
  "files",
  "applications",
  "tools_pdf_parser",
  "tools_web_search",
  "vision",
  "translation",
] as const;
export type Capability = (typeof CAPABILITY_IDS)[number];
export const CapabilityId = z.enum(CAPABILITY_IDS, {
  error: (iss) =>
    `unknown capability ${JSON.stringify(iss.input)}: use one of ${CAPABILITY_IDS.join(", ")}`,
});

export interface CapabilityInfo {
  id: Capability;
  name: string;
  description: string;
  endpoints: string[];
}

export const CAPABILITIES: readonly CapabilityInfo[] = [
  { id: "chat", name: "Chat", description: "Chat completions with Palmyra models", endpoints: ["POST /v1/chat"] },
  { id: "completions", name: "Completions", description: "Text completions", endpoints: ["POST /v1/completions"] },
  { id: "models", name: "Models", description: "List available models", endpoints: ["GET /v1/models"] },
  {
    id: "knowledge_graph",
    name: "Knowledge Graph",
    description: "Create, query and manage Knowledge Graphs",
    endpoints: [
      "GET /v1/graphs", "POST /v1/graphs", "POST /v1/graphs/question",
      "GET /v1/graphs/{graph_id}", "PUT /v1/graphs/{graph_id}", "DELETE /v1/graphs/{graph_id}",
      "POST /v1/graphs/{graph_id}/file", "DELETE /v1/graphs/{graph_id}/file/{file_id}",
    ],
  },
  {
    id: "files",
    name: "Files",
    description: "Upload, list, download and delete files",
    endpoints: [
      "GET /v1/files", "POST /v1/files", "GET /v1/files/{file_id}", "DELETE /v1/files/{file_id}",
      "GET /v1/files/{file_id}/download", "POST /v1/files/retry",
    ],
  },
  {
    id: "applications",
    name: "No-code agents",
    description: "Run no-code agents (applications), their async jobs and graphs",
    endpoints: [
      "GET /v1/applications", "GET /v1/applications/{application_id}", "POST /v1/applications/{application_id}",
      "POST /v1/applications/{application_id}/jobs", "GET /v1/applications/{application_id}/jobs",
      "GET /v1/applications/jobs/{job_id}", "POST /v1/applications/jobs/{job_id}/retry",
      "GET /v1/applications/{application_id}/graphs", "PUT /v1/applications/{application_id}/graphs",
    ],
  },
  { id: "tools_pdf_parser", name: "PDF parser", description: "Parse PDF files to text", endpoints: ["POST /v1/tools/pdf-parser/{file_id}"] },
  { id: "tools_web_search", name: "Web search", description: "Search the web", endpoints: ["POST /v1/tools/web-search"] },
  { id: "vision", name: "Vision", description: "Analyse images", endpoints: ["POST /v1/vision"] },
  { id: "translation", name: "Translation", description: "Translate text", endpoints: ["POST /v1/translation"] },
];

export const CapabilitySchema = z.object({
  id: CapabilityId,
  name: z.string(),
  description: z.string(),
  endpoints: z.array(z.string()),
});

/** "METHOD /path/{param}" -> capability, for every data-plane endpoint. */
export const ENDPOINT_CAPABILITY: ReadonlyMap<string, Capability> = new Map(
  CAPABILITIES.flatMap((c) => c.endpoints.map((e) => [e, c.id] as [string, Capability])),
);

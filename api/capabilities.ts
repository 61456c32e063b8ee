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
  /** "METHOD /path" of every endpoint it opens, from the endpoint table (api/endpoints.ts). */
  endpoints: string[];
}

/** How each capability is shown; which endpoints it opens is the endpoint table's (CAPABILITIES in api/endpoints.ts). */
export const CAPABILITY_NAMES: Record<Capability, { name: string; description: string }> = {
  chat: { name: "Chat", description: "Chat completions with Palmyra models" },
  completions: { name: "Completions", description: "Text completions" },
  models: { name: "Models", description: "List available models" },
  knowledge_graph: { name: "Knowledge Graph", description: "Create, query and manage Knowledge Graphs" },
  files: { name: "Files", description: "Upload, list, download and delete files" },
  applications: { name: "No-code agents", description: "Run no-code agents (applications), their async jobs and graphs" },
  tools_pdf_parser: { name: "PDF parser", description: "Parse PDF files to text" },
  tools_web_search: { name: "Web search", description: "Search the web" },
  vision: { name: "Vision", description: "Analyse images" },
  translation: { name: "Translation", description: "Translate text" },
};

export const CapabilitySchema = z.object({
  id: CapabilityId,
  name: z.string(),
  description: z.string(),
  endpoints: z.array(z.string()),
});



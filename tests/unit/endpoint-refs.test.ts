// Every field of Writer's requests that names a graph, file, application or job is known to the
// gateway's endpoint table (api/endpoints.ts), read from writer-sdk's own request types with the
// TypeScript compiler: when Writer's client grows a field that names an object (a new tool, a new
// input), this fails until the table says how that field is checked.
import { join } from "node:path";
import ts from "typescript";
import { ENDPOINTS, ENDPOINT_LIST, type EndpointName } from "../../api";

const SDK = join(__dirname, "..", "..", "node_modules", "writer-sdk", "resources");
/** writer-sdk's request parameter types -> the endpoint they are sent to. */
const PARAMS: Record<string, EndpointName | { notServed: string }> = {
  "chat:ChatChatParams": "chat",
  "completions:CompletionCreateParams": "completions",
  "graphs:GraphCreateParams": "graphsCreate",
  "graphs:GraphListParams": "graphsList",
  "graphs:GraphQuestionParams": "graphsQuestion",
  "graphs:GraphUpdateParams": "graphsUpdate",
  "graphs:GraphAddFileToGraphParams": "graphsAddFile",
  "graphs:GraphRemoveFileFromGraphParams": "graphsRemoveFile",
  "files:FileListParams": "filesList",
  "files:FileUploadParams": "filesUpload",
  "files:FileRetryParams": "filesRetry",
  "applications/applications:ApplicationListParams": "applicationsList",
  "applications/applications:ApplicationGenerateContentParams": "applicationsGenerate",
  "applications/jobs:JobCreateParams": "jobsCreate",
  "applications/jobs:JobListParams": "jobsList",
  "applications/graphs:GraphUpdateParams": "applicationGraphsUpdate",
  "tools/tools:ToolParsePdfParams": "pdfParser",
  "tools/tools:ToolWebSearchParams": "webSearch",
  "vision:VisionAnalyzeParams": "vision",
  "translation:TranslationTranslateParams": "translation",
  "tools/tools:ToolAIDetectParams": { notServed: "POST /v1/tools/ai-detect" },
  "tools/tools:ToolContextAwareSplittingParams": { notServed: "POST /v1/tools/context-aware-splitting" },
  "tools/comprehend:ComprehendMedicalParams": { notServed: "POST /v1/tools/comprehend/medical" },
};
/** Fields that look like references but are not ones the gateway must check, and why. */
const NOT_REFERENCES: Record<string, string> = {
  "chat:messages[].graph_data.sources[].file_id": "an earlier answer's citations sent back as history; Writer reads no object from them",
  "chat:messages[].graph_data.subqueries[].sources[].file_id": "as above",
  "chat:messages[].graph_data.references.files[].fileId": "as above",
  "chat:messages[].graph_data.references.web[].fileId": "as above",
  "chat:messages[].tool_call_id": "names a tool call of the conversation, not an object",
  "chat:messages[].tool_calls[].id": "as above",
  "graphsRemoveFile:graph_id": "a path parameter in writer-sdk's params: checked as the path's graph_id",
  "applicationGraphsUpdate:application_id": "applications are the organisation's, made in AI Studio",
  "jobsCreate:application_id": "as above",
  "jobsList:application_id": "as above",
  "applicationsGenerate:application_id": "as above",
};
const IDISH = /^(graph|file|application|job|tool_call)_?(id|ids)$|^(graph|file)Id$|^id$/i;

/** Every property path of a type that ends in an id-like name ("tools[].function.graph_ids[]"). */
function idPaths(checker: ts.TypeChecker, type: ts.Type, prefix: string, depth: number, out: Set<string>, at: ts.Node): void {
  if (depth > 8) return;
  const each = type.isUnion() ? type.types : [type];
  for (const t of each) {
    if (checker.isArrayType(t)) {
      idPaths(checker, checker.getTypeArguments(t as ts.TypeReference)[0], `${prefix}[]`, depth + 1, out, at);
      continue;
    }
    if (!(t.flags & ts.TypeFlags.Object)) continue;
    for (const p of t.getProperties()) {
      const pt = checker.getTypeOfSymbolAtLocation(p, at);
      const path = prefix ? `${prefix}.${p.name}` : p.name;
      const leaf = checker.isArrayType(pt) ? `${path}[]` : path;
      // Named like an id, or documented as holding one (application inputs: "you must pass the `file_id`").
      const doc = ts.displayPartsToString(p.getDocumentationComment(checker));
      const named = IDISH.test(p.name) && (p.name !== "id" || /messages\[\]\.tool_calls\[\]$/.test(prefix));
      if (named || /`?(file_id|graph_id)`?\b|\bfile ID\b/i.test(doc)) out.add(leaf);
      idPaths(checker, pt, path, depth + 1, out, at);
    }
  }
}

function sdkRequestRefs(): Map<string, Set<string>> {
  const files = [...new Set(Object.keys(PARAMS).map((k) => join(SDK, `${k.split(":")[0]}.d.ts`)))];
  const program = ts.createProgram(files, { strict: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const found = new Map<string, Set<string>>();
  for (const [key] of Object.entries(PARAMS)) {
    const [file, name] = key.split(":");
    const sf = program.getSourceFile(join(SDK, `${file}.d.ts`))!;
    const sym = checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!).find((s) => s.name === name);
    if (!sym) throw new Error(`writer-sdk has no ${name} in resources/${file}.d.ts any more: update PARAMS`);
    const out = new Set<string>();
    idPaths(checker, checker.getDeclaredTypeOfSymbol(sym), "", 0, out, sf);
    found.set(key, out);
  }
  return found;
}

/** A table ref's path as a type path: `tools[type=graph]` is any element of `tools`. */
const asTypePath = (at: string) => at.replace(/\[[^\]]+=[^\]]+\]/g, "[]");

test("every id-like field of writer-sdk's request types is a reference in the endpoint table, or listed with why not", () => {
  const found = sdkRequestRefs();
  const missing: string[] = [];
  for (const [key, paths] of found) {
    const target = PARAMS[key];
    if (typeof target !== "string") continue;
    const e = ENDPOINTS[target];
    const covered = new Set(("refs" in e ? (e.refs as readonly { at: string }[]) : []).map((r) => asTypePath(r.at)));
    for (const p of paths) {
      const chatKey = `${target}:${p}`;
      if (covered.has(p) || NOT_REFERENCES[chatKey]) continue;
      missing.push(`${key} ${p} (endpoint ${target})`);
    }
  }
  expect(missing).toEqual([]);
  // The reading found what it must, or it would prove nothing.
  expect([...found.get("chat:ChatChatParams")!]).toEqual(expect.arrayContaining(["tools[].function.graph_ids[]", "tools[].function.variables[].file_id"]));
  expect([...found.get("applications/jobs:JobCreateParams")!]).toContain("inputs[].value[]");
  expect([...found.get("applications/applications:ApplicationGenerateContentParams")!]).toContain("inputs[].value[]");
});

test("every path parameter that names an object kind is a checked reference; writer-sdk endpoints not served have no route", () => {
  for (const e of ENDPOINT_LIST) {
    for (const [, param] of e.path.matchAll(/\{(\w+)\}/g)) {
      if (param === "application_id") continue; // the organisation's
      expect([e.name, param, e.refs?.some((r) => r.in === "path" && r.at === param)]).toEqual([e.name, param, true]);
    }
  }
  const served = new Set(ENDPOINT_LIST.map((e) => `${e.method} ${e.path}`));
  for (const t of Object.values(PARAMS)) if (typeof t !== "string") expect(served.has(t.notServed)).toBe(false);
});

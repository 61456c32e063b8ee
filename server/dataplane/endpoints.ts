import { ENDPOINT_CAPABILITY, type Capability } from "../../api";
import type { ObjectKind } from "../store";

/**
 * What the gateway must know of each Writer endpoint beyond its capability: which objects it
 * creates (recorded as the caller's), lists (filtered to the caller's) or names (by path
 * parameter or body field; another agent's answers 404), whether it generates (token usage is
 * counted from its answer) and may stream (SSE with `stream: true`), and whether its body is an
 * upload (streamed through, never parsed).
 */
export interface EndpointRule {
  method: string;
  /** Writer's path template, e.g. /v1/files/{file_id}. */
  path: string;
  capability: Capability;
  creates?: ObjectKind;
  lists?: { kind: ObjectKind; field: "data" | "result" };
  params?: Record<string, ObjectKind>;
  /** Body fields naming objects: a string or an array of strings, or `variables[].file_id`. */
  bodyRefs?: { field: string; kind: ObjectKind; each?: string }[];
  generates?: boolean;
  streams?: boolean;
  upload?: boolean;
  /** Whether it names objects at all (params or bodyRefs): derived, so the rest skip the check. */
  names?: boolean;
}

const RULES: Record<string, Omit<EndpointRule, "method" | "path" | "capability">> = {
  "POST /v1/chat": { generates: true, streams: true },
  "POST /v1/completions": { generates: true, streams: true },
  "GET /v1/graphs": { lists: { kind: "graph", field: "data" } },
  "POST /v1/graphs": { creates: "graph" },
  "POST /v1/graphs/question": { generates: true, streams: true, bodyRefs: [{ field: "graph_ids", kind: "graph" }] },
  "GET /v1/graphs/{graph_id}": { params: { graph_id: "graph" } },
  "PUT /v1/graphs/{graph_id}": { params: { graph_id: "graph" } },
  "DELETE /v1/graphs/{graph_id}": { params: { graph_id: "graph" } },
  "POST /v1/graphs/{graph_id}/file": { params: { graph_id: "graph" }, bodyRefs: [{ field: "file_id", kind: "file" }] },
  "DELETE /v1/graphs/{graph_id}/file/{file_id}": { params: { graph_id: "graph", file_id: "file" } },
  "GET /v1/files": { lists: { kind: "file", field: "data" } },
  "POST /v1/files": { creates: "file", upload: true },
  "GET /v1/files/{file_id}": { params: { file_id: "file" } },
  "DELETE /v1/files/{file_id}": { params: { file_id: "file" } },
  "GET /v1/files/{file_id}/download": { params: { file_id: "file" } },
  "POST /v1/files/retry": { bodyRefs: [{ field: "file_ids", kind: "file" }] },
  "POST /v1/applications/{application_id}": { generates: true, streams: true },
  "POST /v1/applications/{application_id}/jobs": { creates: "job" },
  "GET /v1/applications/{application_id}/jobs": { lists: { kind: "job", field: "result" } },
  "GET /v1/applications/jobs/{job_id}": { params: { job_id: "job" } },
  "POST /v1/applications/jobs/{job_id}/retry": { params: { job_id: "job" } },
  "PUT /v1/applications/{application_id}/graphs": { bodyRefs: [{ field: "graph_ids", kind: "graph" }] },
  "POST /v1/tools/pdf-parser/{file_id}": { params: { file_id: "file" } },
  "POST /v1/vision": { bodyRefs: [{ field: "variables", kind: "file", each: "file_id" }] },
};

/** Every data-plane endpoint with its rule (the capability catalog is the list of endpoints). */
export const ENDPOINTS: EndpointRule[] = [...ENDPOINT_CAPABILITY].map(([endpoint, capability]) => {
  const [method, path] = endpoint.split(" ");
  const rule = RULES[endpoint] ?? {};
  return { method, path, capability, ...rule, names: Object.keys(rule.params ?? {}).length > 0 || (rule.bodyRefs?.length ?? 0) > 0 };
});

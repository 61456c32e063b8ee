import type { z } from "zod/v4";
import { describeIssues } from "../api";
import { ApiError } from "./errors";

/**
 * Runs a zod schema from api/ over one part of the request. Malformed input (wrong type, unknown
 * field, out of range) is a 400 naming the field; semantic checks (unknown team, owner not in team)
 * happen later, in the routes, as 422.
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: "body" | "query" | "params"): z.infer<S> {
  const r = schema.safeParse(value ?? (where === "body" ? {} : value));
  if (r.success) return r.data;
  const described = describeIssues(r.error);
  const details = r.error.issues.map((issue, i) => {
    let field = described[i].field;
    // Name the unknown key itself rather than its parent object.
    if (issue.code === "unrecognized_keys") field = [...issue.path.map(String), issue.keys[0]].join(".");
    if (field === "(body)" && where !== "body") field = `(${where})`;
    return { field, description: `${field}: ${described[i].message}` };
  });
  throw new ApiError(400, details.map((d) => d.description).join("; "), { field: details[0].field, details });
}

import type { z } from "zod/v4";

/** One problem with an input, named by its path ("keys.support.owner", "expires_at"). */
export interface Issue {
  field: string;
  message: string;
}

/**
 * The one rendering of a zod error that every surface uses (the admin API's 400s, the provider's
 * check failures, the access spec's errors): one entry per problem, named by its path; an unknown
 * field is named itself; a missing one "is required".
 */
export function describeIssues(err: z.ZodError, opts: { prefix?: string; allowed?: (path: PropertyKey[]) => string[] | undefined } = {}): Issue[] {
  const out: Issue[] = [];
  const name = (path: PropertyKey[]) => [opts.prefix, ...path.map(String)].filter((s) => s !== undefined && s !== "").join(".");
  for (const i of err.issues) {
    if (i.code === "unrecognized_keys") {
      const allowed = opts.allowed?.(i.path);
      for (const k of i.keys) out.push({ field: name([...i.path, k]), message: `unknown field: remove it${allowed ? ` (allowed: ${allowed.join(", ")})` : ""}` });
      continue;
    }
    let message = i.message;
    if (i.code === "invalid_key") message = `is not a valid id: ${i.issues[0]?.message ?? i.message}`;
    else if (i.code === "invalid_type" && i.input === undefined) message = "is required";
    out.push({ field: name(i.path) || "(body)", message });
  }
  return out;
}

/** "field: message; field: message", for one-line errors. */
export function formatIssues(issues: Issue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join("; ");
}

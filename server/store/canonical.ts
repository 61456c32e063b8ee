import { DepthError } from "./errors";

/** Deeper than any valid admin body; bounds the recursion below on hostile input. */
const MAX_DEPTH = 32;

/** JSON with sorted object keys, so {"a":1,"b":2} and {"b":2,"a":1} count as the same body. */
export function canonicalJson(v: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new DepthError(`request body nests deeper than ${MAX_DEPTH} levels`, "(body)");
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x, depth + 1)).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k], depth + 1)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

import { z } from "zod/v4";

/**
 * JSON Schema keywords that state a rule written as a zod refinement. zod's conversion sees
 * `.min()`, `.max()`, `.regex()` and the like, but a `.refine()` or `.superRefine()` is code it
 * cannot read: without these keywords the OpenAPI document would allow what the server refuses.
 * server/openapi-schema.ts merges them into the converted schema.
 */
export type JsonKeywords = Record<string, unknown>;
export const STATED = z.registry<JsonKeywords>();

/**
 * `schema`, with the keywords that say what its refinements enforce. Registered on this very
 * instance: zod's methods return new ones, so call it last in a chain.
 */
export function stated<T extends z.ZodType>(schema: T, keywords: JsonKeywords): T {
  STATED.add(schema, keywords);
  return schema;
}

/** A string's length as JSON Schema counts it: code points (an emoji is one), not UTF-16 units as `.length` does. */
export const codePoints = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

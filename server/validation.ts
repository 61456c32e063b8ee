import type { FastifySchemaCompiler } from "fastify";
import type { z } from "zod/v4";
import { describeIssues } from "../api";
import { HttpError } from "./errors";

/**
 * Fastify's validator for the contract's zod schemas: malformed input (wrong type, unknown field,
 * out of range) is a 400 naming each offending field, in Writer's error body. Semantic checks
 * (unknown team, owner not in team) are the store's, as 422.
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => (data) => {
  const where = httpPart === "querystring" ? "query" : httpPart ?? "body";
  // No body at all reads as {} (the document marks such a body optional). Fastify passes it as null;
  // a JSON null body never gets here (plugins/body.ts refuses it).
  const r = schema.safeParse(data ?? (where === "body" ? {} : data), { reportInput: true });
  if (r.success) return { value: r.data };
  const details = describeIssues(r.error).map((i) => {
    const field = i.field === "(body)" && where !== "body" ? `(${where})` : i.field;
    return { field, description: `${field}: ${i.message}` };
  });
  return { error: new HttpError(400, details.map((d) => d.description).join("; "), { field: details[0].field, details }) };
};

import { z } from "zod/v4";
import { STATED } from "../api/json-schema";

// zod -> JSON Schema 2020-12 for the OpenAPI document. fastify-type-provider-zod's conversion has
// no hook of its own, and zod's loses rules: refinements (api/json-schema.ts states them) and a
// tuple's length. This is that conversion with those fixed.

type Json = Record<string, any>;
export type Io = "input" | "output";

/** The contract's named objects: they appear once under components.schemas and are referenced. */
export const NAMED = z.registry<{ id: string }>();

/** Requests read a named object's input form ("AgentInput"), answers its output form ("Agent"). */
const refOf = (id: string, io: Io) => `#/components/schemas/${io === "input" ? `${id}Input` : id}`;

const isEmpty = (j: unknown) => !!j && typeof j === "object" && Object.keys(j).length === 0;

/** The keywords stated for a schema, or for the one it was derived from (`.describe()` makes a child). */
function statedFor(s: any): Json | undefined {
  for (let cur = s; cur; cur = cur._zod.parent) {
    const k = STATED.get(cur);
    if (k) return k;
  }
  return undefined;
}

function override(io: Io) {
  return (ctx: { zodSchema: any; jsonSchema: Json }) => {
    const def = ctx.zodSchema._zod.def;
    const json = ctx.jsonSchema;
    // fastify-type-provider-zod's own adjustments, kept.
    if (def.type === "union" && json.anyOf) json.anyOf = json.anyOf.filter((s: Json) => !isEmpty(s));
    if (def.type === "date" && io === "output") Object.assign(json, { type: "string", format: "date-time" });
    if (def.type === "undefined" && io === "output") json.type = "null";
    if (def.type === "tuple" && !def.rest) {
      // A tuple has exactly its positions; zod writes none of the length. Positions that take
      // anything ({}) say nothing, and some tools read prefixItems poorly: left out then.
      json.minItems = json.maxItems = def.items.length;
      if (Array.isArray(json.prefixItems) && json.prefixItems.every(isEmpty)) delete json.prefixItems;
    }
    Object.assign(json, statedFor(ctx.zodSchema));
  };
}

const options = (io: Io) => ({
  target: "draft-2020-12" as const,
  io,
  unrepresentable: "any" as const,
  cycles: "ref" as const,
  reused: "inline" as const,
  override: override(io),
});

/** One schema of a route (a request part or an answer), named objects by reference. */
export function jsonSchemaOf(schema: z.ZodType, io: Io): Json {
  const id = NAMED.get(schema)?.id;
  if (id) return { $ref: refOf(id, io) };
  const { $schema: _s, $defs: _d, ...json } = z.toJSONSchema(schema, { ...options(io), metadata: NAMED }) as Json;
  // Named objects inside become local $defs; the components hold them.
  return JSON.parse(JSON.stringify(json).replace(/"#\/\$defs\/([^"]+)"/g, (_m, n: string) => JSON.stringify(refOf(n, io))));
}

/** components.schemas: every named object in its input and output forms. */
export function componentSchemas(): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const io of ["input", "output"] as const) {
    const { schemas } = z.toJSONSchema(NAMED, { ...options(io), uri: (id: string) => refOf(id, io) }) as { schemas: Record<string, Json> };
    for (const [id, s] of Object.entries(schemas)) {
      const { id: _id, ...json } = s;
      out[io === "input" ? `${id}Input` : id] = json;
    }
  }
  return out;
}

import { z } from "zod/v4";
import { CAPABILITIES, CapabilitySchema, TeamSchema, UserSchema } from "../../api";
import { AdminTokenInputs, AgentInputs, CapabilityInputs, KeyInputs } from "../inputs";
import { AdminTokenOutputsSchema, AgentOutputsSchema, KeyOutputsSchema } from "../outputs";

// The native provider's Pulumi package schema, derived from the same zod schemas the provider
// validates with (inputs) and writes state with (outputs); only descriptions are written here.
// `npm run schema` writes provider/native/schema.json; a test checks it equals what this builds.

export const PACKAGE = "writer";
const T = (name: string) => `${PACKAGE}:index:${name}`;

/** Properties the engine never sees as inputs: provider bookkeeping, or what import replaces. */
const HIDDEN_INPUTS = new Set(["adopt", "creationKey", "creationNonce", "rotationAnchor"]);
/** Outputs that are Pulumi secrets. */
export const SECRET_OUTPUTS: Record<string, string[]> = {
  ApiAgent: ["defaultKeySecret"],
  ApiKey: ["secret"],
  AgentCapability: [],
  AdminToken: ["secret"],
};

const DOCS: Record<string, string> = {
  name: "The name. Defaults to the resource's name. Updated in place.",
  description: "A short description. Updated in place.",
  capabilities: "The whole set of capabilities (Writer API endpoints its keys may call). When given, the agent owns the set; when omitted, capabilities are left to AgentCapability resources. Updated in place.",
  revokeDefaultKey: "Revoke the default \"Production\" key right after creation (or when switched on later).",
  agentId: "The agent. Changing it replaces the resource.",
  teamId: "Scope the key to one team (omit for all teams). Changing it replaces the key. Needs ownerId.",
  ownerId: "The key owner (a member of the team for a team-scoped key). Updated in place.",
  enabled: "false disables the key without revoking it. Default true. Updated in place.",
  expiresAt: "When the key stops working (ISO 8601, in the future). Updated in place.",
  rotationTriggers: "Any value; when it changes, the secret is regenerated in place (same key id).",
  rotateAfterDays: "Regenerate the secret in place once this many days have passed since the last rotation.",
  gracePeriodSeconds: "On rotation, how long the previous secret keeps working (0..604800 s). Default 86400.",
  requestsPerMinute: "The gateway answers 429 past this many requests a minute. Updated in place.",
  tokensPerMinute: "The gateway answers 429 once the tokens reported this minute reach it. Updated in place.",
  tokenBudget: "A token budget per UTC day or month. Updated in place.",
  capability: "The capability to switch on while this resource lives. Changing it replaces the resource.",
  secret: "The key's secret. Writer shows it only once; it is carried forward on refresh, and empty for an imported key.",
  defaultKeySecret: "The Production key's secret; empty when revoked or imported.",
  masked: "The masked secret, e.g. writer_sk_…a1b2.",
  role: "org_admin (everything), team_admin (its team's keys) or viewer (read everything but secrets). Changing it replaces the token.",
};

type Prop = Record<string, unknown>;

/** One JSON-schema property (zod's rendering) as a Pulumi schema property. */
function property(name: string, js: any, docs: boolean): Prop {
  const doc = docs && DOCS[name] ? { description: DOCS[name] } : {};
  const anyOf: any[] | undefined = js.anyOf ?? js.oneOf;
  if (anyOf) return property(name, anyOf.find((a) => a.type !== "null") ?? {}, docs);
  if (name === "capabilities" || name === "capability") {
    const ref = { $ref: `#/types/${T("Capability")}` };
    return js.type === "array" ? { type: "array", items: ref, ...doc } : { ...ref, ...doc };
  }
  if (name === "tokenBudget") return { $ref: `#/types/${T("TokenBudget")}`, ...doc };
  if (js.type === "array") return { type: "array", items: property("", js.items ?? {}, false), ...doc };
  if (js.type === "string" || js.type === "boolean" || js.type === "number" || js.type === "integer") return { type: js.type, ...doc };
  if (js.type === "object") return { type: "object", additionalProperties: { $ref: "pulumi.json#/Any" }, ...doc };
  return { $ref: "pulumi.json#/Any", ...doc };
}

function properties(schema: z.ZodType, io: "input" | "output", hidden: Set<string> = new Set(), docs = false) {
  const js = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as { properties: Record<string, unknown>; required?: string[] };
  const props: Record<string, Prop> = {};
  for (const [k, v] of Object.entries(js.properties)) if (!hidden.has(k)) props[k] = property(k, v, docs);
  return { props, required: (js.required ?? []).filter((k) => !hidden.has(k)) };
}

function resource(description: string, inputs: z.ZodType, outputs: z.ZodType, secrets: string[], optionalInputs: string[] = []) {
  const i = properties(inputs, "input", HIDDEN_INPUTS, true);
  const o = properties(outputs, "output", new Set(), true);
  for (const s of secrets) o.props[s] = { ...o.props[s], secret: true };
  return {
    description,
    inputProperties: i.props,
    requiredInputs: i.required.filter((k) => !optionalInputs.includes(k)),
    properties: o.props,
    required: o.required,
  };
}

const camel = <S extends z.ZodObject>(s: S, renames: Record<string, string>) =>
  z.object(Object.fromEntries(Object.entries(s.shape).map(([k, v]) => [renames[k] ?? k, v])));

export function buildSchema(version: string): Record<string, unknown> {
  const team = properties(camel(TeamSchema, { created_at: "createdAt" }), "output");
  const user = properties(camel(UserSchema, { created_at: "createdAt", team_ids: "teamIds" }), "output");
  const capability = properties(CapabilitySchema, "output");
  const budget = properties(z.object({ tokens: z.number().int(), period: z.enum(["day", "month"]) }), "output");
  return {
    name: PACKAGE,
    displayName: "Writer",
    version,
    description: "Writer API agents, capabilities and API keys as code (pulumi-writer's native provider).",
    keywords: ["pulumi", "writer", "api-keys", "category/utility"],
    license: "Apache-2.0",
    publisher: "pulumi-writer",
    config: {
      variables: {
        baseUrl: { type: "string", description: "The admin API's URL (writer-local's admin listener). Env fallback WRITER_BASE_URL; default http://127.0.0.1:8787." },
        adminToken: { type: "string", secret: true, description: "The admin token. Env fallback WRITER_ADMIN_TOKEN; for a loopback URL, writer-local's token file." },
      },
    },
    provider: {
      description: "The writer provider: where the admin API is and how to authenticate.",
      inputProperties: {
        baseUrl: { type: "string", description: "The admin API's URL." },
        adminToken: { type: "string", secret: true, description: "The admin token." },
      },
    },
    types: {
      [T("Capability")]: {
        type: "string",
        description: "A capability: which Writer API endpoints an agent's keys may call.",
        enum: CAPABILITIES.map((c) => ({ value: c.id, name: c.id.replace(/(^|_)(\w)/g, (_m, _u, ch: string) => ch.toUpperCase()), description: `${c.name}: ${c.endpoints.join(", ")}` })),
      },
      [T("TokenBudget")]: { type: "object", description: "A token budget per UTC day or month.", properties: budget.props, required: budget.required },
      [T("CapabilityInfo")]: { type: "object", description: "A capability of the catalog.", properties: capability.props, required: capability.required },
    },
    resources: {
      [T("ApiAgent")]: resource("A Writer API agent, with its default \"Production\" key.", AgentInputs, AgentOutputsSchema, SECRET_OUTPUTS.ApiAgent, ["name"]),
      [T("ApiKey")]: resource("An API key of a Writer API agent, scoped to all teams or one team. Import with `<agentId>/<keyId>`.", KeyInputs, KeyOutputsSchema, SECRET_OUTPUTS.ApiKey, ["name"]),
      [T("AgentCapability")]: resource("One capability of an agent, switched on for as long as the resource lives.", CapabilityInputs, CapabilityInputs, SECRET_OUTPUTS.AgentCapability),
      [T("AdminToken")]: resource("An admin token of writer-local, declared in code (a pipeline's own token, with the least role it needs); its secret is a Pulumi secret. Any change replaces it, the new one first.", AdminTokenInputs, AdminTokenOutputsSchema, SECRET_OUTPUTS.AdminToken, ["name"]),
    },
    functions: {
      [T("getTeam")]: {
        description: "Finds a team by name or id.",
        inputs: { properties: { name: { type: "string" }, id: { type: "string" } } },
        outputs: { properties: team.props, required: team.required },
      },
      [T("getUser")]: {
        description: "Finds a user by email (case-insensitive) or id.",
        inputs: { properties: { email: { type: "string" }, id: { type: "string" } } },
        outputs: { properties: user.props, required: user.required },
      },
      [T("getCapabilities")]: {
        description: "The capability catalog as the server reports it.",
        outputs: { properties: { capabilities: { type: "array", items: { $ref: `#/types/${T("CapabilityInfo")}` } } }, required: ["capabilities"] },
      },
    },
    language: {
      python: { packageName: "pulumi_writer", requires: { pulumi: ">=3.0.0,<4.0.0" } },
      nodejs: { packageName: "@pulumi-writer/writer" },
    },
  };
}

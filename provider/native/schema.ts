import { z } from "zod/v4";
import { CAPABILITIES, CapabilitySchema, TeamSchema, UserSchema } from "../../api";
import { AdminTokenInputs, AgentInputs, CapabilityInputs, KeyInputs } from "../inputs";
import { AdminTokenOutputsSchema, AgentOutputsSchema, KeyOutputsSchema } from "../outputs";

// The native provider's Pulumi package schema, derived from the same zod schemas the provider
// validates with (inputs) and writes state with (outputs); only descriptions are written here.
// `npm run schema` writes provider/native/schema.json; a test checks it equals what this builds.

export const PACKAGE = "writer";
/**
 * Where the CLI downloads the plugin archive of a published release (it appends
 * pulumi-resource-writer-v<version>-<os>-<arch>.tar.gz). Built by `npm run package:plugin`.
 */
export const PLUGIN_DOWNLOAD_URL = "https://github.com/pulumi-writer/pulumi-writer/releases/download/v${VERSION}";
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

const ACCESS_POLICY_DOC = "Writer access as code: the agents, capabilities and API keys of one environment, from a declarative spec. Map keys in the spec are stable ids (children are named `<policy>-<agent>` and `<policy>-<agent>-<key>`); display names are `name` fields, so renaming one is an in-place update, and `renamedFrom` keeps objects when an id changes. Team names and owner emails are resolved at preview; every problem in the spec is reported with its path.";

const USAGE_FIGURES = {
  requests: { type: "integer", description: "Requests answered." },
  promptTokens: { type: "integer", description: "Prompt tokens (as Writer reported them, or estimated)." },
  completionTokens: { type: "integer", description: "Completion tokens (as Writer reported them, or estimated)." },
  refusals: { type: "object", additionalProperties: { type: "integer" }, description: "Requests refused, by reason." },
};

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
    pluginDownloadURL: PLUGIN_DOWNLOAD_URL,
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
      [T("UsageTotals")]: {
        type: "object", description: "Requests, tokens and refusals (by reason) over a period.",
        properties: USAGE_FIGURES, required: ["requests", "promptTokens", "completionTokens", "refusals"],
      },
      [T("UsageDay")]: {
        type: "object", description: "Requests, tokens and refusals (by reason) of one UTC day.",
        properties: { date: { type: "string", description: "The UTC day, YYYY-MM-DD." }, ...USAGE_FIGURES }, required: ["date", "requests", "promptTokens", "completionTokens", "refusals"],
      },
      [T("CapabilityInfo")]: { type: "object", description: "A capability of the catalog.", properties: capability.props, required: capability.required },
    },
    resources: {
      [T("ApiAgent")]: resource("A Writer API agent, with its default \"Production\" key.", AgentInputs, AgentOutputsSchema, SECRET_OUTPUTS.ApiAgent, ["name"]),
      [T("ApiKey")]: resource("An API key of a Writer API agent, scoped to all teams or one team. Import with `<agentId>/<keyId>`.", KeyInputs, KeyOutputsSchema, SECRET_OUTPUTS.ApiKey, ["name"]),
      [T("AgentCapability")]: resource("One capability of an agent, switched on for as long as the resource lives.", CapabilityInputs, CapabilityInputs, SECRET_OUTPUTS.AgentCapability),
      [T("AccessPolicy")]: {
        isComponent: true,
        description: ACCESS_POLICY_DOC,
        inputProperties: {
          spec: { $ref: "pulumi.json#/Any", description: "The declarative spec: `{agents: {<id>: {name, description, capabilities, revokeDefaultKey, renamedFrom, keys: {<id>: {name, team, owner, allTeams, enabled, expiresAt, rotation, rotateAfterDays, gracePeriod, requestsPerMinute, tokensPerMinute, tokenBudget, renamedFrom}}}}}`, the same shape as the TypeScript class's (README \"Writer access as code\")." },
          source: { type: "string", description: "Where the spec came from (a file, a config key), shown in error messages." },
          namePrefix: { type: "string", description: "Prepended to every agent's display name, so stacks sharing one organisation stay apart (e.g. `[pr-42] `). Changing it renames in place." },
        },
        requiredInputs: ["spec"],
        properties: {
          keys: { type: "object", additionalProperties: { type: "string" }, secret: true, description: "Every key's secret, by \"agent/key\" (one secret)." },
          keyIds: { type: "object", additionalProperties: { type: "string" }, description: "Key ids, by \"agent/key\"." },
          maskedKeys: { type: "object", additionalProperties: { type: "string" }, description: "Masked secrets, by \"agent/key\": safe to print." },
          agentIds: { type: "object", additionalProperties: { type: "string" }, description: "Agent ids, by the spec's agent id." },
        },
        required: ["keys", "keyIds", "maskedKeys", "agentIds"],
      },
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
      [T("getUsage")]: {
        description: "What an agent's keys (or one key) used through the gateway, per UTC day (default the last 30 days). A lookup, not a resource output: figures that move on every call would make every refreshing preview look like drift.",
        inputs: {
          properties: {
            agentId: { type: "string", description: "The agent." },
            keyId: { type: "string", description: "One key of the agent (its key id); omitted: all of them." },
            from: { type: "string", description: "First UTC day, YYYY-MM-DD." },
            to: { type: "string", description: "Last UTC day, YYYY-MM-DD." },
          },
          required: ["agentId"],
        },
        outputs: {
          properties: {
            agentId: { type: "string" }, keyId: { type: "string" }, from: { type: "string" }, to: { type: "string" },
            days: { type: "array", items: { $ref: `#/types/${T("UsageDay")}` } },
            totals: { $ref: `#/types/${T("UsageTotals")}` },
          },
          required: ["agentId", "from", "to", "days", "totals"],
        },
      },
      [T("getCapabilities")]: {
        description: "The capability catalog as the server reports it.",
        outputs: { properties: { capabilities: { type: "array", items: { $ref: `#/types/${T("CapabilityInfo")}` } } }, required: ["capabilities"] },
      },
    },
    language: {
      // respectSchemaVersion: the package and its pulumi-plugin.json carry the schema's version (the plugin's).
      python: { packageName: "pulumi_writer", requires: { pulumi: ">=3.0.0,<4.0.0" }, respectSchemaVersion: true, pyproject: { enabled: true } },
      nodejs: { packageName: "@pulumi-writer/writer" },
    },
  };
}

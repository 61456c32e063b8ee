import { z } from "zod/v4";
import { CAPABILITIES, CapabilitySchema, TeamSchema, UserSchema } from "../../api";
import { AdminTokenInputs, AgentInputs, CapabilityInputs, KeyInputs } from "../inputs";
import { AdminTokenOutputsSchema, AgentOutputsSchema, KeyOutputsSchema } from "../outputs";
import {
  type PropertyDocs,
  AGENT_DOCS,
  KEY_DOCS,
  CAPABILITY_DOCS,
  ADMIN_TOKEN_DOCS,
  TEAM_DOCS,
  USER_DOCS,
  CAPABILITY_INFO_DOCS,
  BUDGET_DOCS,
  AGENT_DESCRIPTION,
  KEY_DESCRIPTION,
  CAPABILITY_DESCRIPTION,
  ADMIN_TOKEN_DESCRIPTION,
  ACCESS_POLICY_DESCRIPTION,
  GET_TEAM_DESCRIPTION,
  GET_USER_DESCRIPTION,
  GET_USAGE_DESCRIPTION,
  GET_CAPABILITIES_DESCRIPTION,
} from "./schema-docs";

// The native provider's Pulumi package schema, derived from the same zod schemas the provider
// validates with (inputs) and writes state with (outputs); only descriptions and examples are
// written here. `npm run schema` writes provider/native/schema.json (and the Python SDK, whose
// docstrings carry the descriptions and the Python examples); a test checks it equals what this
// builds, and tests/integration/schema-examples.test.ts runs every example.

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

type Prop = Record<string, unknown>;

const USAGE_FIGURES = {
  requests: { type: "integer", description: "Requests answered." },
  promptTokens: { type: "integer", description: "Prompt tokens (as Writer reported them, or estimated)." },
  completionTokens: { type: "integer", description: "Completion tokens (as Writer reported them, or estimated)." },
  refusals: { type: "object", additionalProperties: { type: "integer" }, description: "Requests refused, by reason." },
};

/** One JSON-schema property (zod's rendering) as a Pulumi schema property. */
function property(name: string, js: any, description?: string): Prop {
  const doc = description ? { description } : {};
  const anyOf: any[] | undefined = js.anyOf ?? js.oneOf;
  if (anyOf) return property(name, anyOf.find((a) => a.type !== "null") ?? {}, description);
  if (name === "capabilities" || name === "capability") {
    const ref = { $ref: `#/types/${T("Capability")}` };
    return js.type === "array" ? { type: "array", items: ref, ...doc } : { ...ref, ...doc };
  }
  if (name === "tokenBudget") return { $ref: `#/types/${T("TokenBudget")}`, ...doc };
  if (js.type === "array") return { type: "array", items: property("", js.items ?? {}), ...doc };
  if (js.type === "string" || js.type === "boolean" || js.type === "number" || js.type === "integer") return { type: js.type, ...doc };
  if (js.type === "object") return { type: "object", additionalProperties: { $ref: "pulumi.json#/Any" }, ...doc };
  return { $ref: "pulumi.json#/Any", ...doc };
}

/**
 * The properties of a zod object, each with its description from `docs` (then `fallback`): a
 * property without one is an error, so a field added to the zod schemas cannot ship undocumented.
 */
function properties(where: string, schema: z.ZodType, io: "input" | "output", docs: Record<string, string>, fallback: Record<string, string> = {}, hidden: Set<string> = new Set()) {
  const js = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as { properties: Record<string, unknown>; required?: string[] };
  const props: Record<string, Prop> = {};
  for (const [k, v] of Object.entries(js.properties)) {
    if (hidden.has(k)) continue;
    const description = docs[k] ?? fallback[k];
    if (!description) throw new Error(`schema: ${where} property ${k} has no description`);
    props[k] = property(k, v, description);
  }
  return { props, required: (js.required ?? []).filter((k) => !hidden.has(k)) };
}

function resource(name: string, description: string, inputs: z.ZodType, outputs: z.ZodType, docs: PropertyDocs, secrets: string[], optionalInputs: string[] = []) {
  const i = properties(`${name} input`, inputs, "input", docs.inputs, {}, HIDDEN_INPUTS);
  const o = properties(`${name} output`, outputs, "output", docs.outputs, docs.inputs);
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

const BASE_URL_DOC = "The admin API's URL (writer-local's admin listener, or your Writer admin API). Env fallback WRITER_BASE_URL; default http://127.0.0.1:8787 (writer-local on this machine).";
const ADMIN_TOKEN_DOC = "The admin token (set it with `pulumi config set --secret writer:adminToken`). Env fallback WRITER_ADMIN_TOKEN; for a loopback baseUrl only, the token file writer-local keeps in its data dir (.writer-local/admin-token in the program's folder, or $WRITER_LOCAL_DATA_DIR/admin-token). Never a resource input, so never in any resource's state.";

export function buildSchema(version: string): Record<string, unknown> {
  const team = properties("getTeam output", camel(TeamSchema, { created_at: "createdAt" }), "output", TEAM_DOCS);
  const user = properties("getUser output", camel(UserSchema, { created_at: "createdAt", team_ids: "teamIds" }), "output", USER_DOCS);
  const capability = properties("CapabilityInfo", CapabilitySchema, "output", CAPABILITY_INFO_DOCS);
  const budget = properties("TokenBudget", z.object({ tokens: z.number().int(), period: z.enum(["day", "month"]) }), "output", BUDGET_DOCS);
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
        baseUrl: { type: "string", description: BASE_URL_DOC },
        adminToken: { type: "string", secret: true, description: ADMIN_TOKEN_DOC },
      },
    },
    provider: {
      description: "The writer provider: where the admin API is and how to authenticate. The default provider takes `writer:baseUrl` and `writer:adminToken` from the stack config; an explicit provider resource takes them as arguments (e.g. to manage two organisations from one program).",
      inputProperties: {
        baseUrl: { type: "string", description: "The admin API's URL. Unset: env WRITER_BASE_URL, then http://127.0.0.1:8787 (writer-local on this machine)." },
        adminToken: { type: "string", secret: true, description: "The admin token; as an input of this provider resource it is stored in the state, encrypted. Unset: env WRITER_ADMIN_TOKEN, then, for a loopback baseUrl only, writer-local's token file (.writer-local/admin-token in the program's folder, or $WRITER_LOCAL_DATA_DIR/admin-token)." },
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
      [T("ApiAgent")]: resource("ApiAgent", AGENT_DESCRIPTION, AgentInputs, AgentOutputsSchema, AGENT_DOCS, SECRET_OUTPUTS.ApiAgent, ["name"]),
      [T("ApiKey")]: resource("ApiKey", KEY_DESCRIPTION, KeyInputs, KeyOutputsSchema, KEY_DOCS, SECRET_OUTPUTS.ApiKey, ["name"]),
      [T("AgentCapability")]: resource("AgentCapability", CAPABILITY_DESCRIPTION, CapabilityInputs, CapabilityInputs, CAPABILITY_DOCS, SECRET_OUTPUTS.AgentCapability),
      [T("AccessPolicy")]: {
        isComponent: true,
        description: ACCESS_POLICY_DESCRIPTION,
        inputProperties: {
          spec: { $ref: "pulumi.json#/Any", description: "The declarative spec: `{agents: {<id>: {name, description, capabilities, revokeDefaultKey, renamedFrom, keys: {<id>: {name, team, owner, allTeams, enabled, expiresAt, rotation, rotateAfterDays, gracePeriod, requestsPerMinute, tokensPerMinute, tokenBudget, renamedFrom}}}}}`, the same shape as the TypeScript class's (README \"Writer access as code\"). A key names its team by name and its owner by email; unknown fields are refused." },
          source: { type: "string", description: "Where the spec came from (a file, a config key), shown in error messages." },
          namePrefix: { type: "string", description: "Prepended to every agent's display name, so stacks sharing one organisation stay apart (e.g. \"(pr-42) \"). Changing it renames in place." },
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
      [T("AdminToken")]: resource("AdminToken", ADMIN_TOKEN_DESCRIPTION, AdminTokenInputs, AdminTokenOutputsSchema, ADMIN_TOKEN_DOCS, SECRET_OUTPUTS.AdminToken, ["name"]),
    },
    functions: {
      [T("getTeam")]: {
        description: GET_TEAM_DESCRIPTION,
        inputs: {
          properties: {
            name: { type: "string", description: "The team's name (exact)." },
            id: { type: "string", description: "The team's id." },
          },
        },
        outputs: { properties: team.props, required: team.required },
      },
      [T("getUser")]: {
        description: GET_USER_DESCRIPTION,
        inputs: {
          properties: {
            email: { type: "string", description: "The user's email (case-insensitive)." },
            id: { type: "string", description: "The user's id." },
          },
        },
        outputs: { properties: user.props, required: user.required },
      },
      [T("getUsage")]: {
        description: GET_USAGE_DESCRIPTION,
        inputs: {
          properties: {
            agentId: { type: "string", description: "The agent." },
            keyId: { type: "string", description: "One key of the agent: an ApiKey's id as it is (`<agentId>/<keyId>`), or the key id alone; omitted: all of them." },
            from: { type: "string", description: "First UTC day, YYYY-MM-DD (default 29 days before to)." },
            to: { type: "string", description: "Last UTC day, YYYY-MM-DD (default today)." },
          },
          required: ["agentId"],
        },
        outputs: {
          properties: {
            agentId: { type: "string", description: "The agent." },
            keyId: { type: "string", description: "The key, when one was asked for." },
            from: { type: "string", description: "First UTC day of the figures, YYYY-MM-DD." },
            to: { type: "string", description: "Last UTC day of the figures, YYYY-MM-DD." },
            days: { type: "array", items: { $ref: `#/types/${T("UsageDay")}` }, description: "The figures of each UTC day with any use between `from` and `to`, oldest first." },
            totals: { $ref: `#/types/${T("UsageTotals")}`, description: "The figures summed over the period." },
          },
          required: ["agentId", "from", "to", "days", "totals"],
        },
      },
      [T("getCapabilities")]: {
        description: GET_CAPABILITIES_DESCRIPTION,
        outputs: { properties: { capabilities: { type: "array", items: { $ref: `#/types/${T("CapabilityInfo")}` }, description: "Every capability the server knows." } }, required: ["capabilities"] },
      },
    },
    language: {
      // respectSchemaVersion: the package and its pulumi-plugin.json carry the schema's version (the plugin's).
      python: { packageName: "pulumi_writer", requires: { pulumi: ">=3.0.0,<4.0.0" }, respectSchemaVersion: true, pyproject: { enabled: true } },
      nodejs: { packageName: "@pulumi-writer/writer" },
    },
  };
}

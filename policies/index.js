// Key hygiene for Writer access managed with pulumi-writer, as a CrossGuard policy pack:
//   pulumi preview --policy-pack policies [--policy-pack-config policies/config.example.json]
// The rules match the resources whether they come from the dynamic resources (TypeScript classes:
// type pulumi-nodejs:dynamic/writer:<Type>) or the native provider (writer:index:<Type>). Each has a
// configurable enforcement level and a message that says what to change. Plain JavaScript, so the
// pack runs with nothing to compile; @pulumi/policy comes from the repository's (or your) node_modules.
const { PolicyPack } = require("@pulumi/policy");

const ALL_CAPABILITIES = ["chat", "completions", "models", "knowledge_graph", "files", "applications", "tools_pdf_parser", "tools_web_search", "vision", "translation"];
const DEFAULT_GRACE_SECONDS = 86400; // what an ApiKey gets when it sets none

/** "ApiKey" for either kind of resource, or undefined for anything else. */
function writerType(type) {
  const m = /^(?:pulumi-nodejs:dynamic\/writer|writer:index):(ApiKey|ApiAgent|AgentCapability)$/.exec(type);
  return m ? m[1] : undefined;
}

/** The stack a resource belongs to: urn:pulumi:<stack>::<project>::<type>::<name>. */
function stackOf(urn) {
  return String(urn).split(":")[2] ?? "";
}

/** A stack name pattern with * wildcards ("prod*", "*-production"). */
function matches(pattern, stack) {
  const re = new RegExp(`^${String(pattern).split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(stack);
}

const isProtected = (args) => matches(args.getConfig().stackPattern, stackOf(args.urn));
const stackPatternSchema = { stackPattern: { type: "string", default: "prod*", description: "Stacks these rules apply to (* is a wildcard)." } };

/**
 * Not an unknown (a computed value at preview): those are not judged, like the provider's own
 * check. An absent property is known: it is unset.
 */
const known = (v) => v !== "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

module.exports = new PolicyPack("writer-key-hygiene", {
  policies: [
    {
      name: "writer-key-rotation",
      description: "Every Writer API key rotates (rotateAfterDays at most the configured maximum) or expires (expiresAt).",
      enforcementLevel: "mandatory",
      configSchema: { properties: { maxRotateAfterDays: { type: "number", default: 90, minimum: 1 } } },
      validateResource: (args, reportViolation) => {
        if (writerType(args.type) !== "ApiKey") return;
        const { maxRotateAfterDays } = args.getConfig();
        const days = args.props.rotateAfterDays;
        const expires = args.props.expiresAt;
        if (!known(expires) || expires) return;
        if (!known(days)) return;
        if (days === undefined) {
          reportViolation(`ApiKey "${args.name}" never rotates and never expires: set rotateAfterDays (at most ${maxRotateAfterDays}) or expiresAt.`);
        } else if (days > maxRotateAfterDays) {
          reportViolation(`ApiKey "${args.name}" rotates every ${days} days: set rotateAfterDays to at most ${maxRotateAfterDays} (or give it an expiresAt).`);
        }
      },
    },
    {
      name: "writer-no-all-teams-keys",
      description: "No all-teams keys in protected stacks (by name, default prod*): scope each key to a team.",
      enforcementLevel: "mandatory",
      configSchema: { properties: { ...stackPatternSchema } },
      validateResource: (args, reportViolation) => {
        if (writerType(args.type) !== "ApiKey" || !isProtected(args)) return;
        const team = args.props.teamId;
        if (known(team) && !team) {
          reportViolation(`ApiKey "${args.name}" is valid for all teams in stack ${stackOf(args.urn)}: set teamId (and ownerId) to scope it to one team.`);
        }
      },
    },
    {
      name: "writer-grace-period",
      description: "In protected stacks, a rotation's grace period (gracePeriodSeconds, default 86400) is at most the configured bound.",
      enforcementLevel: "mandatory",
      configSchema: { properties: { ...stackPatternSchema, maxGracePeriodSeconds: { type: "number", default: 86400, minimum: 0 } } },
      validateResource: (args, reportViolation) => {
        if (writerType(args.type) !== "ApiKey" || !isProtected(args)) return;
        const { maxGracePeriodSeconds } = args.getConfig();
        const grace = args.props.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
        if (known(grace) && grace > maxGracePeriodSeconds) {
          reportViolation(`ApiKey "${args.name}" keeps an old secret working for ${grace} s after a rotation: set gracePeriodSeconds to at most ${maxGracePeriodSeconds}.`);
        }
      },
    },
    {
      name: "writer-capabilities",
      description: "No agent holds every capability; optionally, only capabilities of an allow-list.",
      enforcementLevel: "mandatory",
      configSchema: { properties: { allowedCapabilities: { type: "array", items: { type: "string" } } } },
      validateResource: (args, reportViolation) => {
        const t = writerType(args.type);
        const { allowedCapabilities } = args.getConfig();
        const caps = t === "ApiAgent" ? args.props.capabilities : t === "AgentCapability" ? [args.props.capability] : undefined;
        if (!Array.isArray(caps) || !caps.every(known)) return;
        if (t === "ApiAgent" && ALL_CAPABILITIES.every((c) => caps.includes(c))) {
          reportViolation(`ApiAgent "${args.name}" holds every capability: give it only the ones its keys need.`);
        }
        if (Array.isArray(allowedCapabilities)) {
          const extra = caps.filter((c) => !allowedCapabilities.includes(c));
          if (extra.length) reportViolation(`${t} "${args.name}" uses ${extra.join(", ")}, not allowed here: allowed are ${allowedCapabilities.join(", ") || "none"}.`);
        }
      },
    },
    {
      name: "writer-revoke-default-key",
      description: "In protected stacks, every agent revokes its default \"Production\" all-teams key (revokeDefaultKey: true).",
      enforcementLevel: "mandatory",
      configSchema: { properties: { ...stackPatternSchema } },
      validateResource: (args, reportViolation) => {
        if (writerType(args.type) !== "ApiAgent" || !isProtected(args)) return;
        const revoke = args.props.revokeDefaultKey;
        if (known(revoke) && revoke !== true) {
          reportViolation(`ApiAgent "${args.name}" keeps its default "Production" all-teams key in stack ${stackOf(args.urn)}: set revokeDefaultKey: true.`);
        }
      },
    },
  ],
});

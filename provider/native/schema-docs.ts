// The words of the native provider's schema: every property's description, and each resource's,
// component's and function's description with its examples in TypeScript, Python and YAML
// (Pulumi's registry form; each SDK generator keeps its own language). tests/integration/
// schema-examples.test.ts runs every example; schema.ts fails to build when a property has none.

/** The descriptions of a resource's arguments, and of its outputs where they say more than the argument's. */
export interface PropertyDocs {
  inputs: Record<string, string>;
  outputs: Record<string, string>;
}

export const AGENT_DOCS: PropertyDocs = {
  inputs: {
    name: "The agent's name in AI Studio. Defaults to the resource's name. Updated in place.",
    description: "A short description of what the agent is for. Updated in place.",
    capabilities: "The whole set of capabilities (which Writer API endpoints its keys may call; order does not matter). When given, the agent owns the set and puts it right on every update; when omitted, the agent never touches capabilities and its diff ignores them: manage them with AgentCapability resources (never both on one agent). Updated in place.",
    revokeDefaultKey: "Revoke the agent's default \"Production\" key (valid for all teams) right after creation, or when switched on later; switching it off again does not bring the key back. Default false.",
  },
  outputs: {
    name: "The agent's name, as on the server.",
    description: "The agent's description, as on the server (empty when none).",
    capabilities: "The capabilities enabled on the server, sorted, whoever manages them (this resource or AgentCapability resources).",
    revokeDefaultKey: "Whether this resource revoked the default \"Production\" key.",
    createdAt: "When the agent was created (ISO 8601).",
    updatedAt: "When the agent was last changed (ISO 8601).",
    defaultKeyId: "The id of the default \"Production\" key Writer made with the agent; empty for an imported agent.",
    defaultKeySecret: "The Production key's secret (a Pulumi secret); empty when the key was revoked (revokeDefaultKey) or the agent was imported: Writer shows a secret only once.",
    defaultKeyMasked: "The Production key's masked secret, e.g. writer_sk_…a1b2; empty for an imported agent.",
  },
};

export const KEY_DOCS: PropertyDocs = {
  inputs: {
    agentId: "The id of the agent the key belongs to. Changing it replaces the key (the new key is created before the old one is revoked).",
    name: "The key's name. Defaults to the resource's name. Updated in place.",
    teamId: "Scope the key to one team (its id, e.g. from getTeam); omitted, the key is valid for all teams. Needs ownerId. Changing it replaces the key (the new key is created before the old one is revoked).",
    ownerId: "The key owner's user id (e.g. from getUser): for a team-scoped key, a member of that team (the server refuses anyone else with 422). Updated in place.",
    enabled: "false disables the key without revoking it (its secret stops working until it is enabled again). Default true. Updated in place.",
    expiresAt: "When the key stops working (ISO 8601). A new or changed value must be in the future. Once it has passed, every plan warns that the key expired (without failing); a later value revives the key in place. Updated in place.",
    rotationTriggers: "Any value; when it changes, the secret is regenerated in place (same key id), and the previous secret keeps working for gracePeriodSeconds.",
    rotateAfterDays: "Regenerate the secret in place once this many days (fractions allowed, > 0) have passed since the last rotation; the plan shows the rotation when it is due.",
    gracePeriodSeconds: "On rotation, how long the previous secret keeps working (0..604800 seconds), so consumers can roll over. Default 86400 (one day).",
    requestsPerMinute: "The gateway answers 429 (with Retry-After) past this many requests in a minute (an integer >= 1). Omit for no limit. Updated in place.",
    tokensPerMinute: "Tokens (prompt + completion) per minute, never overrun: each request reserves its bound (prompt + max_tokens) and settles to what it spent; the gateway answers 429 until the next minute when the next request's bound does not fit. Omit for no limit. Updated in place.",
    tokenBudget: "A token budget per UTC day or month, never overrun the same way: 429 until the day or month ends. Omit for no budget. Updated in place.",
  },
  outputs: {
    agentId: "The id of the agent the key belongs to.",
    name: "The key's name, as on the server.",
    scope: "\"all_teams\" or \"team\".",
    teamId: "The team of a team-scoped key; empty string for a key valid for all teams.",
    ownerId: "The key owner's user id; empty string when none.",
    status: "\"active\" or \"disabled\", as read from the server.",
    enabled: "Whether the key is enabled (status \"active\") on the server.",
    masked: "The masked secret, e.g. writer_sk_…a1b2: safe to print.",
    secret: "The key's secret (a Pulumi secret). Writer shows it only once, so it is carried forward on refresh and never blanked; empty for an imported key until it is rotated.",
    createdAt: "When the key was created (ISO 8601).",
    rotatedAt: "When the secret was last regenerated (ISO 8601); empty string if never.",
    expiresAt: "When the key expires (ISO 8601); empty string if never.",
    previousSecretExpiresAt: "After a rotation, until when the previous secret still works (ISO 8601); empty string when none.",
    rotationTriggers: "The rotationTriggers of the last deployment.",
    rotateAfterDays: "The rotateAfterDays of the last deployment.",
    gracePeriodSeconds: "The grace period the next rotation will use, in seconds.",
    rotationAnchor: "The time of the last rotation the program asked for (ISO 8601). It moves in the plan when a rotation is due (rotationTriggers changed or rotateAfterDays elapsed).",
    requestsPerMinute: "The key's request limit per minute; 0 when none.",
    tokensPerMinute: "The key's token limit per minute; 0 when none.",
    tokenBudget: "The key's token budget; absent when none.",
  },
};

export const CAPABILITY_DOCS: PropertyDocs = {
  inputs: {
    agentId: "The id of the agent. Changing it replaces the resource.",
    capability: "The capability to switch on while this resource lives. Changing it replaces the resource.",
  },
  outputs: {},
};

export const ADMIN_TOKEN_DOCS: PropertyDocs = {
  inputs: {
    name: "Who or what the token is for. Defaults to the resource's name. Changing it replaces the token.",
    role: "\"org_admin\" (everything), \"team_admin\" (its team's keys and users) or \"viewer\" (reads everything but secrets). Changing it replaces the token.",
    teamId: "The team a team_admin manages (its id, e.g. from getTeam): required for team_admin, refused for the other roles. Changing it replaces the token.",
  },
  outputs: {
    name: "Who or what the token is for.",
    role: "The token's role: \"org_admin\", \"team_admin\" or \"viewer\".",
    teamId: "The team of a team_admin token; empty string for the other roles.",
    masked: "The masked token, e.g. writer_admin_…a1b2: safe to print.",
    createdAt: "When the token was made (ISO 8601).",
    secret: "The token itself (a Pulumi secret): the server shows it only once.",
  },
};

export const TEAM_DOCS = {
  id: "The team's id.",
  name: "The team's name.",
  createdAt: "When the team was created (ISO 8601).",
};
export const USER_DOCS = {
  id: "The user's id.",
  email: "The user's email.",
  name: "The user's name.",
  teamIds: "The ids of the teams the user belongs to.",
  createdAt: "When the user was created (ISO 8601).",
};
export const CAPABILITY_INFO_DOCS = {
  id: "The capability's id, as in ApiAgent.capabilities.",
  name: "Its display name.",
  description: "What it allows.",
  endpoints: "The Writer API endpoints it opens, e.g. \"POST /v1/chat\".",
};
export const BUDGET_DOCS = {
  tokens: "Tokens (prompt + completion) per period, at least 1.",
  period: "\"day\" or \"month\" (UTC).",
};

/** One example of a resource or function, in each language the registry shows. */
interface Example {
  title: string;
  typescript: string;
  python: string;
  yaml: string;
}

/** Pulumi's registry form: the SDK generators keep the one language each SDK is for. */
function examples(list: Example[]): string {
  const one = (e: Example) =>
    `{{% example %}}\n### ${e.title}\n\n` +
    ["typescript", "python", "yaml"].map((lang) => "```" + lang + "\n" + e[lang as "typescript" | "python" | "yaml"].trim() + "\n```\n").join("") +
    "{{% /example %}}\n";
  return `{{% examples %}}\n## Example Usage\n${list.map(one).join("")}{{% /examples %}}`;
}

/** A description, its examples, and what follows them (an import section). */
const doc = (text: string, list: Example[], after = "") => `${text.trim()}\n\n${examples(list)}${after ? `\n\n${after.trim()}` : ""}`;

export const AGENT_DESCRIPTION = doc(`
A Writer API agent: the unit of Writer API access. Its capabilities decide which Writer API endpoints its keys may call (manage them here with \`capabilities\`, or one by one with AgentCapability). Writer gives every new agent a default "Production" key valid for all teams; its secret is the \`defaultKeySecret\` output, or set \`revokeDefaultKey\` and declare scoped keys with ApiKey. Every argument is updated in place. Deleting the agent revokes every key it still has.
`, [
  {
    title: "An agent with a set of capabilities",
    typescript: `
import * as writer from "pulumi-writer";

const supportBot = new writer.ApiAgent("support-bot", {
    name: "Support bot",
    description: "Answers customer tickets",
    capabilities: ["chat", "knowledge_graph"],
    revokeDefaultKey: true,
});

export const agentId = supportBot.id;
export const capabilities = supportBot.capabilities;
`,
    python: `
import pulumi
import pulumi_writer as writer

support_bot = writer.ApiAgent("support-bot",
    name="Support bot",
    description="Answers customer tickets",
    capabilities=[writer.Capability.CHAT, writer.Capability.KNOWLEDGE_GRAPH],
    revoke_default_key=True)

pulumi.export("agentId", support_bot.id)
pulumi.export("capabilities", support_bot.capabilities)
`,
    yaml: `
resources:
  supportBot:
    type: writer:index:ApiAgent
    properties:
      name: Support bot
      description: Answers customer tickets
      capabilities: [chat, knowledge_graph]
      revokeDefaultKey: true
outputs:
  agentId: \${supportBot.id}
  capabilities: \${supportBot.capabilities}
`,
  },
], `
## Import

An agent made elsewhere (clicked in AI Studio, or by another stack) is imported by its id; its \`defaultKeySecret\` is empty (Writer never shows a secret twice):

\`\`\`sh
$ pulumi import writer:index:ApiAgent support-bot <agentId>
\`\`\`
`);

export const KEY_DESCRIPTION = doc(`
An API key of a Writer API agent, valid for all teams or scoped to one team (with a key owner who is a member of it). Its secret is created by Writer, shown once, and kept in the state as a Pulumi secret. Rotation is an in-place update: \`rotationTriggers\` (rotate now) and \`rotateAfterDays\` (rotate on a schedule) regenerate the secret under the same key id, and the previous secret keeps working for \`gracePeriodSeconds\`. A new \`agentId\` or \`teamId\` replaces the key: the new key is created first, then the old one is revoked.

## Resource options on a live key

A key is a live credential: what Pulumi does to the resource, it does to everyone who uses the secret. The engine's resource options mean this for it:

- **\`retainOnDelete: true\`** (Python \`retain_on_delete=True\`): when the key leaves the stack (removed from the program, \`pulumi destroy\`, or the old key of a replacement), Pulumi forgets it without revoking it: the key keeps working in Writer, and its secret is in no Pulumi state any more, so revoke it in Writer (the console or the admin API) once nobody needs it. Deleting an agent revokes all of its keys, so a key survives only if its agent does: retain the ApiAgent too, or keep it in the stack. The option applies from the deployment that records it: set it in one \`up\` before removing or replacing the key.
- **\`protect: true\`**: Pulumi refuses to delete or replace the key: \`pulumi destroy\`, removing the key from the program, and a new \`agentId\` or \`teamId\` fail with an error and leave the key as it is (\`pulumi state unprotect\` lifts it). In-place updates still run, rotations included. The code \`pulumi import\` generates sets it.
- **\`ignoreChanges\`** (Python \`ignore_changes\`): the listed arguments keep the value of the last deployment, whatever the program says. \`ignoreChanges: ["rotationTriggers"]\` stops a changed trigger from rotating the secret; \`["enabled"]\`, \`["expiresAt"]\` or \`["requestsPerMinute"]\` stop Pulumi from applying new values of those arguments in the program. It does not pause a rotation that \`rotateAfterDays\` makes due (that is planned from the time of the last rotation: remove or raise \`rotateAfterDays\` instead), and it does not keep a change made by hand in Writer: the provider compares the program with what the server has, so once a refresh (\`pulumi refresh\`, \`pulumi up --refresh\`) has read, say, a key disabled by hand, the next \`up\` enables it again.
`, [
  {
    title: "A team-scoped key with scheduled rotation and a rate limit",
    typescript: `
import * as writer from "pulumi-writer";

const supportBot = new writer.ApiAgent("support-bot", { capabilities: ["chat"], revokeDefaultKey: true });
const support = writer.getTeamOutput({ name: "Support" });
const lead = writer.getUserOutput({ email: "lead@example.com" });

const supportProd = new writer.ApiKey("support-prod", {
    agentId: supportBot.id,
    teamId: support.id,
    ownerId: lead.id,
    rotateAfterDays: 90,
    gracePeriodSeconds: 3600,
    requestsPerMinute: 60,
});

export const keyId = supportProd.id;
export const secret = supportProd.secret;
`,
    python: `
import pulumi
import pulumi_writer as writer

support_bot = writer.ApiAgent("support-bot", capabilities=[writer.Capability.CHAT], revoke_default_key=True)
support = writer.get_team(name="Support")
lead = writer.get_user(email="lead@example.com")

support_prod = writer.ApiKey("support-prod",
    agent_id=support_bot.id,
    team_id=support.id,
    owner_id=lead.id,
    rotate_after_days=90,
    grace_period_seconds=3600,
    requests_per_minute=60)

pulumi.export("keyId", support_prod.id)
pulumi.export("secret", support_prod.secret)
`,
    yaml: `
variables:
  support:
    fn::invoke:
      function: writer:index:getTeam
      arguments:
        name: Support
  lead:
    fn::invoke:
      function: writer:index:getUser
      arguments:
        email: lead@example.com
resources:
  supportBot:
    type: writer:index:ApiAgent
    properties:
      capabilities: [chat]
      revokeDefaultKey: true
  supportProd:
    type: writer:index:ApiKey
    properties:
      agentId: \${supportBot.id}
      teamId: \${support.id}
      ownerId: \${lead.id}
      rotateAfterDays: 90
      gracePeriodSeconds: 3600
      requestsPerMinute: 60
outputs:
  keyId: \${supportProd.id}
  secret: \${supportProd.secret}
`,
  },
  {
    title: "A key that keeps working after it leaves the stack",
    typescript: `
import * as writer from "pulumi-writer";

// Deleting an agent revokes its keys: the agent is retained too.
const partnerBot = new writer.ApiAgent("partner-bot", { capabilities: ["models"], revokeDefaultKey: true }, { retainOnDelete: true });
const partnerKey = new writer.ApiKey("partner-key", { agentId: partnerBot.id }, { retainOnDelete: true });

export const secret = partnerKey.secret;
`,
    python: `
import pulumi
import pulumi_writer as writer

# Deleting an agent revokes its keys: the agent is retained too.
partner_bot = writer.ApiAgent("partner-bot",
    capabilities=[writer.Capability.MODELS],
    revoke_default_key=True,
    opts=pulumi.ResourceOptions(retain_on_delete=True))
partner_key = writer.ApiKey("partner-key",
    agent_id=partner_bot.id,
    opts=pulumi.ResourceOptions(retain_on_delete=True))

pulumi.export("secret", partner_key.secret)
`,
    yaml: `
resources:
  # Deleting an agent revokes its keys: the agent is retained too.
  partnerBot:
    type: writer:index:ApiAgent
    properties:
      capabilities: [models]
      revokeDefaultKey: true
    options:
      retainOnDelete: true
  partnerKey:
    type: writer:index:ApiKey
    properties:
      agentId: \${partnerBot.id}
    options:
      retainOnDelete: true
outputs:
  secret: \${partnerKey.secret}
`,
  },
], `
## Import

A key made elsewhere is imported by \`<agentId>/<keyId>\` (its id in this provider); its \`secret\` is empty with a warning, as Writer never shows a secret twice (rotate it to get one):

\`\`\`sh
$ pulumi import writer:index:ApiKey support-prod <agentId>/<keyId>
\`\`\`
`);

export const CAPABILITY_DESCRIPTION = doc(`
One capability of an agent, switched on for as long as the resource lives; deleting it switches the capability off. Its id is \`<agentId>/<capability>\`. Any change replaces it: the old capability is switched off before the new one is switched on. Use it on an agent that has no \`capabilities\` list (one owner per set).
`, [
  {
    title: "Capabilities switched on one by one",
    typescript: `
import * as writer from "pulumi-writer";

// No capabilities list on the agent: its capabilities are owned by AgentCapability resources.
const research = new writer.ApiAgent("research", { name: "Research assistant" });
const researchModels = new writer.AgentCapability("research-models", { agentId: research.id, capability: "models" });
const researchChat = new writer.AgentCapability("research-chat", { agentId: research.id, capability: "chat" });

export const capabilityIds = [researchModels.id, researchChat.id];
`,
    python: `
import pulumi
import pulumi_writer as writer

# No capabilities list on the agent: its capabilities are owned by AgentCapability resources.
research = writer.ApiAgent("research", name="Research assistant")
research_models = writer.AgentCapability("research-models", agent_id=research.id, capability=writer.Capability.MODELS)
research_chat = writer.AgentCapability("research-chat", agent_id=research.id, capability=writer.Capability.CHAT)

pulumi.export("capabilityIds", [research_models.id, research_chat.id])
`,
    yaml: `
resources:
  # No capabilities list on the agent: its capabilities are owned by AgentCapability resources.
  research:
    type: writer:index:ApiAgent
    properties:
      name: Research assistant
  researchModels:
    type: writer:index:AgentCapability
    properties:
      agentId: \${research.id}
      capability: models
  researchChat:
    type: writer:index:AgentCapability
    properties:
      agentId: \${research.id}
      capability: chat
outputs:
  capabilityIds:
    - \${researchModels.id}
    - \${researchChat.id}
`,
  },
]);

export const ADMIN_TOKEN_DESCRIPTION = doc(`
An admin token of writer-local, declared in code, so a pipeline's own token, with the least role it needs, is reviewed like any other change. Creating one needs an org_admin token in the provider's configuration. Its secret is a Pulumi secret, shown by the server once. Any change replaces it: the new token is made first, then the old one revoked. Deleting it revokes it: it stops working at once.
`, [
  {
    title: "A read-only token and a team's own token",
    typescript: `
import * as writer from "pulumi-writer";

// Plans and drift checks only read: viewer is enough.
const driftCheck = new writer.AdminToken("drift-check", { role: "viewer" });
// The Support team's pipeline manages the Support team's keys, nothing else.
const support = writer.getTeamOutput({ name: "Support" });
const supportPipeline = new writer.AdminToken("support-pipeline", { role: "team_admin", teamId: support.id });

export const driftCheckToken = driftCheck.secret;
export const supportPipelineToken = supportPipeline.secret;
`,
    python: `
import pulumi
import pulumi_writer as writer

# Plans and drift checks only read: viewer is enough.
drift_check = writer.AdminToken("drift-check", role="viewer")
# The Support team's pipeline manages the Support team's keys, nothing else.
support = writer.get_team(name="Support")
support_pipeline = writer.AdminToken("support-pipeline", role="team_admin", team_id=support.id)

pulumi.export("driftCheckToken", drift_check.secret)
pulumi.export("supportPipelineToken", support_pipeline.secret)
`,
    yaml: `
variables:
  support:
    fn::invoke:
      function: writer:index:getTeam
      arguments:
        name: Support
resources:
  # Plans and drift checks only read: viewer is enough.
  driftCheck:
    type: writer:index:AdminToken
    properties:
      role: viewer
  # The Support team's pipeline manages the Support team's keys, nothing else.
  supportPipeline:
    type: writer:index:AdminToken
    properties:
      role: team_admin
      teamId: \${support.id}
outputs:
  driftCheckToken: \${driftCheck.secret}
  supportPipelineToken: \${supportPipeline.secret}
`,
  },
]);

export const ACCESS_POLICY_DESCRIPTION = doc(`
Writer access as code: the agents, capabilities and API keys of one environment, from a declarative spec. Map keys in the spec are stable ids (the children, ApiAgent and ApiKey resources, are named \`<policy>-<agent>\` and \`<policy>-<agent>-<key>\`); display names are \`name\` fields, so renaming one is an in-place update, and \`renamedFrom\` keeps the same objects when an id changes. An agent's \`revokeDefaultKey\` defaults to true here. Team names and owner emails are resolved at preview; every problem in the spec is reported with its path. Resource options given to the component (protect, retainOnDelete, ignoreChanges) reach its children.
`, [
  {
    title: "An environment from a spec",
    typescript: `
import * as writer from "pulumi-writer";

const access = new writer.AccessPolicy("access", {
    namePrefix: "(dev) ",
    spec: {
        agents: {
            support: {
                name: "Support bot",
                capabilities: ["chat", "knowledge_graph"],
                keys: {
                    prod: { team: "Support", owner: "lead@example.com", rotateAfterDays: 90, gracePeriod: "24h" },
                    ci: { allTeams: true, enabled: false },
                },
            },
        },
    },
});

export const agentIds = access.agentIds;
export const keyIds = access.keyIds;
export const maskedKeys = access.maskedKeys;
export const keys = access.keys;
`,
    python: `
import pulumi
import pulumi_writer as writer

access = writer.AccessPolicy("access",
    name_prefix="(dev) ",
    spec={
        "agents": {
            "support": {
                "name": "Support bot",
                "capabilities": ["chat", "knowledge_graph"],
                "keys": {
                    "prod": {"team": "Support", "owner": "lead@example.com", "rotateAfterDays": 90, "gracePeriod": "24h"},
                    "ci": {"allTeams": True, "enabled": False},
                },
            },
        },
    })

pulumi.export("agentIds", access.agent_ids)
pulumi.export("keyIds", access.key_ids)
pulumi.export("maskedKeys", access.masked_keys)
pulumi.export("keys", access.keys)
`,
    yaml: `
resources:
  access:
    type: writer:index:AccessPolicy
    properties:
      namePrefix: "(dev) "
      spec:
        agents:
          support:
            name: Support bot
            capabilities: [chat, knowledge_graph]
            keys:
              prod: { team: Support, owner: lead@example.com, rotateAfterDays: 90, gracePeriod: 24h }
              ci: { allTeams: true, enabled: false }
outputs:
  agentIds: \${access.agentIds}
  keyIds: \${access.keyIds}
  maskedKeys: \${access.maskedKeys}
  keys: \${access.keys}
`,
  },
]);

export const GET_TEAM_DESCRIPTION = doc(`
Finds a team by name or by id (give exactly one). An unknown name fails the preview with the names of the teams that exist.
`, [
  {
    title: "A team's id for a team-scoped key",
    typescript: `
import * as writer from "pulumi-writer";

const support = writer.getTeamOutput({ name: "Support" });

export const supportTeamId = support.id;
`,
    python: `
import pulumi
import pulumi_writer as writer

support = writer.get_team(name="Support")

pulumi.export("supportTeamId", support.id)
`,
    yaml: `
variables:
  support:
    fn::invoke:
      function: writer:index:getTeam
      arguments:
        name: Support
outputs:
  supportTeamId: \${support.id}
`,
  },
]);

export const GET_USER_DESCRIPTION = doc(`
Finds a user by email (case-insensitive) or by id (give exactly one). An unknown email fails the preview.
`, [
  {
    title: "A key owner by email",
    typescript: `
import * as writer from "pulumi-writer";

const lead = writer.getUserOutput({ email: "lead@example.com" });

export const leadId = lead.id;
export const leadTeamIds = lead.teamIds;
`,
    python: `
import pulumi
import pulumi_writer as writer

lead = writer.get_user(email="lead@example.com")

pulumi.export("leadId", lead.id)
pulumi.export("leadTeamIds", lead.team_ids)
`,
    yaml: `
variables:
  lead:
    fn::invoke:
      function: writer:index:getUser
      arguments:
        email: lead@example.com
outputs:
  leadId: \${lead.id}
  leadTeamIds: \${lead.teamIds}
`,
  },
]);

export const GET_USAGE_DESCRIPTION = doc(`
What an agent's keys (or one key) used through the gateway, per UTC day (default the last 30 days; at most 366). A lookup, not a resource output: figures that move on every call would make every refreshing preview look like drift. \`keyId\` takes an ApiKey's \`id\` as it is: with this provider \`<agentId>/<keyId>\` (whose agent must be \`agentId\`), in the TypeScript package the key id itself.
`, [
  {
    title: "Requests of an agent and of one of its keys",
    typescript: `
import * as pulumi from "@pulumi/pulumi";
import * as writer from "pulumi-writer";

const supportBot = new writer.ApiAgent("support-bot", { capabilities: ["chat"], revokeDefaultKey: true });
const supportKey = new writer.ApiKey("support-key", { agentId: supportBot.id });

// getUsageOutput takes plain values or one Output of the whole argument object.
const agentUsage = writer.getUsageOutput(pulumi.output({ agentId: supportBot.id }));
const keyUsage = writer.getUsageOutput(pulumi.output({ agentId: supportBot.id, keyId: supportKey.id }));

export const agentRequests = agentUsage.apply((u) => u.totals.requests);
export const keyRequests = keyUsage.apply((u) => u.totals.requests);
`,
    python: `
import pulumi
import pulumi_writer as writer

support_bot = writer.ApiAgent("support-bot", capabilities=[writer.Capability.CHAT], revoke_default_key=True)
support_key = writer.ApiKey("support-key", agent_id=support_bot.id)

agent_usage = writer.get_usage_output(agent_id=support_bot.id)
key_usage = writer.get_usage_output(agent_id=support_bot.id, key_id=support_key.id)

pulumi.export("agentRequests", agent_usage.apply(lambda u: u.totals.requests))
pulumi.export("keyRequests", key_usage.apply(lambda u: u.totals.requests))
`,
    yaml: `
resources:
  supportBot:
    type: writer:index:ApiAgent
    properties:
      capabilities: [chat]
      revokeDefaultKey: true
  supportKey:
    type: writer:index:ApiKey
    properties:
      agentId: \${supportBot.id}
variables:
  agentUsage:
    fn::invoke:
      function: writer:index:getUsage
      arguments:
        agentId: \${supportBot.id}
  keyUsage:
    fn::invoke:
      function: writer:index:getUsage
      arguments:
        agentId: \${supportBot.id}
        keyId: \${supportKey.id}
outputs:
  agentRequests: \${agentUsage.totals.requests}
  keyRequests: \${keyUsage.totals.requests}
`,
  },
]);

export const GET_CAPABILITIES_DESCRIPTION = doc(`
The capability catalog as the server reports it: each capability's id (the values of ApiAgent.capabilities and AgentCapability.capability), name, description and the Writer API endpoints it opens.
`, [
  {
    title: "The capability catalog as a stack output",
    typescript: `
import * as writer from "pulumi-writer";

export const capabilities = writer.getCapabilities();
`,
    python: `
import pulumi
import pulumi_writer as writer

catalog = writer.get_capabilities()

pulumi.export("capabilities", catalog.capabilities)
`,
    yaml: `
variables:
  catalog:
    fn::invoke:
      function: writer:index:getCapabilities
      arguments: {}
outputs:
  capabilities: \${catalog.capabilities}
`,
  },
]);

// The quickstart: one agent with two capabilities and a key scoped to the Support team.
// Run from the repository root with `npm start` (or `pulumi up` against a running writer-local).
import * as writer from "pulumi-writer";

const support = new writer.ApiAgent("support-bot", {
  description: "Support assistant",
  capabilities: ["chat", "knowledge_graph"],
});
const team = writer.getTeamOutput({ name: "Support" });
const key = new writer.ApiKey("support-prod", {
  agentId: support.id,
  name: "support-prod",
  teamId: team.id,
  ownerId: writer.getUserOutput({ email: "lead@example.com" }).id,
});

export const agentId = support.id;
export const capabilities = support.capabilities;
export const keyId = key.id;
export const keyMasked = key.masked;
export const keyScope = key.scope;
export const supportKey = key.secret; // a Pulumi secret

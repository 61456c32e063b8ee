// Multi-team set-up: one agent per product area, and a key per team that uses it, each owned by
// that team's lead. Team-scoped keys only work for their team (X-Writer-Team-Id).
import * as writer from "pulumi-writer";

const teams = [
  { team: "Support", owner: "lead@example.com" },
  { team: "Engineering", owner: "eng-lead@example.com" },
  { team: "Sales", owner: "sales-lead@example.com" },
];

const assistant = new writer.ApiAgent("assistant", {
  description: "Shared chat assistant",
  capabilities: ["chat", "models"],
  revokeDefaultKey: true, // no all-teams key: every team gets its own
});

// Knowledge Graph access is switched on separately, e.g. by another stack or team.
new writer.AgentCapability("assistant-kg", { agentId: assistant.id, capability: "knowledge_graph" });

export const keys: Record<string, { id: any; masked: any; scope: any }> = {};
export const secrets: Record<string, any> = {};
for (const { team, owner } of teams) {
  const slug = team.toLowerCase();
  const key = new writer.ApiKey(`assistant-${slug}`, {
    agentId: assistant.id,
    name: `${team} key`,
    teamId: writer.getTeamOutput({ name: team }).id,
    ownerId: writer.getUserOutput({ email: owner }).id,
  });
  keys[slug] = { id: key.id, masked: key.masked, scope: key.teamId };
  secrets[slug] = key.secret;
}
export const agentId = assistant.id;

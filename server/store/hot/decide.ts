import type { Decision } from "../types";
import type { KeyRow } from "../rows";

/** What the data plane needs to decide on a request: the key row joined with its agent. */
export interface AuthRow extends KeyRow {
  agent_capabilities: string;
  agent_deleted_at: number | null;
}
/** One looked-up secret: its keyed hash, the row it matched (if any), the agent's capabilities. */
export interface Hit {
  hash: string;
  row: AuthRow | undefined;
  capabilities: ReadonlySet<string>;
}

export const hitOf = (hash: string, row: AuthRow | undefined): Hit => ({
  hash, row, capabilities: new Set(row ? (JSON.parse(row.agent_capabilities) as string[]) : []),
});

/** The access rules, the same for every engine. Time-based rules (expiry, grace) run on every request. */
export function decide(hit: Hit | undefined, capability: string, now: number, team: string | undefined): Decision {
  if (!hit?.row) return { ok: false, refusal: "unknown_key" };
  const { hash: h, row: k, capabilities } = hit;
  const ids = { keyId: k.id, agentId: k.agent_id };
  if (k.revoked_at !== null || k.agent_deleted_at !== null) return { ok: false, refusal: "revoked", ...ids };
  if (k.status !== "active") return { ok: false, refusal: "disabled", ...ids };
  if (k.expires_at !== null && k.expires_at <= now) return { ok: false, refusal: "expired", ...ids };
  if (k.secret_hash !== h && (k.previous_secret_expires_at === null || k.previous_secret_expires_at <= now))
    return { ok: false, refusal: "previous_secret_expired", ...ids };
  if (!capabilities.has(capability)) return { ok: false, refusal: "capability", ...ids };
  if (k.scope === "team" && team !== undefined && team.toLowerCase() !== k.team_id) return { ok: false, refusal: "team", ...ids };
  return {
    ok: true,
    principal: {
      keyId: k.id, agentId: k.agent_id, scope: k.scope, teamId: k.team_id, capabilities,
      limits: {
        requestsPerMinute: k.requests_per_minute,
        tokensPerMinute: k.tokens_per_minute,
        tokenBudget: k.budget_tokens !== null && k.budget_period !== null ? { tokens: k.budget_tokens, period: k.budget_period } : null,
      },
    },
  };
}

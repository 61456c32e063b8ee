import type { Agent, Capability, Key } from "../api";

/** Outputs of an ApiAgent as stored in state (camelCase, as the SDK class declares them): its state. */
export interface AgentOutputs {
  name: string;
  description: string;
  capabilities: Capability[];
  revokeDefaultKey: boolean;
  createdAt: string;
  updatedAt: string;
  defaultKeyId: string;
  defaultKeySecret: string;
  defaultKeyMasked: string;
}

export function agentOutputs(a: Agent, prev: Partial<AgentOutputs>): AgentOutputs {
  return {
    name: a.name,
    description: a.description,
    capabilities: [...a.capabilities].sort(),
    revokeDefaultKey: prev.revokeDefaultKey ?? false,
    createdAt: a.created_at,
    updatedAt: a.updated_at,
    defaultKeyId: prev.defaultKeyId ?? "",
    // Never blanked: the API cannot return a secret again (lessons.md, pulumiservice#359).
    defaultKeySecret: prev.defaultKeySecret ?? "",
    defaultKeyMasked: prev.defaultKeyMasked ?? "",
  };
}

export interface KeyOutputs {
  agentId: string;
  name: string;
  scope: "all_teams" | "team";
  teamId: string;
  ownerId: string;
  status: "active" | "disabled";
  enabled: boolean;
  masked: string;
  secret: string;
  createdAt: string;
  rotatedAt: string;
  expiresAt: string;
  previousSecretExpiresAt: string;
  rotationTriggers?: unknown;
  rotateAfterDays?: number;
  gracePeriodSeconds: number;
  rotationAnchor: string;
  /** 0 when the key has no such limit. */
  requestsPerMinute: number;
  tokensPerMinute: number;
  /** Absent when the key has no budget. */
  tokenBudget?: { tokens: number; period: "day" | "month" };
}

/** Settings that live only in the program (not on the server), echoed into outputs for diff. */
export type KeySettings = Pick<KeyOutputs, "rotationTriggers" | "rotateAfterDays" | "gracePeriodSeconds" | "rotationAnchor" | "secret">;

export function keyOutputs(k: Key, s: KeySettings): KeyOutputs {
  const out: KeyOutputs = {
    agentId: k.agent_id,
    name: k.name,
    scope: k.scope,
    teamId: k.team_id ?? "",
    ownerId: k.owner_id ?? "",
    status: k.status,
    enabled: k.status === "active",
    masked: k.masked,
    secret: s.secret,
    createdAt: k.created_at,
    rotatedAt: k.rotated_at ?? "",
    expiresAt: k.expires_at ?? "",
    previousSecretExpiresAt: k.previous_secret_expires_at ?? "",
    gracePeriodSeconds: s.gracePeriodSeconds,
    rotationAnchor: s.rotationAnchor,
    requestsPerMinute: k.requests_per_minute ?? 0,
    tokensPerMinute: k.tokens_per_minute ?? 0,
  };
  if (k.token_budget) out.tokenBudget = k.token_budget;
  if (s.rotationTriggers !== undefined) out.rotationTriggers = s.rotationTriggers;
  if (s.rotateAfterDays !== undefined) out.rotateAfterDays = s.rotateAfterDays;
  return out;
}

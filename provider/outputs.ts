import { z } from "zod/v4";
import { CapabilityId, KeyScope, KeyStatus, TokenBudget, type Agent, type Key } from "../api";

// Outputs as stored in state (camelCase, as the SDK classes declare them): each resource's state.
// Schemas, so that the native provider's schema is derived from them too.

export const AgentOutputsSchema = z.object({
  name: z.string(),
  description: z.string(),
  capabilities: z.array(CapabilityId),
  revokeDefaultKey: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  defaultKeyId: z.string(),
  defaultKeySecret: z.string(),
  defaultKeyMasked: z.string(),
});
export type AgentOutputs = z.infer<typeof AgentOutputsSchema>;

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

export const KeyOutputsSchema = z.object({
  agentId: z.string(),
  name: z.string(),
  scope: KeyScope,
  teamId: z.string(),
  ownerId: z.string(),
  status: KeyStatus,
  enabled: z.boolean(),
  masked: z.string(),
  secret: z.string(),
  createdAt: z.string(),
  rotatedAt: z.string(),
  expiresAt: z.string(),
  previousSecretExpiresAt: z.string(),
  rotationTriggers: z.unknown().optional(),
  rotateAfterDays: z.number().optional(),
  gracePeriodSeconds: z.number().int(),
  rotationAnchor: z.string(),
  /** 0 when the key has no such limit. */
  requestsPerMinute: z.number().int(),
  tokensPerMinute: z.number().int(),
  /** Absent when the key has no budget. */
  tokenBudget: TokenBudget.optional(),
});
export type KeyOutputs = z.infer<typeof KeyOutputsSchema>;

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

export const AdminTokenOutputsSchema = z.object({
  name: z.string(),
  role: z.enum(["org_admin", "team_admin", "viewer"]),
  teamId: z.string(),
  masked: z.string(),
  createdAt: z.string(),
  secret: z.string(),
});
export type AdminTokenOutputs = z.infer<typeof AdminTokenOutputsSchema>;

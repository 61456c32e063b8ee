import { z } from "zod/v4";
import { CapabilityId } from "./capabilities";
import { IdParam, Timestamp, Uuid } from "./common";
import { CapabilitySet, Description, Name } from "./fields";
import { KeyWithSecretSchema } from "./keys";
import { ManagedBySchema } from "./admins";

export const AgentSchema = z.object({
  id: Uuid,
  name: z.string(),
  description: z.string(),
  capabilities: z.array(CapabilityId),
  key_count: z.number().int(),
  created_at: Timestamp,
  updated_at: Timestamp,
  /** The Pulumi stack that created or last changed it, when a provider did. */
  managed_by: ManagedBySchema,
});
export type Agent = z.infer<typeof AgentSchema>;

export const AgentWithDefaultKeySchema = AgentSchema.extend({ default_key: KeyWithSecretSchema });
export type AgentWithDefaultKey = z.infer<typeof AgentWithDefaultKeySchema>;

export const CreateAgentSchema = z.strictObject({
  name: Name,
  description: Description.optional(),
  capabilities: CapabilitySet.optional(),
});
export type CreateAgent = z.infer<typeof CreateAgentSchema>;

export const UpdateAgentSchema = z.strictObject({
  name: Name.optional(),
  description: Description.optional(),
  capabilities: CapabilitySet.optional(),
});
export type UpdateAgent = z.infer<typeof UpdateAgentSchema>;

export const AgentIdParams = z.strictObject({ id: IdParam });
export const AgentCapabilityParams = z.strictObject({ id: IdParam, capability: CapabilityId });

// What the serialized shims load at run time: the resource providers by type, the lookups,
// and config wiring. Nothing here is serialized into state.
import type * as pulumi from "@pulumi/pulumi";
import { agentCapabilityProvider } from "./agentCapability";
import { apiAgentProvider } from "./apiAgent";
import { apiKeyProvider } from "./apiKey";
import { ConfigSource, setStackConfig } from "./config";

export const providers: Record<string, pulumi.dynamic.ResourceProvider> = {
  ApiAgent: apiAgentProvider,
  ApiKey: apiKeyProvider,
  AgentCapability: agentCapabilityProvider,
};

/** The single "unknown resource type" error. */
export function providerFor(type: string): pulumi.dynamic.ResourceProvider {
  const p = providers[type];
  if (!p) throw new Error(`pulumi-writer: unknown resource type ${type}; upgrade the pulumi-writer package the program uses`);
  return p;
}

export function configure(config: ConfigSource | undefined): void {
  setStackConfig(config);
}

export * from "./lookups";
export { resolveConfig } from "./config";
export { AdminClient, client } from "./client";
export * from "./errors";

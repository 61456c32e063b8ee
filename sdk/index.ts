export { ApiAgent, ApiAgentArgs } from "./apiAgent";
export { ApiKey, ApiKeyArgs } from "./apiKey";
export { AgentCapability, AgentCapabilityArgs } from "./agentCapability";
export { AdoptArgs } from "./common";
export * from "./lookups";
export { Capability, CapabilityInfo, CAPABILITY_IDS } from "../api/capabilities";
export * from "./accessPolicy";

import * as pulumi from "@pulumi/pulumi";
import type { Capability } from "../api/capabilities";
import { providerFor } from "./shim";

const provider = providerFor("AgentCapability");

export interface AgentCapabilityArgs {
  /** The agent. Do not also give that agent a `capabilities` list: one owner per set. */
  agentId: pulumi.Input<string>;
  /** The capability to switch on while this resource lives. */
  capability: pulumi.Input<Capability>;
}

/** One capability of an agent, switched on for as long as the resource lives. Any change replaces it. */
export class AgentCapability extends pulumi.dynamic.Resource {
  /** The agent. */
  declare public readonly agentId: pulumi.Output<string>;
  /** The capability. */
  declare public readonly capability: pulumi.Output<Capability>;

  constructor(name: string, args: AgentCapabilityArgs, opts?: pulumi.CustomResourceOptions) {
    if (!args || args.agentId === undefined) throw new Error(`AgentCapability ${name}: missing required argument agentId`);
    if (args.capability === undefined) throw new Error(`AgentCapability ${name}: missing required argument capability`);
    super(provider, name, { agentId: args.agentId, capability: args.capability }, opts, "writer", "AgentCapability");
  }
}

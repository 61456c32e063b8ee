import * as pulumi from "@pulumi/pulumi";
import type { Capability } from "../api/capabilities";
import { AdoptArgs, creationKey, secretAdopt, withSecretOutputs } from "./common";
import { providerFor } from "./shim";
import type { AgentOutputs } from "../provider/outputs";

/** An agent's state as the provider records it (its outputs). */
export type ApiAgentState = AgentOutputs;

const provider = providerFor("ApiAgent");

export interface ApiAgentArgs {
  /** The agent's name in AI Studio. Defaults to the resource name. Updated in place. */
  name?: pulumi.Input<string>;
  /** A short description. Updated in place. */
  description?: pulumi.Input<string>;
  /**
   * The whole set of capabilities (API endpoints its keys may call). When given, the agent owns
   * the set and puts it right on every `up`. When omitted, the agent never touches capabilities
   * and its diff ignores them: manage them with `AgentCapability`.
   */
  capabilities?: pulumi.Input<pulumi.Input<Capability>[]>;
  /** Revoke the default "Production" key right after creation (or when switched on later). */
  revokeDefaultKey?: pulumi.Input<boolean>;
  /** Take over an existing agent by id (with the Production key's secret, if you have it). */
  adopt?: pulumi.Input<AdoptArgs>;
}

/** A Writer API agent, with its default "Production" key. */
export class ApiAgent extends pulumi.dynamic.Resource {
  /** The agent's name. */
  declare public readonly name: pulumi.Output<string>;
  /** The agent's description. */
  declare public readonly description: pulumi.Output<string>;
  /** The capabilities enabled on the server (sorted), whoever manages them. */
  declare public readonly capabilities: pulumi.Output<Capability[]>;
  /** Whether the default key was revoked by this resource. */
  declare public readonly revokeDefaultKey: pulumi.Output<boolean>;
  /** When the agent was created (ISO 8601). */
  declare public readonly createdAt: pulumi.Output<string>;
  /** When the agent was last changed (ISO 8601). */
  declare public readonly updatedAt: pulumi.Output<string>;
  /** The id of the default "Production" key. */
  declare public readonly defaultKeyId: pulumi.Output<string>;
  /** The Production key's secret (a Pulumi secret); empty when revoked or adopted without it. */
  declare public readonly defaultKeySecret: pulumi.Output<string>;
  /** The Production key's masked form, e.g. `writer_sk_…a1b2`. */
  declare public readonly defaultKeyMasked: pulumi.Output<string>;

  /**
   * Reads an existing agent into the program without managing it (`pulumi destroy` leaves it
   * alone). Its `defaultKeySecret` is empty: Writer never shows a secret twice.
   */
  public static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): ApiAgent {
    return new ApiAgent(name, {}, { ...opts, id });
  }

  constructor(name: string, args: ApiAgentArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        name: args.name ?? name,
        description: args.description,
        capabilities: args.capabilities,
        revokeDefaultKey: args.revokeDefaultKey,
        adopt: secretAdopt(args.adopt),
        creationKey: creationKey("ApiAgent", name, opts),
        createdAt: undefined,
        updatedAt: undefined,
        defaultKeyId: undefined,
        defaultKeySecret: undefined,
        defaultKeyMasked: undefined,
      },
      withSecretOutputs(opts, ["defaultKeySecret"]),
      "writer",
      "ApiAgent",
    );
  }
}

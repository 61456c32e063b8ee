import * as pulumi from "@pulumi/pulumi";
import { AdoptArgs, creationKey, secretAdopt, withSecretOutputs } from "./common";
import { providerFor } from "./shim";
import type { KeyOutputs } from "../provider/outputs";

/** A key's state as the provider records it (its outputs); `get()` needs `agentId` of it. */
export type ApiKeyState = KeyOutputs;

const provider = providerFor("ApiKey");

export interface ApiKeyArgs {
  /** The agent the key belongs to. Changing it replaces the key (new key first, then the old one is revoked). */
  agentId: pulumi.Input<string>;
  /** The key's name. Defaults to the resource name. Updated in place. */
  name?: pulumi.Input<string>;
  /** Scope the key to one team (omit for All teams). Changing it replaces the key. Needs `ownerId`. */
  teamId?: pulumi.Input<string>;
  /** The key owner (a member of the team for a team-scoped key). Updated in place. */
  ownerId?: pulumi.Input<string>;
  /** `false` disables the key without revoking it. Default `true`. Updated in place. */
  enabled?: pulumi.Input<boolean>;
  /** When the key stops working (ISO 8601, in the future). Updated in place. */
  expiresAt?: pulumi.Input<string>;
  /** Any value; when it changes, the secret is regenerated in place (same key id). */
  rotationTriggers?: pulumi.Input<any>;
  /** Regenerate the secret in place once this many days (fractions allowed) have passed since the last rotation. */
  rotateAfterDays?: pulumi.Input<number>;
  /** On rotation, how long the previous secret keeps working (0..604800 s). Default 86400. */
  gracePeriodSeconds?: pulumi.Input<number>;
  /** Requests per minute the gateway lets this key make (429 past it). Updated in place; omit for no limit. */
  requestsPerMinute?: pulumi.Input<number>;
  /** Tokens (prompt + completion, as Writer reports them) per minute. Updated in place. */
  tokensPerMinute?: pulumi.Input<number>;
  /** A token budget per UTC day or month (429 until the period ends once spent). Updated in place. */
  tokenBudget?: pulumi.Input<{ tokens: pulumi.Input<number>; period: pulumi.Input<"day" | "month"> }>;
  /** Take over an existing key by id (and its secret, verified before it is stored). */
  adopt?: pulumi.Input<AdoptArgs>;
}

/** An API key of a Writer API agent, scoped to all teams or one team. */
export class ApiKey extends pulumi.dynamic.Resource {
  /** The agent the key belongs to. */
  declare public readonly agentId: pulumi.Output<string>;
  /** The key's name. */
  declare public readonly name: pulumi.Output<string>;
  /** "all_teams" or "team". */
  declare public readonly scope: pulumi.Output<"all_teams" | "team">;
  /** The team of a team-scoped key; empty for all teams. */
  declare public readonly teamId: pulumi.Output<string>;
  /** The key owner's user id; may be empty for an all-teams key. */
  declare public readonly ownerId: pulumi.Output<string>;
  /** "active" or "disabled", as read from the server. */
  declare public readonly status: pulumi.Output<"active" | "disabled">;
  /** The masked secret, e.g. `writer_sk_…a1b2`. */
  declare public readonly masked: pulumi.Output<string>;
  /** The secret (a Pulumi secret). Writer shows it only once; it is carried forward on refresh. */
  declare public readonly secret: pulumi.Output<string>;
  /** When the key was created (ISO 8601). */
  declare public readonly createdAt: pulumi.Output<string>;
  /** When the secret was last regenerated; empty if never. */
  declare public readonly rotatedAt: pulumi.Output<string>;
  /** When the key expires; empty if never. */
  declare public readonly expiresAt: pulumi.Output<string>;
  /** Until when the previous secret still works after a rotation; empty if none. */
  declare public readonly previousSecretExpiresAt: pulumi.Output<string>;
  /** The time of the last rotation this program asked for (moves when a rotation is planned). */
  declare public readonly rotationAnchor: pulumi.Output<string>;

  /**
   * Reads an existing key of an agent into the program without managing it. Its `secret` is
   * empty: Writer never shows a secret twice (use `adopt` to manage a key and keep its secret).
   */
  public static get(name: string, id: pulumi.Input<pulumi.ID>, state: { agentId: pulumi.Input<ApiKeyState["agentId"]> }, opts?: pulumi.CustomResourceOptions): ApiKey {
    return new ApiKey(name, { agentId: state.agentId }, { ...opts, id });
  }

  constructor(name: string, args: ApiKeyArgs, opts?: pulumi.CustomResourceOptions) {
    if (!args || args.agentId === undefined) throw new Error(`ApiKey ${name}: missing required argument agentId`);
    super(
      provider,
      name,
      {
        agentId: args.agentId,
        name: args.name ?? name,
        teamId: args.teamId,
        ownerId: args.ownerId,
        enabled: args.enabled,
        expiresAt: args.expiresAt,
        rotationTriggers: args.rotationTriggers,
        rotateAfterDays: args.rotateAfterDays,
        gracePeriodSeconds: args.gracePeriodSeconds,
        requestsPerMinute: args.requestsPerMinute,
        tokensPerMinute: args.tokensPerMinute,
        tokenBudget: args.tokenBudget,
        adopt: secretAdopt(args.adopt),
        creationKey: creationKey("ApiKey", name, opts),
        scope: undefined,
        status: undefined,
        masked: undefined,
        secret: undefined,
        createdAt: undefined,
        rotatedAt: undefined,
        previousSecretExpiresAt: undefined,
        rotationAnchor: undefined,
      },
      withSecretOutputs(opts, ["secret"]),
      "writer",
      "ApiKey",
    );
  }
}

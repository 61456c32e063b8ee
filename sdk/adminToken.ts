import * as pulumi from "@pulumi/pulumi";
import type { Role } from "../api/admins";
import { creationKey, withSecretOutputs } from "./common";
import { providerFor } from "./shim";

const provider = providerFor("AdminToken");

export interface AdminTokenArgs {
  /** Who or what the token is for (a pipeline, a team lead). Defaults to the resource name. Changing it replaces the token. */
  name?: pulumi.Input<string>;
  /** `org_admin` (everything), `team_admin` (its team's keys) or `viewer` (read everything but secrets). Changing it replaces the token. */
  role: pulumi.Input<Role>;
  /** The team a `team_admin` manages (required for it, refused for the other roles). Changing it replaces the token. */
  teamId?: pulumi.Input<string>;
}

/**
 * An admin token of writer-local, declared in code: a pipeline's own token, with the least role it
 * needs. Its secret is a Pulumi secret (shown by the server only once). Any change replaces it:
 * the new token is made first, then the old one revoked. Creating one needs an org_admin token.
 */
export class AdminToken extends pulumi.dynamic.Resource {
  /** The token's name. */
  declare public readonly name: pulumi.Output<string>;
  /** Its role. */
  declare public readonly role: pulumi.Output<Role>;
  /** A team_admin's team; empty otherwise. */
  declare public readonly teamId: pulumi.Output<string>;
  /** The masked token, e.g. writer_admin_…a1b2. */
  declare public readonly masked: pulumi.Output<string>;
  /** When it was made (ISO 8601). */
  declare public readonly createdAt: pulumi.Output<string>;
  /** The token itself: a Pulumi secret. */
  declare public readonly secret: pulumi.Output<string>;

  constructor(name: string, args: AdminTokenArgs, opts?: pulumi.CustomResourceOptions) {
    if (!args || args.role === undefined) throw new Error(`AdminToken ${name}: missing required argument role`);
    super(provider, name, {
      name: args.name ?? name, role: args.role, teamId: args.teamId,
      creationKey: creationKey("AdminToken", name, opts),
      masked: undefined, createdAt: undefined, secret: undefined,
    }, withSecretOutputs(opts, ["secret"]), "writer", "AdminToken");
  }
}

import * as pulumi from "@pulumi/pulumi";

/** Take over an existing object instead of creating one (`pulumi import` cannot work for dynamic resources). */
export interface AdoptArgs {
  /** The id of the existing agent or key. */
  id: pulumi.Input<string>;
  /**
   * The key's secret, if you still have it. It is verified against the server before it is
   * accepted into state; if it does not check out, the secret output stays empty and a warning says why.
   */
  secret?: pulumi.Input<string>;
}

/** `adopt` carries a secret, so the whole object is a Pulumi secret in state. */
export function secretAdopt(adopt: pulumi.Input<AdoptArgs> | undefined): pulumi.Input<AdoptArgs> | undefined {
  return adopt === undefined ? undefined : pulumi.secret(adopt);
}

export function withSecretOutputs(opts: pulumi.CustomResourceOptions | undefined, names: string[]): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...names] };
}

/**
 * The resource's stable identity within its stack. The provider derives each create's
 * Idempotency-Key from it, so an `up` interrupted after the server created the object but before
 * the engine recorded it gets the same object back on the next `up` instead of an orphan.
 */
export function creationKey(type: string, name: string, opts: pulumi.CustomResourceOptions | undefined): string {
  // The parent chain, like the URN (which is not known synchronously), so that same-named
  // children of different components never share a key.
  let parent = "";
  for (let p: any = opts?.parent; p; p = p.__parentResource) parent = `${p.__pulumiType ?? ""}::${p.__name ?? ""}/${parent}`;
  return `${pulumi.getProject()}/${pulumi.getStack()}/${type}/${parent}${name}`;
}

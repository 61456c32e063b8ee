import type * as pulumi from "@pulumi/pulumi";
import { setStackConfig } from "../config";

/**
 * The object a `pulumi-writer/dynamic/<Type>` module exports. Because it IS the module's exports,
 * Pulumi serializes a resource's provider as `require("pulumi-writer/dynamic/<Type>")`: a few
 * hundred bytes of state that always run the installed package.
 */
export function asModule(p: pulumi.dynamic.ResourceProvider): pulumi.dynamic.ResourceProvider {
  return { ...p, configure: async (req) => setStackConfig(req.config) };
}

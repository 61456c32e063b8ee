// This module's exports object is the AgentCapability dynamic provider. When the package is installed in
// node_modules, Pulumi serializes it by reference as `require("pulumi-writer/dynamic/AgentCapability")`: a few
// hundred bytes of state that always run the installed package.
import type * as pulumi from "@pulumi/pulumi";
import { setStackConfig } from "../config";
import { agentCapabilityProvider as p } from "../agentCapability";

export const configure = async (req: pulumi.dynamic.ConfigureRequest) => setStackConfig(req.config);
export const check = p.check!;
export const diff = p.diff!;
export const create = p.create;
export const read = p.read!;
export const update = p.update;
export const remove = p.delete;
export { remove as delete };

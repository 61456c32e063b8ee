// Writer access per environment: one program, one stack per environment (dev, staging, prod,
// pr-<n>), which differ only in their config (Pulumi.<stack>.yaml). The access spec is the stack
// config `writer:access`, or a YAML/JSON file named by `writer-access:specFile`.
import * as pulumi from "@pulumi/pulumi";
import * as writer from "pulumi-writer";

const cfg = new pulumi.Config();
const stack = pulumi.getStack();
// Stacks share one Writer organisation here, so agent names carry the stack ("[staging] Support bot").
// Override with `writer-access:namePrefix` ("" for none).
const namePrefix = cfg.get("namePrefix") ?? `[${stack}] `;
const specFile = cfg.get("specFile");

const access = specFile
  ? writer.AccessPolicy.fromFile("access", specFile, { namePrefix })
  : writer.AccessPolicy.fromConfig("access", { namePrefix });

export const agentIds = access.agentIds;
export const keyIds = access.keyIds;
export const maskedKeys = access.maskedKeys;
/** Secret: read with `pulumi stack output keys --show-secrets`. */
export const keys = access.keys;

// Writer access per environment: one program, one stack per environment (dev, staging, prod,
// pr-<n>), which differ only in their config (Pulumi.<stack>.yaml). The access spec is the stack
// config `writer:access`, or a YAML/JSON file named by `writer-access:specFile`.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as writer from "pulumi-writer";

const cfg = new pulumi.Config();
const stack = pulumi.getStack();
// Stacks share one Writer organisation here, so agent names carry the stack ("[staging] Support bot").
// A pull request's preview stack (pr-<n>) also gets a RandomPet suffix, stable for the stack's life
// ("[pr-42 brave-otter] Support bot"), so that a PR number reused later never meets a leftover.
// Override with `writer-access:namePrefix` ("" for none).
const suffix = stack.startsWith("pr-") ? new random.RandomPet("preview-suffix", { length: 2, keepers: { stack } }).id : undefined;
const namePrefix = cfg.get("namePrefix") ?? (suffix ? pulumi.interpolate`[${stack} ${suffix}] ` : `[${stack}] `);
const specFile = cfg.get("specFile");

const access = specFile
  ? writer.AccessPolicy.fromFile("access", specFile, { namePrefix })
  : writer.AccessPolicy.fromConfig("access", { namePrefix });

export const agentIds = access.agentIds;
export const keyIds = access.keyIds;
export const maskedKeys = access.maskedKeys;
/** Secret: read with `pulumi stack output keys --show-secrets`. */
export const keys = access.keys;

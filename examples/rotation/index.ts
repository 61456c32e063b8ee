// Rotation without replacement: the key keeps its id; its secret is regenerated in place when
// `rotationTriggers` change or when `rotateAfterDays` have passed since the last rotation, and
// the previous secret keeps working for `gracePeriodSeconds` so consumers can roll over.
import * as pulumi from "@pulumi/pulumi";
import * as writer from "pulumi-writer";

const config = new pulumi.Config();
const agent = new writer.ApiAgent("billing-bot", { description: "Billing assistant", capabilities: ["chat", "models"] });

const key = new writer.ApiKey("billing-prod", {
  agentId: agent.id,
  // Bump `release` (pulumi config set release 2) to rotate now, e.g. after a suspected leak.
  rotationTriggers: { release: config.get("release") ?? "1" },
  rotateAfterDays: config.getNumber("rotateAfterDays") ?? 30,
  gracePeriodSeconds: 3600,
});

export const keyId = key.id;
export const rotatedAt = key.rotatedAt;
export const previousSecretExpiresAt = key.previousSecretExpiresAt;
export const secret = key.secret;

// Rotation without replacement: the key keeps its id; its secret is regenerated in place when
// `rotationTriggers` change or when `rotateAfterDays` have passed since the last rotation, and
// the previous secret keeps working for `gracePeriodSeconds` so consumers can roll over.
//
// The trigger is a RandomId whose keepers name the rotation period (the @pulumi/random keepers
// idiom): `pulumi config set rotationPeriod 2027-Q1` makes a new RandomId, which rotates the key
// once, in place. Bump it early after a suspected leak.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as writer from "pulumi-writer";

const config = new pulumi.Config();
const agent = new writer.ApiAgent("billing-bot", { description: "Billing assistant", capabilities: ["chat", "models"] });

const period = new random.RandomId("billing-rotation-period", {
  byteLength: 4,
  keepers: { period: config.get("rotationPeriod") ?? "2026-Q4" },
});

const key = new writer.ApiKey("billing-prod", {
  agentId: agent.id,
  rotationTriggers: period.hex,
  rotateAfterDays: config.getNumber("rotateAfterDays") ?? 90,
  gracePeriodSeconds: 3600,
});

export const keyId = key.id;
export const rotatedAt = key.rotatedAt;
export const previousSecretExpiresAt = key.previousSecretExpiresAt;
export const rotationPeriodId = period.hex;
export const secret = key.secret;

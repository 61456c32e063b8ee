// The native provider's schema is derived from the zod schemas; the committed schema.json is what
// the code generates (run `npm run schema` after changing inputs or outputs).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CAPABILITY_IDS } from "../../api";
import { buildSchema } from "../../provider/native/schema";

const root = join(__dirname, "..", "..");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const schema: any = buildSchema(version);

test("provider/native/schema.json equals what the code generates", () => {
  expect(JSON.parse(readFileSync(join(root, "provider", "native", "schema.json"), "utf8"))).toEqual(schema);
});

test("resources, functions, config and secrets as the issue asks", () => {
  expect(Object.keys(schema.resources).sort()).toEqual(["writer:index:AccessPolicy", "writer:index:AdminToken", "writer:index:AgentCapability", "writer:index:ApiAgent", "writer:index:ApiKey"]);
  expect(Object.keys(schema.functions).sort()).toEqual(["writer:index:getCapabilities", "writer:index:getTeam", "writer:index:getUsage", "writer:index:getUser"]);
  expect(schema.config.variables.adminToken.secret).toBe(true);
  expect(schema.provider.inputProperties.adminToken.secret).toBe(true);
  expect(schema.resources["writer:index:ApiKey"].properties.secret.secret).toBe(true);
  expect(schema.resources["writer:index:ApiAgent"].properties.defaultKeySecret.secret).toBe(true);
  // Derived from the zod inputs: every input of ApiKey but the provider's bookkeeping.
  expect(Object.keys(schema.resources["writer:index:ApiKey"].inputProperties).sort()).toEqual(
    ["agentId", "enabled", "expiresAt", "gracePeriodSeconds", "name", "ownerId", "requestsPerMinute", "rotateAfterDays", "rotationTriggers", "teamId", "tokenBudget", "tokensPerMinute"],
  );
  expect(schema.resources["writer:index:ApiKey"].requiredInputs).toEqual(["agentId"]);
  expect(schema.types["writer:index:Capability"].enum.map((e: any) => e.value)).toEqual([...CAPABILITY_IDS]);
});

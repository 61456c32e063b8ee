// The fallback provider used when the package is loaded from outside node_modules: its methods
// load the installed `pulumi-writer/dynamic/<Type>` module at run time and behave the same.
import * as pulumi from "@pulumi/pulumi";
import { shim } from "../../sdk/shim";

test("the shim delegates check and diff to the installed dynamic module", async () => {
  const p = shim("AgentCapability");
  const bad = await p.check!({}, { agentId: "a", capability: "CHAT" });
  expect(bad.failures![0].property).toBe("capability");
  const d = await p.diff!("a/chat", { agentId: "a", capability: "chat" }, { agentId: "a", capability: "models" });
  expect(d).toMatchObject({ changes: true, replaces: ["capability"] });
});

test("the shim serializes to a small closure that names only the dynamic subpath", async () => {
  const provider = shim("ApiKey");
  const { text } = await pulumi.runtime.serializeFunction(() => provider);
  expect(text).toContain("pulumi-writer/dynamic/${type}");
  expect(text).toContain('type: "ApiKey"');
  expect(text).not.toMatch(/zod|axios|keyPatch/);
  expect(text.length).toBeLessThan(2500);
});

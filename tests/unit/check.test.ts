import { apiAgent as apiAgentProvider } from "../../provider/resources/apiAgent";
import { apiKey as apiKeyProvider } from "../../provider/resources/apiKey";
import { agentCapability as agentCapabilityProvider } from "../../provider/resources/agentCapability";
import { UNKNOWN } from "../../provider/inputs";

describe("check validates inputs before any API call", () => {
  test("unknown capability lists the valid ones", async () => {
    const r = await apiAgentProvider.check({}, { name: "a", capabilities: ["chat", "telepathy"] } as any);
    expect(r.failures).toHaveLength(1);
    expect(r.failures![0].property).toBe("capabilities");
    expect(r.failures![0].reason).toContain('unknown capability "telepathy"');
    expect(r.failures![0].reason).toContain("knowledge_graph");
  });
  test("over-long name and wrong types name the field", async () => {
    const r = await apiAgentProvider.check({}, { name: "x".repeat(300), revokeDefaultKey: "yes" } as any);
    const props = r.failures!.map((f) => f.property).sort();
    expect(props).toEqual(["name", "revokeDefaultKey"]);
    expect(r.failures!.find((f) => f.property === "name")!.reason).toContain("at most 255");
  });
  test("teamId without ownerId is refused with what to do", async () => {
    const r = await apiKeyProvider.check({}, { agentId: "a", name: "k", teamId: "t" });
    expect(r.failures).toEqual([expect.objectContaining({ property: "ownerId" })]);
    expect(r.failures![0].reason).toMatch(/key owner/);
  });
  test("bad and past dates are refused", async () => {
    const bad = await apiKeyProvider.check({}, { agentId: "a", name: "k", expiresAt: "next tuesday" });
    expect(bad.failures![0]).toMatchObject({ property: "expiresAt" });
    expect(bad.failures![0].reason).toContain("ISO 8601");
    const past = await apiKeyProvider.check({}, { agentId: "a", name: "k", expiresAt: "2001-01-01T00:00:00Z" });
    expect(past.failures![0].reason).toContain("in the past");
  });
  test("an expiry already in state that has since passed is not an error (the key is just expired), a new past one is", async () => {
    const olds = { agentId: "a", name: "k", expiresAt: "2001-01-01T00:00:00Z", rotationAnchor: "2026-01-01T00:00:00.000Z" };
    const kept = await apiKeyProvider.check(olds, { agentId: "a", name: "k", expiresAt: "2001-01-01T00:00:00Z" });
    expect(kept.failures).toEqual([]);
    const changed = await apiKeyProvider.check(olds, { agentId: "a", name: "k", expiresAt: "2002-01-01T00:00:00Z" });
    expect(changed.failures![0]).toMatchObject({ property: "expiresAt" });
    expect(changed.failures![0].reason).toContain("in the past");
  });
  test("grace period over 7 days and non-positive cadence are refused", async () => {
    const r = await apiKeyProvider.check({}, { agentId: "a", name: "k", gracePeriodSeconds: 10_000_000, rotateAfterDays: 0 });
    expect(r.failures!.map((f) => f.property).sort()).toEqual(["gracePeriodSeconds", "rotateAfterDays"]);
  });
  test("values unknown at preview are not judged, and the key gets a rotation anchor", async () => {
    const r = await apiKeyProvider.check({}, { agentId: UNKNOWN, name: "k", teamId: UNKNOWN, ownerId: UNKNOWN });
    expect(r.failures).toEqual([]);
    expect(typeof r.inputs!.rotationAnchor).toBe("string");
  });
  test("a valid key passes and keeps its previous anchor", async () => {
    const olds = { agentId: "a", name: "k", rotationAnchor: "2026-01-01T00:00:00.000Z" };
    const r = await apiKeyProvider.check(olds, { agentId: "a", name: "k" });
    expect(r.failures).toEqual([]);
    expect(r.inputs!.rotationAnchor).toBe("2026-01-01T00:00:00.000Z");
  });
  test("AgentCapability needs a known capability", async () => {
    const r = await agentCapabilityProvider.check({}, { agentId: "a", capability: "CHAT" } as any);
    expect(r.failures![0].property).toBe("capability");
  });
});

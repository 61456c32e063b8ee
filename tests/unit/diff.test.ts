import { agentChanges } from "../../provider/resources/apiAgent";
import { keyChanges, keyPatch, keyReplaces, nextRotationAnchor } from "../../provider/resources/apiKey";
import { agentCapability as agentCapabilityProvider } from "../../provider/resources/agentCapability";

const state: any = {
  agentId: "a1", name: "k", teamId: "", ownerId: "", status: "active", expiresAt: "",
  gracePeriodSeconds: 86400, rotationAnchor: "2026-01-01T00:00:00.000Z", secret: "s",
};

describe("ApiAgent diff", () => {
  const olds: any = { name: "bot", description: "d", capabilities: ["chat", "models"], revokeDefaultKey: false, __provider: "old code" };
  test("no change, capabilities in another order, and a changed __provider are not changes", () => {
    expect(agentChanges(olds, { name: "bot", description: "d", capabilities: ["models", "chat"], __provider: "new code" } as any)).toEqual([]);
  });
  test("name, description and capabilities update", () => {
    expect(agentChanges(olds, { name: "bot2", description: "e", capabilities: ["chat"] })).toEqual(["name", "description", "capabilities"]);
  });
  test("omitted capabilities are ignored (AgentCapability owns them)", () => {
    expect(agentChanges(olds, { name: "bot", description: "d" })).toEqual([]);
  });
  test("turning revokeDefaultKey on is an update, turning it off is not", () => {
    expect(agentChanges(olds, { ...olds, revokeDefaultKey: true })).toEqual(["revokeDefaultKey"]);
    expect(agentChanges({ ...olds, revokeDefaultKey: true }, { ...olds, revokeDefaultKey: false })).toEqual([]);
  });
});

describe("ApiKey diff", () => {
  const news: any = { agentId: "a1", name: "k", rotationAnchor: state.rotationAnchor, __provider: "x" };
  test("identical program is no change", () => {
    expect(keyChanges(state, news)).toEqual([]);
  });
  test("agentId and teamId replace; name, owner, enabled, expiry update in place", () => {
    expect(keyReplaces(state, { ...news, agentId: "a2" })).toEqual(["agentId"]);
    expect(keyReplaces(state, { ...news, teamId: "t1" })).toEqual(["teamId"]);
    expect(keyReplaces(state, { ...news, name: "other" })).toEqual([]);
    expect(keyPatch(state, { ...news, name: "n2", ownerId: "u1", enabled: false, expiresAt: "2030-01-01T00:00:00Z" })).toEqual({
      name: "n2", owner_id: "u1", status: "disabled", expires_at: "2030-01-01T00:00:00Z",
    });
  });
  test("the same instant written differently is not an expiry change", () => {
    expect(keyPatch({ ...state, expiresAt: "2030-01-01T00:00:00.000Z" }, { ...news, expiresAt: "2030-01-01T00:00:00Z" })).toEqual({});
  });
  test("a key disabled out of band is put back to active", () => {
    expect(keyPatch({ ...state, status: "disabled" }, news)).toEqual({ status: "active" });
  });
  test("a moved rotation anchor is an update, not a replacement", () => {
    const n = { ...news, rotationAnchor: "2026-02-01T00:00:00.000Z" };
    expect(keyChanges(state, n)).toEqual(["rotationAnchor"]);
    expect(keyReplaces(state, n)).toEqual([]);
  });
});

describe("rotation anchor", () => {
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const olds = { rotationAnchor: new Date(t0).toISOString(), rotationTriggers: ["v1"], rotateAfterDays: 30 };
  test("a new key anchors now", () => {
    expect(nextRotationAnchor({}, { rotateAfterDays: 30 } as any, t0 + 5)).toBe(new Date(t0 + 5).toISOString());
  });
  test("stays put until the cadence elapses, then moves to now", () => {
    const day = 86_400_000;
    expect(nextRotationAnchor(olds, { rotationTriggers: ["v1"], rotateAfterDays: 30 } as any, t0 + 29 * day)).toBe(olds.rotationAnchor);
    expect(nextRotationAnchor(olds, { rotationTriggers: ["v1"], rotateAfterDays: 30 } as any, t0 + 30 * day)).toBe(new Date(t0 + 30 * day).toISOString());
  });
  test("a changed trigger moves it at once; an unchanged one does not", () => {
    expect(nextRotationAnchor(olds, { rotationTriggers: ["v2"], rotateAfterDays: 30 } as any, t0 + 1000)).toBe(new Date(t0 + 1000).toISOString());
    expect(nextRotationAnchor(olds, { rotationTriggers: ["v1"], rotateAfterDays: 30 } as any, t0 + 1000)).toBe(olds.rotationAnchor);
  });
});

describe("AgentCapability diff", () => {
  test("any field change replaces; same fields are no change", async () => {
    const olds: any = { agentId: "a", capability: "chat" };
    expect(await agentCapabilityProvider.diff("a/chat", olds, { ...olds, __provider: "new" })).toMatchObject({ changes: [], replaces: [] });
    expect(await agentCapabilityProvider.diff("a/chat", olds, { agentId: "a", capability: "models" } as any)).toMatchObject({ changes: ["capability"], replaces: ["capability"], deleteBeforeReplace: true });
  });
});

describe("ApiKey limits", () => {
  test("limits update in place and are patched by their admin-API names; removing one sends null", () => {
    const olds: any = { ...state, requestsPerMinute: 10, tokensPerMinute: 0, tokenBudget: { tokens: 5, period: "day" } };
    const news: any = { agentId: "a1", name: "k", rotationAnchor: state.rotationAnchor, requestsPerMinute: 20, tokenBudget: { tokens: 5, period: "month" } };
    expect(keyReplaces(olds, news)).toEqual([]);
    expect(keyChanges(olds, news)).toEqual(["requestsPerMinute", "tokenBudget"]);
    expect(keyPatch(olds, news)).toEqual({ requests_per_minute: 20, token_budget: { tokens: 5, period: "month" } });
    expect(keyPatch(olds, { ...news, requestsPerMinute: undefined, tokenBudget: undefined })).toEqual({ requests_per_minute: null, token_budget: null });
  });
});

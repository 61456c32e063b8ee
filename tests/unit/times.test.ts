// One time rule for every field that takes a time, in the provider's check and the access spec.
import { apiKey as apiKeyProvider } from "../../provider/resources/apiKey";
import { parseAccessSpec, AccessSpecError } from "../../provider/accessSpec";

const BAD = ["2020-01-01T00:00:00+99:99", "2035-01-01T00:00:00+24:00", "9999-12-31T23:59:59-23:59", "2035-02-30T00:00:00Z"];

test.each(BAD)("ApiKey check refuses expiresAt %s naming expiresAt", async (t) => {
  const r = await apiKeyProvider.check({}, { agentId: "a", name: "k", expiresAt: t });
  expect(r.failures).toEqual([expect.objectContaining({ property: "expiresAt" })]);
  expect(r.failures![0].reason).toMatch(/^expiresAt: /);
});

test.each(BAD)("the access spec refuses expiresAt %s with its path", (t) => {
  const spec = { agents: { a: { keys: { k: { allTeams: true, expiresAt: t } } } } };
  expect(() => parseAccessSpec(spec)).toThrow(AccessSpecError);
  try {
    parseAccessSpec(spec);
  } catch (e) {
    expect((e as AccessSpecError).issues.map((i) => i.path)).toEqual(["agents.a.keys.k.expiresAt"]);
  }
});

test("a valid offset passes both", async () => {
  const r = await apiKeyProvider.check({}, { agentId: "a", name: "k", expiresAt: "2035-06-01T12:00:00-05:30" });
  expect(r.failures).toEqual([]);
  expect(() => parseAccessSpec({ agents: { a: { keys: { k: { allTeams: true, expiresAt: "2035-06-01T12:00:00-05:30" } } } } })).not.toThrow();
});

import { LookupNotFoundError } from "../../provider/errors";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccessSpecError, accessSpecFromFile, Lookups, parseAccessSpec, resolveAccessSpec } from "../../provider/accessSpec";

function issues(input: unknown): string[] {
  try {
    parseAccessSpec(input);
  } catch (e) {
    expect(e).toBeInstanceOf(AccessSpecError);
    return (e as AccessSpecError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected the spec to be refused");
}

const TEAMS = [
  { id: "t-support", name: "Support" },
  { id: "t-eng", name: "Engineering" },
];
const USERS = [
  { id: "u-lead", email: "lead@example.com", teamIds: ["t-support"] },
  { id: "u-eng", email: "eng-lead@example.com", teamIds: ["t-eng"] },
];
function fakeLookups(calls: string[] = []): Lookups {
  return {
    getTeam: async ({ name }) => {
      calls.push(`team:${name}`);
      const t = TEAMS.find((x) => x.name === name);
      if (!t) throw new LookupNotFoundError("team", `no team named ${JSON.stringify(name)}; teams are: ${TEAMS.map((x) => x.name).join(", ")}`);
      return t;
    },
    getUser: async ({ email }) => {
      calls.push(`user:${email}`);
      const u = USERS.find((x) => x.email === email.toLowerCase());
      if (!u) throw new LookupNotFoundError("user", `no user with email ${email}`);
      return u;
    },
  };
}

describe("access spec validation names every problem by its path", () => {
  test("a valid spec gets its defaults", () => {
    const s = parseAccessSpec({
      agents: {
        support: { name: "Support bot", capabilities: ["chat"], keys: { prod: { team: "Support", owner: "lead@example.com", gracePeriod: "24h" } } },
        bare: {},
      },
    });
    expect(s.agents.support.revokeDefaultKey).toBe(true);
    expect(s.agents.support.keys.prod.gracePeriod).toBe(86400);
    expect(s.agents.bare).toMatchObject({ capabilities: [], keys: {}, revokeDefaultKey: true });
  });

  test("every issue at once, each with its full path", () => {
    const got = issues({
      agents: {
        support: {
          capabilities: ["chat", "telepathy"],
          keys: {
            prod: { team: "Support", owner: "not-an-email", rotateAfterDays: 0, gracePeriod: "2w" },
            ci: { owners: "x", allTeams: true },
            nowhere: {},
            Bad: { allTeams: true },
          },
        },
      },
    });
    expect(got).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^agents\.support\.capabilities\.1: unknown capability "telepathy": use one of chat, /),
        "agents.support.keys.prod.owner: must be an email address",
        "agents.support.keys.prod.rotateAfterDays: must be a positive number of days",
        'agents.support.keys.prod.gracePeriod: "2w" is not a duration: use e.g. "24h", "30m", "7d" or a number of seconds',
        expect.stringMatching(/^agents\.support\.keys\.ci\.owners: unknown field: remove it \(allowed: name, team, allTeams, owner,/),
        "agents.support.keys.nowhere.team: is required: name the team (e.g. team: Support) or set allTeams: true",
        expect.stringMatching(/^agents\.support\.keys\.Bad: is not a valid id: use lowercase letters/),
      ]),
    );
    expect(got).toHaveLength(7);
  });

  test("cross-field rules: team needs owner, team and allTeams exclude each other", () => {
    expect(issues({ agents: { a: { keys: { k: { team: "Support" } } } } })).toEqual([
      "agents.a.keys.k.owner: is required for a team-scoped key: the key owner, a member of the team (their email)",
    ]);
    expect(issues({ agents: { a: { keys: { k: { team: "Support", owner: "lead@example.com", allTeams: true } } } } })).toEqual([
      "agents.a.keys.k.team: give either team or allTeams: true, not both",
    ]);
  });

  test("times: a YAML date is accepted, a malformed one is refused; a past one is the ApiKey's to judge", () => {
    const s = parseAccessSpec({ agents: { a: { keys: { k: { allTeams: true, expiresAt: new Date("2099-01-31T00:00:00Z") } } } } });
    expect(s.agents.a.keys.k.expiresAt).toBe("2099-01-31T00:00:00.000Z");
    // A spec has no memory of what was applied, so it cannot tell "set in the past" from "passed since".
    const past = parseAccessSpec({ agents: { a: { keys: { k: { allTeams: true, expiresAt: "2001-01-01T00:00:00Z" } } } } });
    expect(past.agents.a.keys.k.expiresAt).toBe("2001-01-01T00:00:00Z");
    expect(issues({ agents: { a: { keys: { k: { allTeams: true, expiresAt: "next tuesday" } } } } })[0]).toContain("ISO 8601");
  });

  test("grace periods: units, seconds, and the 7-day limit", () => {
    const g = (gracePeriod: unknown) => parseAccessSpec({ agents: { a: { keys: { k: { allTeams: true, gracePeriod } } } } }).agents.a.keys.k.gracePeriod;
    expect(g("30m")).toBe(1800);
    expect(g("7d")).toBe(604800);
    expect(g(0)).toBe(0);
    expect(issues({ agents: { a: { keys: { k: { allTeams: true, gracePeriod: "8d" } } } } })[0]).toContain("must be at most 604800 (7 days)");
  });

  test("missing or shapeless specs", () => {
    expect(issues(undefined)).toEqual(["(spec): is missing: give an object with `agents`"]);
    expect(issues({})).toEqual(["agents: is required"]);
    expect(issues({ agents: {}, extra: 1 })[0]).toMatch(/^extra: unknown field: remove it \(allowed: agents\)/);
  });

  test("the error message lists the source and every path, one per line", () => {
    try {
      parseAccessSpec({ agents: { a: { keys: { k: { team: "Support" } } } } }, "stack config writer:access");
      throw new Error("not refused");
    } catch (e: any) {
      expect(e.message).toBe(
        "invalid Writer access spec (stack config writer:access): 1 problem\n" +
          "  agents.a.keys.k.owner: is required for a team-scoped key: the key owner, a member of the team (their email)",
      );
    }
  });

  test("a YAML file (unquoted dates included) and a JSON file load alike", () => {
    const dir = mkdtempSync(join(tmpdir(), "access-spec-"));
    writeFileSync(join(dir, "a.yaml"), "agents:\n  support:\n    keys:\n      prod: { allTeams: true, expiresAt: 2099-01-31T00:00:00Z }\n");
    writeFileSync(join(dir, "a.json"), JSON.stringify({ agents: { support: { keys: { prod: { allTeams: true } } } } }));
    writeFileSync(join(dir, "bad.yaml"), "agents: [\n");
    expect(parseAccessSpec(accessSpecFromFile(join(dir, "a.yaml")).spec).agents.support.keys.prod.expiresAt).toBe("2099-01-31T00:00:00.000Z");
    expect(parseAccessSpec(accessSpecFromFile(join(dir, "a.json")).spec).agents.support.keys.prod.allTeams).toBe(true);
    expect(() => accessSpecFromFile(join(dir, "bad.yaml"))).toThrow(/bad\.yaml\): 1 problem\n  \(spec\): not valid YAML\/JSON/);
    expect(() => accessSpecFromFile(join(dir, "none.yaml"))).toThrow(/cannot read .*none\.yaml: ENOENT/);
  });
});

describe("resolution of team names and owner emails", () => {
  test("each name and email is looked up once; ids come back by agent/key", async () => {
    const calls: string[] = [];
    const spec = parseAccessSpec({
      agents: {
        support: { keys: { prod: { team: "Support", owner: "lead@example.com" }, ci: { allTeams: true } } },
        other: { keys: { prod: { team: "Support", owner: "LEAD@example.com" } } },
      },
    });
    const r = await resolveAccessSpec(spec, fakeLookups(calls));
    expect(r).toEqual({
      "support/prod": { teamId: "t-support", ownerId: "u-lead" },
      "support/ci": { teamId: undefined, ownerId: undefined },
      "other/prod": { teamId: "t-support", ownerId: "u-lead" },
    });
    expect(calls.sort()).toEqual(["team:Support", "user:lead@example.com"]);
  });

  test("unknown teams, unknown emails and non-members are all reported with their paths", async () => {
    const spec = parseAccessSpec({
      agents: {
        support: {
          keys: {
            prod: { team: "Suport", owner: "lead@example.com" },
            eng: { team: "Engineering", owner: "lead@example.com" },
            ops: { allTeams: true, owner: "nobody@example.com" },
          },
        },
      },
    });
    await expect(resolveAccessSpec(spec, fakeLookups(), "Pulumi.prod.yaml")).rejects.toThrow(
      "invalid Writer access spec (Pulumi.prod.yaml): 3 problems\n" +
        '  agents.support.keys.eng.owner: lead@example.com is not a member of team "Engineering": a team key\'s owner must be in the team\n' +
        "  agents.support.keys.ops.owner: no user with email nobody@example.com\n" +
        '  agents.support.keys.prod.team: no team named "Suport"; teams are: Support, Engineering',
    );
  });

  test("errors other than 'not found' (auth, network) are thrown as they are", async () => {
    const spec = parseAccessSpec({ agents: { a: { keys: { k: { team: "Support", owner: "lead@example.com" } } } } });
    const broken: Lookups = { ...fakeLookups(), getTeam: async () => { throw new Error("401 Unauthorized: bad admin token"); } };
    await expect(resolveAccessSpec(spec, broken)).rejects.toThrow("401 Unauthorized: bad admin token");
  });
});

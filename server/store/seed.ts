import { readFileSync } from "node:fs";
import { z } from "zod/v4";
import { describeIssues, Email, formatIssues, Name } from "../../api";
import type { Store } from "./types";

export const SeedSchema = z
  .strictObject({
    teams: z.array(z.strictObject({ name: Name })).max(1000),
    users: z.array(z.strictObject({ email: Email, name: Name, teams: z.array(z.string()).default([]) })).max(10000).default([]),
  })
  .superRefine((s, ctx) => {
    const names = new Set(s.teams.map((t) => t.name));
    s.users.forEach((u, i) =>
      u.teams.forEach((t, j) => {
        if (!names.has(t)) ctx.addIssue({ code: "custom", path: ["users", i, "teams", j], message: `team ${JSON.stringify(t)} is not in the seed's teams` });
      }),
    );
  });
export type Seed = z.infer<typeof SeedSchema>;

/** The directory a new data dir starts with, unless --seed names another. */
export const DEFAULT_SEED: Seed = {
  teams: [{ name: "Support" }, { name: "Engineering" }, { name: "Sales" }],
  users: [
    { email: "lead@example.com", name: "Support Lead", teams: ["Support"] },
    { email: "eng-lead@example.com", name: "Engineering Lead", teams: ["Engineering"] },
    { email: "sales-lead@example.com", name: "Sales Lead", teams: ["Sales"] },
    { email: "admin@example.com", name: "Admin", teams: ["Support", "Engineering", "Sales"] },
  ],
};

/** Reads and validates a seed file; throws an Error whose message names the bad field. */
export function readSeedFile(path: string): Seed {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`seed file ${path}: ${(e as Error).message}`);
  }
  const r = SeedSchema.safeParse(raw);
  if (!r.success) throw new Error(`seed file ${path} is invalid: ${formatIssues(describeIssues(r.error))}`);
  return r.data;
}

/** Seeds only an empty database, so a restart never duplicates or resurrects anything. */
export async function seedIfEmpty(store: Store, seed: Seed): Promise<boolean> {
  // Replicas starting together on one empty database: one seeds, the others then find it seeded.
  return store.exclusive(async () => {
    if (!(await store.isEmpty())) return false;
    const ids = new Map<string, string>();
    for (const t of seed.teams) ids.set(t.name, (await store.teams.create(t.name)).value.id);
    for (const u of seed.users) await store.users.create({ email: u.email, name: u.name, team_ids: u.teams.map((t) => ids.get(t)!) });
    return true;
  });
}

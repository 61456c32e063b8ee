import { readFileSync } from "node:fs";
import { z } from "zod/v4";
import { openDb, type DB } from "./db";
import { Pager } from "./pagination";
import { Teams } from "./teams";
import { Users } from "./users";
import { Agents } from "./agents";
import { Keys } from "./keys";
import { Idempotency } from "./idempotency";
import { loadPepper } from "../crypto";
import { describeIssues, Name } from "../../api";

export interface Store {
  db: DB;
  teams: Teams;
  users: Users;
  agents: Agents;
  keys: Keys;
  idempotency: Idempotency;
  /** Runs fn in one IMMEDIATE transaction (every write goes through here). */
  tx<T>(fn: () => T): T;
  close(): void;
}

export function openStore(dataDir: string): Store {
  const db = openDb(dataDir);
  const pepper = loadPepper(dataDir);
  const pager = new Pager(db);
  const store: Store = {
    db,
    teams: new Teams(db, pager),
    users: new Users(db, pager),
    agents: new Agents(db, pager),
    keys: new Keys(db, pager, pepper),
    idempotency: new Idempotency(db, pepper),
    tx: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    close: () => db.close(),
  };
  store.idempotency.purgeExpired();
  return store;
}

export const SeedSchema = z.strictObject({
  teams: z.array(z.strictObject({ name: Name })).max(1000),
  users: z
    .array(z.strictObject({ email: z.email("must be an email address"), name: Name, teams: z.array(z.string()).default([]) }))
    .max(10000)
    .default([]),
}).superRefine((s, ctx) => {
  const names = new Set(s.teams.map((t) => t.name));
  s.users.forEach((u, i) =>
    u.teams.forEach((t, j) => {
      if (!names.has(t)) ctx.addIssue({ code: "custom", path: ["users", i, "teams", j], message: `team ${JSON.stringify(t)} is not in the seed's teams` });
    }),
  );
});
export type Seed = z.infer<typeof SeedSchema>;

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
  if (!r.success) {
    const issues = describeIssues(r.error).map((i) => `${i.field}: ${i.message}`).join("; ");
    throw new Error(`seed file ${path} is invalid: ${issues}`);
  }
  return r.data;
}

/** Seeds only an empty database, so a restart never duplicates or resurrects anything. */
export function seedIfEmpty(store: Store, seed: Seed): boolean {
  return store.tx(() => {
    const { n } = store.db
      .prepare("SELECT (SELECT count(*) FROM teams) + (SELECT count(*) FROM users) + (SELECT count(*) FROM agents) AS n")
      .get() as { n: number };
    if (n > 0) return false;
    const ids = new Map<string, string>();
    for (const t of seed.teams) ids.set(t.name, store.teams.create(t.name).id);
    for (const u of seed.users) store.users.create({ email: u.email, name: u.name, team_ids: u.teams.map((t) => ids.get(t)!) });
    return true;
  });
}

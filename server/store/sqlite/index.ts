import { DEFAULT_KEY_NAME, type CreateAgent, type CreateUser, type UpdateAgent } from "../../../api";
import { columnsOf, decodeRows, DUMP_TABLES, DumpError, encodeRows } from "../dump";
import { Unprocessable } from "../errors";
import type { Dump, Idem, KeyPatch, NewKey, Store, Written } from "../types";
import { Access } from "./access";
import { Agents } from "./agents";
import { openDb, type DB } from "./db";
import { Idempotency } from "./idempotency";
import { Keys } from "./keys";
import { Objects } from "./objects";
import { Usage } from "./usage";
import { Pager } from "./pagination";
import { Teams } from "./teams";
import { Users } from "./users";

export interface SqliteStore extends Store {
  /** The connection, for tests and tools that read the file's own rows. */
  db: DB;
}

/** The embedded store: one SQLite file in the data dir, owned by this process. */
export function openSqliteStore(dataDir: string, pepper: Buffer, onError: (e: unknown) => void = () => undefined): SqliteStore {
  const db = openDb(dataDir);
  const pager = new Pager(db);
  const teams = new Teams(db, pager);
  const users = new Users(db, pager);
  const agents = new Agents(db, pager);
  const keys = new Keys(db, pager, pepper);
  const idempotency = new Idempotency(db, pepper);
  const access = new Access(db, pepper, onError);
  const usage = new Usage(db);
  const objects = new Objects(db);
  access.onFlush = () => usage.flush();

  /** One IMMEDIATE transaction; with an Idempotency-Key the answer is recorded in it too. */
  const write = <T>(fn: () => T, idem?: Idem): Written<T> =>
    db.transaction(() => {
      const value = fn();
      const json = JSON.stringify(value);
      if (idem) idempotency.save(idem.ctx, idem.status, json);
      return { value, json };
    }).immediate();
  const tx = <T>(fn: () => T): T => db.transaction(fn).immediate();

  /** Team-scoped keys need an existing team and an owner who belongs to it; any owner must exist. */
  const checkScope = (scope: string, teamId: string | null | undefined, ownerId: string | null | undefined) => {
    if (scope === "team") {
      if (!teamId || !teams.find(teamId)) throw new Unprocessable(`team ${teamId} does not exist`, "team_id");
      if (!ownerId) throw new Unprocessable("a team-scoped key needs an owner_id (a member of the team)", "owner_id");
    }
    if (ownerId) {
      if (!users.exists(ownerId)) throw new Unprocessable(`user ${ownerId} does not exist`, "owner_id");
      if (scope === "team" && !users.isMember(ownerId, teamId!))
        throw new Unprocessable(`user ${ownerId} is not a member of team ${teamId}; add them to the team or pick another owner`, "owner_id");
    }
  };

  // Reads of keys see every use already made (last_used_at is written in batches); a read still
  // answers when that write fails (it is retried by the next flush).
  const fresh = <T>(f: () => T): T => {
    try {
      access.flush();
    } catch (e) {
      onError(e);
    }
    return f();
  };

  return {
    db,
    teams: {
      list: async (q) => teams.list(q),
      get: async (id) => teams.get(id),
      create: async (name, idem) => write(() => teams.create(name), idem),
    },
    users: {
      list: async (q, email) => users.list(q, email),
      get: async (id) => users.get(id),
      create: async (u: CreateUser, idem) => write(() => users.create(u), idem),
    },
    agents: {
      list: async (q) => agents.list(q),
      get: async (id) => agents.get(id),
      create: async (a: CreateAgent, idem) =>
        write(() => {
          const id = agents.create(a);
          const default_key = keys.create(id, { name: DEFAULT_KEY_NAME, scope: "all_teams" });
          return { ...agents.get(id), default_key };
        }, idem),
      update: async (id, p: UpdateAgent) => tx(() => agents.patch(id, p)),
      delete: async (id) =>
        tx(() => {
          agents.delete(id);
          keys.revokeAllOf(id);
        }),
      setCapability: async (id, capability, on) =>
        tx(() => {
          const caps = agents.get(id).capabilities.filter((c) => c !== capability);
          if (on) caps.push(capability as never);
          return agents.patch(id, { capabilities: caps });
        }),
    },
    keys: {
      list: async (agentId, q) => fresh(() => (agents.get(agentId), keys.list(agentId, q))),
      get: async (agentId, id) => fresh(() => (agents.get(agentId), keys.get(agentId, id))),
      create: async (agentId, k: NewKey, idem) =>
        write(() => {
          agents.get(agentId);
          checkScope(k.scope, k.team_id, k.owner_id);
          return keys.create(agentId, k);
        }, idem),
      update: async (agentId, id, p: KeyPatch) =>
        tx(() => {
          agents.get(agentId);
          const cur = keys.row(agentId, id);
          if (p.owner_id !== undefined) {
            if (cur.scope === "team" && p.owner_id === null)
              throw new Unprocessable("a team-scoped key must keep an owner; set another member of the team", "owner_id");
            checkScope(cur.scope, cur.team_id, p.owner_id);
          }
          return keys.patch(agentId, id, p);
        }),
      regenerate: async (agentId, id, grace, idem) =>
        write(() => {
          agents.get(agentId);
          return keys.regenerate(agentId, id, grace);
        }, idem),
      revoke: async (agentId, id) =>
        tx(() => {
          agents.get(agentId);
          keys.revokeOne(agentId, id);
        }),
    },
    idempotency: {
      context: (scope, key, body) => idempotency.context(scope, key, body),
      rowKey: (scope, key) => idempotency.rowKey(scope, key),
      release: async (rowKeys) => db.transaction(() => idempotency.release(rowKeys)).immediate(),
      lookup: async (ctx) => idempotency.lookup(ctx),
      purgeExpired: async () => idempotency.purgeExpired(),
    },
    access: {
      authorize: (secret, capability, now, team) => access.authorize(secret, capability, now, team),
      touch: (keyId, now) => access.touch(keyId, now),
    },
    usage: {
      admit: (p, now, reserve) => usage.admit(p, now, reserve),
      spend: (p, r, spent, now) => usage.spend(p, r, spent, now),
      refuse: (keyId, agentId, reason, now) => usage.refuse(keyId, agentId, reason, now),
      report: async (q) => {
        agents.get(q.agentId);
        if (q.keyId) keys.row(q.agentId, q.keyId);
        return usage.report(q);
      },
    },
    objects: {
      own: (kind, id, owner, now) => objects.own(kind, id, owner, now),
      ownerOf: (kind, id) => objects.ownerOf(kind, id),
    },
    isEmpty: async () =>
      (db.prepare("SELECT (SELECT count(*) FROM teams) + (SELECT count(*) FROM users) + (SELECT count(*) FROM agents) AS n").get() as { n: number }).n === 0,
    // One process owns the file (exclusive lock): nothing to coordinate with.
    exclusive: (fn) => fn(),
    dump: async () => {
      access.flush();
      const tables: Dump["tables"] = {};
      for (const t of DUMP_TABLES) tables[t] = encodeRows(t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all() as Record<string, unknown>[]);
      return { format: "writer-local-dump", version: 1, tables };
    },
    load: async (d) =>
      tx(() => {
        const n = (db.prepare("SELECT (SELECT count(*) FROM teams) + (SELECT count(*) FROM users) + (SELECT count(*) FROM agents) + (SELECT count(*) FROM keys) AS n").get() as { n: number }).n;
        if (n > 0) throw new DumpError("the target database is not empty: import into a new data dir");
        for (const t of DUMP_TABLES) {
          const rows = decodeRows(t, d.tables[t] ?? []);
          if (rows.length === 0) continue;
          const cols = columnsOf(t, rows);
          const ins = db.prepare(`INSERT INTO ${t} (${cols.join(", ")}) VALUES (${cols.map((c) => "@" + c).join(", ")})`);
          for (const r of rows) ins.run(r);
        }
      }),
    close: async () => {
      access.close();
      db.close();
    },
  };
}

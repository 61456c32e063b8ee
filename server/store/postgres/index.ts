import type pg from "pg";
import { DEFAULT_KEY_NAME, type CreateAgent, type CreateUser, type UpdateAgent } from "../../../api";
import { columnsOf, decodeRows, DUMP_TABLES, DumpError, encodeRows } from "../dump";
import { Unprocessable } from "../errors";
import { idempotencyContext, idempotencyRowKey } from "../idempotency";
import type { Dump, Idem, KeyPatch, NewKey, Store, Written } from "../types";
import { PgAccess } from "./access";
import { PgAgents } from "./agents";
import { checkPepper, long, openPg, SEED_LOCK, unavailableOr, type PgDb, type PgOptions, type Q } from "./db";
import { PgDirectory } from "./directory";
import { PgIdempotency } from "./idempotency";
import { PgKeys } from "./keys";
import { PgObjects } from "./objects";
import { PgUsage } from "./usage";

export interface PostgresStore extends Store {
  db: PgDb;
  access: Store["access"] & { stats: PgAccess["stats"] };
}

/**
 * writer-local on PostgreSQL: the same domain operations as the SQLite store, for several replicas
 * on one database. Each write is one transaction that notifies the other replicas on commit (see
 * access.ts); reads go to the pool. The pepper stays out of the database (checkPepper).
 */
export async function openPostgresStore(url: string, pepper: Buffer, opts: PgOptions & { onError?: (e: unknown) => void } = {}): Promise<PostgresStore> {
  const db = await openPg(url, opts);
  const p = db.pool;
  const dir = new PgDirectory();
  const agents = new PgAgents();
  const keys = new PgKeys(pepper);
  const idem = new PgIdempotency();
  const objects = new PgObjects();
  const usage = new PgUsage(db, opts.onError);
  const access = new PgAccess(db, url, pepper);
  access.onFlush = () => usage.flush();
  try {
    await checkPepper(p, pepper);
    await access.listen();
  } catch (e) {
    await access.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw e;
  }

  /** One transaction; with an Idempotency-Key its record is claimed first and the answer saved last. */
  const write = <T>(fn: (c: Q) => Promise<T>, idemArg?: Idem): Promise<Written<T>> =>
    db.tx(async (c) => {
      if (idemArg) await idem.claim(c, idemArg.ctx);
      const value = await fn(c);
      const json = JSON.stringify(value);
      if (idemArg) await idem.save(c, idemArg.ctx, idemArg.status, json);
      return { value, json };
    });
  const read = async <T>(fn: (q: Q) => Promise<T>): Promise<T> => {
    try {
      return await fn(p);
    } catch (e) {
      throw unavailableOr(e);
    }
  };

  const checkScope = async (c: Q, scope: string, teamId: string | null | undefined, ownerId: string | null | undefined) => {
    if (scope === "team") {
      if (!teamId || !(await dir.team(c, teamId))) throw new Unprocessable(`team ${teamId} does not exist`, "team_id");
      if (!ownerId) throw new Unprocessable("a team-scoped key needs an owner_id (a member of the team)", "owner_id");
    }
    if (ownerId) {
      if (!(await dir.userExists(c, ownerId))) throw new Unprocessable(`user ${ownerId} does not exist`, "owner_id");
      if (scope === "team" && !(await dir.isMember(c, ownerId, teamId!)))
        throw new Unprocessable(`user ${ownerId} is not a member of team ${teamId}; add them to the team or pick another owner`, "owner_id");
    }
  };
  // Reads of keys see every use this replica made (last_used_at is written in batches).
  const fresh = async <T>(fn: (q: Q) => Promise<T>): Promise<T> => {
    await access.flush().catch(() => undefined);
    return read(fn);
  };

  return {
    db,
    teams: {
      list: (q) => read((c) => dir.listTeams(c, q)),
      get: (id) => read((c) => dir.getTeam(c, id)),
      create: (name, i) => write((c) => dir.createTeam(c, name), i),
    },
    users: {
      list: (q, email) => read((c) => dir.listUsers(c, q, email)),
      get: (id) => read((c) => dir.getUser(c, id)),
      create: (u: CreateUser, i) => write((c) => dir.createUser(c, u), i),
    },
    agents: {
      list: (q) => read((c) => agents.list(c, q)),
      get: (id) => read((c) => agents.get(c, id)),
      create: (a: CreateAgent, i) =>
        write(async (c) => {
          const id = await agents.create(c, a);
          const default_key = await keys.create(c, id, { name: DEFAULT_KEY_NAME, scope: "all_teams" });
          return { ...(await agents.get(c, id)), default_key };
        }, i),
      update: (id, u: UpdateAgent) => db.tx((c) => agents.patch(c, id, u)),
      delete: (id) =>
        db.tx(async (c) => {
          await agents.delete(c, id);
          await keys.revokeAllOf(c, id);
        }),
      setCapability: (id, capability, on) =>
        db.tx(async (c) => {
          const caps = (await agents.get(c, id, true)).capabilities.filter((x) => x !== capability);
          if (on) caps.push(capability as never);
          return agents.patch(c, id, { capabilities: caps });
        }),
    },
    keys: {
      list: (agentId, q) => fresh(async (c) => (await agents.get(c, agentId), keys.list(c, agentId, q))),
      get: (agentId, id) => fresh(async (c) => (await agents.get(c, agentId), keys.get(c, agentId, id))),
      create: (agentId, k: NewKey, i) =>
        write(async (c) => {
          await agents.get(c, agentId, true);
          await checkScope(c, k.scope, k.team_id, k.owner_id);
          return keys.create(c, agentId, k);
        }, i),
      update: (agentId, id, patch: KeyPatch) =>
        db.tx(async (c) => {
          await agents.get(c, agentId);
          const cur = await keys.row(c, agentId, id, true);
          if (patch.owner_id !== undefined) {
            if (cur.scope === "team" && patch.owner_id === null)
              throw new Unprocessable("a team-scoped key must keep an owner; set another member of the team", "owner_id");
            await checkScope(c, cur.scope, cur.team_id, patch.owner_id);
          }
          return keys.patch(c, agentId, id, patch);
        }),
      regenerate: (agentId, id, grace, i) =>
        write(async (c) => {
          await agents.get(c, agentId);
          return keys.regenerate(c, agentId, id, grace);
        }, i),
      revoke: (agentId, id) =>
        db.tx(async (c) => {
          await agents.get(c, agentId);
          await keys.revokeOne(c, agentId, id);
        }),
    },
    idempotency: {
      context: (scope, key, body) => idempotencyContext(pepper, scope, key, body),
      rowKey: idempotencyRowKey,
      release: (rowKeys) => read((c) => idem.release(c, rowKeys)),
      lookup: (ctx) => read((c) => idem.lookup(c, ctx)),
      purgeExpired: () => read((c) => idem.purgeExpired(c)),
    },
    access: {
      authorize: (secret, capability, now, team) => access.authorize(secret, capability, now, team),
      touch: (keyId, now) => access.touch(keyId, now),
      stats: access.stats,
    },
    usage: {
      admit: (pr, now, reserve) => usage.admit(pr, now, reserve),
      spend: (pr, r, spent, now) => usage.spend(pr, r, spent, now),
      refuse: (keyId, agentId, reason, now) => usage.refuse(keyId, agentId, reason, now),
      report: async (q) => {
        await read(async (c) => {
          await agents.get(c, q.agentId);
          if (q.keyId) await keys.row(c, q.agentId, q.keyId);
        });
        return usage.report(q);
      },
    },
    objects: {
      own: (kind, id, owner, now) => read((c) => objects.own(c, kind, id, owner, now)),
      ownerOf: (kind, id) => read((c) => objects.ownerOf(c, kind, id)),
    },
    isEmpty: () =>
      read(async (c) => (await c.query<{ n: number }>("SELECT (SELECT count(*) FROM teams) + (SELECT count(*) FROM users) + (SELECT count(*) FROM agents) AS n")).rows[0].n === 0),
    exclusive: async (fn) => {
      const c: pg.PoolClient = await p.connect().catch((e) => { throw unavailableOr(e); });
      try {
        await c.query(long("SELECT pg_advisory_lock($1)", [SEED_LOCK]));
        return await fn();
      } finally {
        await c.query("SELECT pg_advisory_unlock($1)", [SEED_LOCK]).catch(() => undefined);
        c.release();
      }
    },
    dump: async () => {
      await access.flush().catch(() => undefined);
      const tables: Dump["tables"] = {};
      for (const t of DUMP_TABLES) {
        const order = ["teams", "users", "agents", "keys"].includes(t) ? "seq" : "1";
        tables[t] = encodeRows(t, (await p.query(`SELECT * FROM ${t} ${t === "idempotency" ? "WHERE status > 0 " : ""}ORDER BY ${order}`)).rows);
      }
      return { format: "writer-local-dump", version: 1, tables };
    },
    load: async (d) => {
      await db.tx(async (c) => {
        const n = (await c.query<{ n: number }>("SELECT (SELECT count(*) FROM teams) + (SELECT count(*) FROM users) + (SELECT count(*) FROM agents) + (SELECT count(*) FROM keys) AS n")).rows[0].n;
        if (n > 0) throw new DumpError("the target database is not empty: import into a new database");
        for (const t of DUMP_TABLES) {
          const rows = decodeRows(t, d.tables[t] ?? []);
          if (rows.length === 0) continue;
          const cols = columnsOf(t, rows);
          for (let i = 0; i < rows.length; i += 500) {
            const chunk = rows.slice(i, i + 500);
            const params: unknown[] = [];
            const values = chunk.map((r) => `(${cols.map((col) => (params.push(r[col]), `$${params.length}`)).join(", ")})`);
            await c.query(`INSERT INTO ${t} (${cols.join(", ")}) VALUES ${values.join(", ")}`, params);
          }
          if (["teams", "users", "agents", "keys"].includes(t)) {
            await c.query(`SELECT setval(pg_get_serial_sequence('${t}', 'seq'), (SELECT max(seq) FROM ${t}))`);
          }
        }
      });
    },
    close: async () => {
      await usage.close();
      await access.close();
      await db.close();
    },
  };
}

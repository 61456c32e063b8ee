import { sql } from "kysely";
import { DEFAULT_KEY_NAME } from "../../api";
import type { Db, Exec } from "./db";
import { Agents } from "./domain/agents";
import { Directory } from "./domain/directory";
import { dumpAll, loadAll } from "./domain/dump";
import { Idempotency } from "./domain/idempotency";
import { Keys } from "./domain/keys";
import { Objects } from "./domain/objects";
import { UsageCounts } from "./domain/usage";
import { AuditLog } from "./domain/audit";
import { Sessions } from "./domain/sessions";
import { AdminTokens } from "./domain/tokens";
import { hashSecret } from "../crypto";
import { toKey } from "./rows";
import { Unprocessable } from "./errors";
import { AccessMemo } from "./hot/access";
import { idempotencyContext, idempotencyRowKey } from "./idempotency";
import type { Admission, Idem, Principal, Reservation, Spent, Store, Written } from "./types";

/** What an engine brings besides its Db: its limits (in memory, or shared by replicas), its locks, and its word on the memo. */
export interface EngineParts {
  db: Db;
  pepper: Buffer;
  /** Whether the access memo may answer (PostgreSQL: only while other replicas' changes are proven to arrive). */
  trusted?: () => boolean;
  limits(counts: UsageCounts): {
    admit(p: Principal, now: number, reserve: number): Admission | Promise<Admission>;
    spend(p: Principal, r: Reservation | null, s: Spent, now: number): void;
    beforeFlush?(): Promise<void>;
  };
  /** Runs fn alone among the processes sharing the database. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** The connection pool's figures, where there is one. */
  pool?: () => Record<string, number>;
  onError?: (e: unknown) => void;
  /** Closed after everything else. */
  close(): Promise<void>;
}

/**
 * The store's domain, written once for both engines: every rule of the admin API (a team key's
 * scope, the key-update rule, an agent with its default key, idempotent writes), over the query
 * layer of db.ts. Each write is one transaction; with an Idempotency-Key its record is claimed
 * first and the answer saved last, in the same transaction.
 */
export function buildStore(e: EngineParts): Store & { access: Store["access"] & { stats: AccessMemo["stats"] } } {
  const { db } = e;
  const onError = e.onError ?? (() => undefined);
  const dir = new Directory(db);
  const agents = new Agents(db);
  const keys = new Keys(db, e.pepper);
  const idem = new Idempotency(db);
  const objects = new Objects(db);
  const counts = new UsageCounts(db);
  const tokens = new AdminTokens(db, e.pepper);
  const audit = new AuditLog(db, e.pepper);
  const sessions = new Sessions(db);
  const limits = e.limits(counts);
  const access = new AccessMemo(db, e.pepper, e.trusted, onError);
  access.onFlush = () => counts.flush(limits.beforeFlush?.bind(limits));

  const write = <T>(fn: (x: Exec) => Promise<T>, i?: Idem): Promise<Written<T>> =>
    db.tx(async (x) => {
      if (i) await idem.claim(x, i.ctx);
      const value = await fn(x);
      const json = JSON.stringify(value);
      if (i) await idem.save(x, i.ctx, i.status, json);
      return { value, json };
    });
  const read = db.read;
  // Reads of keys see every use this process made (last uses are written in batches); a read
  // still answers when that write fails (it is retried by the next flush).
  const fresh = async <T>(fn: (x: Exec) => Promise<T>): Promise<T> => {
    await access.flush().catch(onError);
    return fn(read);
  };

  /** Team-scoped keys need an existing team and an owner who belongs to it; any owner must exist. */
  const checkScope = async (x: Exec, scope: string, teamId: string | null | undefined, ownerId: string | null | undefined) => {
    if (scope === "team") {
      if (!teamId || !(await dir.team(x, teamId))) throw new Unprocessable(`team ${teamId} does not exist`, "team_id");
      if (!ownerId) throw new Unprocessable("a team-scoped key needs an owner_id (a member of the team)", "owner_id");
    }
    if (ownerId) {
      if (!(await dir.userExists(x, ownerId))) throw new Unprocessable(`user ${ownerId} does not exist`, "owner_id");
      if (scope === "team" && !(await dir.isMember(x, ownerId, teamId!)))
        throw new Unprocessable(`user ${ownerId} is not a member of team ${teamId}; add them to the team or pick another owner`, "owner_id");
    }
  };

  return {
    teams: {
      list: (q) => dir.listTeams(read, q),
      get: (id) => dir.getTeam(read, id),
      create: (name, i) => write((x) => dir.createTeam(x, name), i),
    },
    users: {
      list: (q, email, teamId) => dir.listUsers(read, q, email, teamId),
      get: (id) => dir.getUser(read, id),
      create: (u, i) => write((x) => dir.createUser(x, u), i),
    },
    agents: {
      list: (q) => agents.list(read, q),
      get: (id) => agents.get(read, id),
      create: (a, i, managed) =>
        write(async (x) => {
          const id = await agents.create(x, a, managed);
          const default_key = await keys.create(x, id, { name: DEFAULT_KEY_NAME, scope: "all_teams" }, managed);
          return { ...(await agents.get(x, id)), default_key };
        }, i),
      update: (id, u, managed) => db.tx((x) => agents.patch(x, id, u, managed)),
      delete: (id) =>
        db.tx(async (x) => {
          await agents.delete(x, id);
          await keys.revokeAllOf(x, id);
        }),
      setCapability: (id, capability, on, managed) =>
        db.tx(async (x) => {
          const caps = (await agents.get(x, id, true)).capabilities.filter((c) => c !== capability);
          if (on) caps.push(capability as never);
          return agents.patch(x, id, { capabilities: caps }, managed);
        }),
    },
    keys: {
      list: (agentId, q, teamId) => fresh(async (x) => (await agents.mustExist(x, agentId), keys.list(x, agentId, q, teamId))),
      get: (agentId, id) => fresh(async (x) => (await agents.mustExist(x, agentId), keys.get(x, agentId, id))),
      create: (agentId, k, i, managed) =>
        write(async (x) => {
          await agents.mustExist(x, agentId, true);
          await checkScope(x, k.scope, k.team_id, k.owner_id);
          return keys.create(x, agentId, k, managed);
        }, i),
      // The key-update rule: a team key keeps an owner, and a new owner must fit the key's scope.
      update: (agentId, id, p, managed) =>
        db.tx(async (x) => {
          await agents.mustExist(x, agentId);
          const cur = await keys.row(x, agentId, id, true);
          if (p.owner_id !== undefined) {
            if (cur.scope === "team" && p.owner_id === null)
              throw new Unprocessable("a team-scoped key must keep an owner; set another member of the team", "owner_id");
            await checkScope(x, cur.scope, cur.team_id, p.owner_id);
          }
          return keys.patch(x, agentId, id, p, managed);
        }),
      regenerate: (agentId, id, grace, i, managed) =>
        write(async (x) => {
          await agents.mustExist(x, agentId);
          return keys.regenerate(x, agentId, id, grace, managed);
        }, i),
      revoke: (agentId, id) =>
        db.tx(async (x) => {
          await agents.mustExist(x, agentId);
          await keys.revokeOne(x, agentId, id);
        }),
      bySecret: async (secret) => {
        const r = await keys.bySecretHash(read, hashSecret(e.pepper, secret));
        return r && { key: toKey(r), revokedAt: r.revoked_at };
      },
    },
    tokens: {
      authenticate: (secret) => access.adminToken(secret, (s) => tokens.bySecret(read, s), (id, at) => db.tx((x) => tokens.touch(x, id, at), { access: false })),
      bootstrap: async (secret) => {
        // One replica creates it; the others find it there (a unique hash makes a second insert fail).
        if ((await tokens.count(read)) === 0) {
          await db.tx(async (x) => {
            if ((await tokens.count(x)) === 0) await tokens.create(x, { name: "bootstrap", role: "org_admin" }, secret);
          }).catch(async (err) => {
            if ((await tokens.count(read)) === 0) throw err;
          });
        }
        return !!(await tokens.bySecret(read, secret));
      },
      create: (t, i) => write(async (x) => {
        // A team_admin's team must exist (else the insert breaks the foreign key: a 500, not an answer).
        if (t.team_id && !(await dir.team(x, t.team_id))) throw new Unprocessable(`team ${t.team_id} does not exist`, "team_id");
        return tokens.create(x, t);
      }, i),
      list: (q) => tokens.list(read, q),
      get: (id) => tokens.get(read, id),
      revoke: (id) => db.tx((x) => tokens.revoke(x, id)),
    },
    audit: {
      append: (n) => audit.append(n),
      list: (q) => audit.list(read, q),
      verify: () => audit.verify(read),
      purgeBefore: (at) => audit.purgeBefore(at),
    },
    sessions: {
      create: (tokenId) => sessions.create(tokenId),
      get: (id) => sessions.get(id),
      setFlash: (id, f) => sessions.setFlash(id, f),
      takeFlash: (id) => sessions.takeFlash(id),
      end: (id) => sessions.end(id),
    },
    idempotency: {
      context: (scope, key, body) => idempotencyContext(e.pepper, scope, key, body),
      rowKey: idempotencyRowKey,
      release: (rowKeys) => db.tx((x) => idem.release(x, rowKeys), { access: false }),
      lookup: (ctx) => idem.lookup(read, ctx),
      purgeExpired: () => db.tx((x) => idem.purgeExpired(x), { access: false }),
    },
    access: {
      authorize: (secret, capability, now, team) => access.authorize(secret, capability, now, team),
      touch: (keyId, now) => access.touch(keyId, now),
      stats: access.stats,
    },
    usage: {
      admit: (p, now, reserve) => limits.admit(p, now, reserve),
      spend: (p, r, spent, now) => limits.spend(p, r, spent, now),
      refuse: (keyId, agentId, reason, now) => counts.pending.refuse(keyId, agentId, reason, now),
      report: async (q) => {
        await agents.mustExist(read, q.agentId);
        if (q.keyId) await keys.row(read, q.agentId, q.keyId);
        await limits.beforeFlush?.();
        return counts.report(q);
      },
    },
    objects: {
      own: (kind, id, owner, now) => objects.own(kind, id, owner, now),
      ownerOf: (kind, id) => objects.ownerOf(read, kind, id),
    },
    stats: () => ({ ...access.stats, lastUsageFlush: counts.lastFlushAt, pool: e.pool?.() }),
    isEmpty: async () => {
      const r = await read.first(db.q.selectNoFrom([
        sql<number>`(SELECT count(*) FROM teams) + (SELECT count(*) FROM users) + (SELECT count(*) FROM agents)`.as("n"),
      ]));
      return Number(r?.n ?? 0) === 0;
    },
    exclusive: (fn) => e.exclusive(fn),
    dump: async () => {
      await access.flush().catch(onError);
      return dumpAll(db);
    },
    load: (d) => loadAll(db, d),
    close: async () => {
      await access.close();
      await e.close();
    },
  };
}

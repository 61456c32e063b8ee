import { randomUUID } from "node:crypto";
import { generateSecret, maskSecret, type Key, type KeyWithSecret, type ManagedBy, type PageQuery } from "../../../api";
import { hashSecret } from "../../crypto";
import { prepared, type Db, type Exec } from "../db";
import { NotFound } from "../errors";
import { managedColumns, patchedKey, toKey, type KeyRow } from "../rows";
import type { KeyPatch, NewKey } from "../types";
import type { Kysely } from "kysely";
import type { Schema } from "../schema";
import { page } from "./pagination";

/** API keys. The plaintext secret exists only in the object a create or regenerate returns; the database holds its keyed hash. */
const live = (k: Kysely<Schema>, id: string, agentId: string) => k.selectFrom("keys").selectAll().where("id", "=", id).where("agent_id", "=", agentId).where("revoked_at", "is", null);

const byId = prepared(live);
const lockedById = prepared((k, id: string, agentId: string) => live(k, id, agentId).forUpdate());

export class Keys {
  constructor(private db: Db, private pepper: Buffer) {}

  /** `lock`: the row is read to be written (PostgreSQL row lock: two replicas rotating one key take turns). */
  async row(x: Exec, agentId: string, id: string, lock = false): Promise<KeyRow> {
    const r = await x.first(lock && this.db.engine === "postgres" ? lockedById(this.db.q, id, agentId) : byId(this.db.q, id, agentId));
    if (!r) throw new NotFound("key", id, "key_id");
    return r;
  }

  async get(x: Exec, agentId: string, id: string): Promise<Key> {
    return toKey(await this.row(x, agentId, id));
  }

  /** In a transaction. */
  async create(x: Exec, agentId: string, k: NewKey, managed?: ManagedBy): Promise<KeyWithSecret> {
    const id = randomUUID();
    const secret = generateSecret();
    const now = Date.now();
    await x.run(this.db.q.insertInto("keys").values({
      id, agent_id: agentId, name: k.name, scope: k.scope, team_id: k.team_id ?? null, owner_id: k.owner_id ?? null, status: "active",
      masked: maskSecret(secret), secret_hash: hashSecret(this.pepper, secret), created_at: now, updated_at: now,
      expires_at: k.expires_at ? Date.parse(k.expires_at) : null, requests_per_minute: k.requests_per_minute ?? null,
      tokens_per_minute: k.tokens_per_minute ?? null, budget_tokens: k.token_budget?.tokens ?? null, budget_period: k.token_budget?.period ?? null,
      ...managedColumns(managed),
    }));
    return { ...(await this.get(x, agentId, id)), secret };
  }

  /** In a transaction; the key must exist. */
  async patch(x: Exec, agentId: string, id: string, p: KeyPatch, managed?: ManagedBy): Promise<Key> {
    const v = patchedKey(await this.row(x, agentId, id, true), p);
    await x.run(this.db.q.updateTable("keys").set({ ...v, ...managedColumns(managed), updated_at: Date.now() }).where("id", "=", id).where("revoked_at", "is", null));
    return this.get(x, agentId, id);
  }

  /** In a transaction. With a grace period the current hash moves to previous_secret_hash. */
  async regenerate(x: Exec, agentId: string, id: string, graceSeconds: number, managed?: ManagedBy): Promise<KeyWithSecret> {
    const cur = await this.row(x, agentId, id, true);
    const secret = generateSecret();
    const now = Date.now();
    const keepOld = graceSeconds > 0;
    await x.run(this.db.q.updateTable("keys").set({
      secret_hash: hashSecret(this.pepper, secret), masked: maskSecret(secret),
      previous_secret_hash: keepOld ? cur.secret_hash : null, previous_secret_expires_at: keepOld ? now + graceSeconds * 1000 : null,
      rotated_at: now, updated_at: now, ...managedColumns(managed),
    }).where("id", "=", id).where("revoked_at", "is", null));
    return { ...(await this.get(x, agentId, id)), secret };
  }

  async revokeOne(x: Exec, agentId: string, id: string): Promise<void> {
    const now = Date.now();
    const n = await x.run(this.db.q.updateTable("keys").set({ revoked_at: now, updated_at: now }).where("id", "=", id).where("agent_id", "=", agentId).where("revoked_at", "is", null));
    if (n !== 1) throw new NotFound("key", id, "key_id");
  }

  async revokeAllOf(x: Exec, agentId: string): Promise<void> {
    const now = Date.now();
    await x.run(this.db.q.updateTable("keys").set({ revoked_at: now, updated_at: now }).where("agent_id", "=", agentId).where("revoked_at", "is", null));
  }

  /** The key whose current or previous secret hashes to this, revoked or not. */
  async bySecretHash(x: Exec, hash: string): Promise<KeyRow | undefined> {
    return x.first(this.db.q.selectFrom("keys").selectAll().where((eb) => eb.or([eb("secret_hash", "=", hash), eb("previous_secret_hash", "=", hash)])));
  }

  list(x: Exec, agentId: string, query: PageQuery, teamId?: string) {
    const q = this.db.q;
    return page(x, {
      rows: (c, desc, limit) => q.selectFrom("keys").selectAll().where("agent_id", "=", agentId).where("revoked_at", "is", null)
        .$if(teamId !== undefined, (b) => b.where("team_id", "=", teamId!))
        .$if(!!c, (b) => b.where("seq", c!.op, c!.seq)).orderBy("seq", desc ? "desc" : "asc").limit(limit),
      cursor: (id) => q.selectFrom("keys").select("seq").where("id", "=", id).where("agent_id", "=", agentId),
    }, query, toKey);
  }
}

import { hash, randomUUID } from "node:crypto";
import type { DB } from "./db";
import { iso, isoReq, writeGeneration } from "./db";
import type { Pager } from "./pagination";
import { generateSecret, maskSecret, type Key, type KeyWithSecret, type PageQuery } from "../../api";
import { hashSecret } from "../crypto";

export interface KeyRow {
  seq: number; id: string; agent_id: string; name: string; scope: "all_teams" | "team";
  team_id: string | null; owner_id: string | null; status: "active" | "disabled"; masked: string;
  secret_hash: string; previous_secret_hash: string | null; previous_secret_expires_at: number | null;
  created_at: number; updated_at: number; rotated_at: number | null; expires_at: number | null;
  last_used_at: number | null; revoked_at: number | null;
}

/** What the data plane needs to decide on a request: the key row joined with its agent. */
export interface AuthRow extends KeyRow {
  agent_capabilities: string;
  agent_deleted_at: number | null;
}

export const toKey = (r: KeyRow): Key => ({
  id: r.id,
  agent_id: r.agent_id,
  name: r.name,
  scope: r.scope,
  team_id: r.team_id,
  owner_id: r.owner_id,
  status: r.status,
  masked: r.masked,
  created_at: isoReq(r.created_at),
  updated_at: isoReq(r.updated_at),
  rotated_at: iso(r.rotated_at),
  expires_at: iso(r.expires_at),
  last_used_at: iso(r.last_used_at),
  previous_secret_expires_at: iso(r.previous_secret_expires_at),
});

export interface NewKey {
  name: string; scope: "all_teams" | "team"; team_id?: string | null; owner_id?: string | null; expires_at?: string | null;
}

/** A data-plane authentication: the key row (if any), the keyed hash it was found under, its agent's capabilities. */
export interface AuthHit {
  hash: string;
  row: AuthRow | undefined;
  capabilities: ReadonlySet<string>;
}

/** Bounds the data plane's memo of recent lookups (also of unknown hashes). */
const AUTH_MEMO_MAX = 10_000;

export class Keys {
  private byId; private insert; private update; private rotate; private revoke; private revokeAll; private bySecret; private touch;
  constructor(private db: DB, private pager: Pager, private pepper: Buffer) {
    this.byId = db.prepare("SELECT * FROM keys WHERE id = ? AND agent_id = ? AND revoked_at IS NULL");
    this.insert = db.prepare(`INSERT INTO keys (id, agent_id, name, scope, team_id, owner_id, status, masked, secret_hash,
      created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)`);
    this.update = db.prepare(
      "UPDATE keys SET name = ?, owner_id = ?, status = ?, expires_at = ?, updated_at = ? WHERE id = ? AND revoked_at IS NULL",
    );
    this.rotate = db.prepare(`UPDATE keys SET secret_hash = ?, masked = ?, previous_secret_hash = ?,
      previous_secret_expires_at = ?, rotated_at = ?, updated_at = ? WHERE id = ? AND revoked_at IS NULL`);
    this.revoke = db.prepare("UPDATE keys SET revoked_at = ?, updated_at = ? WHERE id = ? AND agent_id = ? AND revoked_at IS NULL");
    this.revokeAll = db.prepare("UPDATE keys SET revoked_at = ?, updated_at = ? WHERE agent_id = ? AND revoked_at IS NULL");
    // One statement, both hash columns indexed (SQLite answers the OR with two index probes).
    this.bySecret = db.prepare(`SELECT k.*, a.capabilities AS agent_capabilities, a.deleted_at AS agent_deleted_at
      FROM keys k JOIN agents a ON a.id = k.agent_id
      WHERE k.secret_hash = @h OR k.previous_secret_hash = @h`);
    this.touch = db.prepare("UPDATE keys SET last_used_at = ? WHERE id = ?");
  }

  row(agentId: string, id: string): KeyRow | undefined {
    return this.byId.get(id, agentId) as KeyRow | undefined;
  }

  get(agentId: string, id: string): Key | undefined {
    const r = this.row(agentId, id);
    return r && toKey(r);
  }

  /** Call inside a transaction. The plaintext secret exists only in the returned object. */
  create(agentId: string, k: NewKey): KeyWithSecret {
    const id = randomUUID();
    const secret = generateSecret();
    const now = Date.now();
    this.insert.run(
      id, agentId, k.name, k.scope, k.team_id ?? null, k.owner_id ?? null, maskSecret(secret),
      hashSecret(this.pepper, secret), now, now, k.expires_at ? Date.parse(k.expires_at) : null,
    );
    return { ...this.get(agentId, id)!, secret };
  }

  /** Call inside a transaction; the key must exist. */
  patch(agentId: string, id: string, p: { name?: string; owner_id?: string | null; status?: "active" | "disabled"; expires_at?: string | null }): Key {
    const cur = this.row(agentId, id)!;
    const expires = p.expires_at === undefined ? cur.expires_at : p.expires_at === null ? null : Date.parse(p.expires_at);
    this.update.run(
      p.name ?? cur.name,
      p.owner_id === undefined ? cur.owner_id : p.owner_id,
      p.status ?? cur.status,
      expires,
      Date.now(),
      id,
    );
    return this.get(agentId, id)!;
  }

  /** Call inside a transaction. With a grace period the current hash moves to previous_secret_hash. */
  regenerate(agentId: string, id: string, graceSeconds: number): KeyWithSecret {
    const cur = this.row(agentId, id)!;
    const secret = generateSecret();
    const now = Date.now();
    const keepOld = graceSeconds > 0;
    this.rotate.run(
      hashSecret(this.pepper, secret), maskSecret(secret),
      keepOld ? cur.secret_hash : null, keepOld ? now + graceSeconds * 1000 : null,
      now, now, id,
    );
    return { ...this.get(agentId, id)!, secret };
  }

  revokeOne(agentId: string, id: string): boolean {
    const now = Date.now();
    return this.revoke.run(now, now, id, agentId).changes === 1;
  }

  revokeAllOf(agentId: string): void {
    const now = Date.now();
    this.revokeAll.run(now, now, agentId);
  }

  list(agentId: string, q: PageQuery) {
    return this.pager.page<KeyRow, Key>("keys", "agent_id = ? AND revoked_at IS NULL", [agentId], q, toKey);
  }

  /** The data plane's one indexed query: by current or previous secret hash. */
  lookupByHash(hash: string): AuthRow | undefined {
    return this.bySecret.get({ h: hash }) as AuthRow | undefined;
  }

  /**
   * The data plane's authentication: the key row for a presented secret, with the keyed hash it
   * was found under. Memoised only while the store is unchanged: this process owns the database
   * (exclusive lock, see db.ts) and counts every write, so any admin change (revoke, disable,
   * capability off, rotation) empties the memo before the very next request. The memo is keyed by
   * an unkeyed SHA-256 of the secret (memory only), which spares the HMAC on repeat requests.
   * Time-based rules (expiry, grace) are the caller's, on every request.
   */
  authenticate(secret: string): AuthHit {
    const gen = writeGeneration(this.db);
    if (gen !== this.authGen || this.authMemo.size >= AUTH_MEMO_MAX) {
      this.authMemo.clear();
      this.authGen = gen;
    }
    const memoKey = hash("sha256", secret, "base64");
    let hit = this.authMemo.get(memoKey);
    if (!hit) {
      const keyed = this.secretHash(secret);
      const row = this.lookupByHash(keyed);
      hit = { hash: keyed, row, capabilities: new Set(row ? (JSON.parse(row.agent_capabilities) as string[]) : []) };
      this.authMemo.set(memoKey, hit);
    }
    return hit;
  }
  private authMemo = new Map<string, AuthHit>();
  private authGen = -1;

  secretHash(secret: string): string {
    return hashSecret(this.pepper, secret);
  }

  markUsed(id: string, at: number): void {
    this.touch.run(at, id);
  }
}

import { randomUUID } from "node:crypto";
import { generateSecret, maskSecret, type Key, type KeyWithSecret, type PageQuery } from "../../../api";
import { hashSecret } from "../../crypto";
import { NotFound } from "../errors";
import type { KeyPatch, NewKey } from "../types";
import { patchedKey, toKey, type KeyRow } from "../rows";
import type { DB } from "./db";
import type { Pager } from "./pagination";

export { toKey, type KeyRow } from "../rows";

export class Keys {
  private byId; private insert; private update; private rotate; private revoke; private revokeAll;
  constructor(db: DB, private pager: Pager, private pepper: Buffer) {
    this.byId = db.prepare("SELECT * FROM keys WHERE id = ? AND agent_id = ? AND revoked_at IS NULL");
    this.insert = db.prepare(`INSERT INTO keys (id, agent_id, name, scope, team_id, owner_id, status, masked, secret_hash,
      created_at, updated_at, expires_at, requests_per_minute, tokens_per_minute, budget_tokens, budget_period)
      VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.update = db.prepare(`UPDATE keys SET name = ?, owner_id = ?, status = ?, expires_at = ?, requests_per_minute = ?,
      tokens_per_minute = ?, budget_tokens = ?, budget_period = ?, updated_at = ? WHERE id = ? AND revoked_at IS NULL`);
    this.rotate = db.prepare(`UPDATE keys SET secret_hash = ?, masked = ?, previous_secret_hash = ?,
      previous_secret_expires_at = ?, rotated_at = ?, updated_at = ? WHERE id = ? AND revoked_at IS NULL`);
    this.revoke = db.prepare("UPDATE keys SET revoked_at = ?, updated_at = ? WHERE id = ? AND agent_id = ? AND revoked_at IS NULL");
    this.revokeAll = db.prepare("UPDATE keys SET revoked_at = ?, updated_at = ? WHERE agent_id = ? AND revoked_at IS NULL");
  }

  row(agentId: string, id: string): KeyRow {
    const r = this.byId.get(id, agentId) as KeyRow | undefined;
    if (!r) throw new NotFound("key", id, "key_id");
    return r;
  }

  get(agentId: string, id: string): Key {
    return toKey(this.row(agentId, id));
  }

  /** Call inside a transaction. The plaintext secret exists only in the returned object. */
  create(agentId: string, k: NewKey): KeyWithSecret {
    const id = randomUUID();
    const secret = generateSecret();
    const now = Date.now();
    this.insert.run(
      id, agentId, k.name, k.scope, k.team_id ?? null, k.owner_id ?? null, maskSecret(secret),
      hashSecret(this.pepper, secret), now, now, k.expires_at ? Date.parse(k.expires_at) : null,
      k.requests_per_minute ?? null, k.tokens_per_minute ?? null, k.token_budget?.tokens ?? null, k.token_budget?.period ?? null,
    );
    return { ...this.get(agentId, id), secret };
  }

  /** Call inside a transaction; the key must exist. */
  patch(agentId: string, id: string, p: KeyPatch): Key {
    const v = patchedKey(this.row(agentId, id), p);
    this.update.run(v.name, v.owner_id, v.status, v.expires_at, v.requests_per_minute, v.tokens_per_minute, v.budget_tokens, v.budget_period, Date.now(), id);
    return this.get(agentId, id);
  }

  /** Call inside a transaction. With a grace period the current hash moves to previous_secret_hash. */
  regenerate(agentId: string, id: string, graceSeconds: number): KeyWithSecret {
    const cur = this.row(agentId, id);
    const secret = generateSecret();
    const now = Date.now();
    const keepOld = graceSeconds > 0;
    this.rotate.run(
      hashSecret(this.pepper, secret), maskSecret(secret),
      keepOld ? cur.secret_hash : null, keepOld ? now + graceSeconds * 1000 : null,
      now, now, id,
    );
    return { ...this.get(agentId, id), secret };
  }

  revokeOne(agentId: string, id: string): void {
    const now = Date.now();
    if (this.revoke.run(now, now, id, agentId).changes !== 1) throw new NotFound("key", id, "key_id");
  }

  revokeAllOf(agentId: string): void {
    const now = Date.now();
    this.revokeAll.run(now, now, agentId);
  }

  list(agentId: string, q: PageQuery) {
    return this.pager.page<KeyRow, Key>(
      { from: "keys", where: "agent_id = ? AND revoked_at IS NULL", cursorFrom: "keys", cursorWhere: "agent_id = ?", params: [agentId] },
      q,
      toKey,
    );
  }
}

import { randomUUID } from "node:crypto";
import { generateSecret, maskSecret, type Key, type KeyWithSecret, type PageQuery } from "../../../api";
import { hashSecret } from "../../crypto";
import { NotFound } from "../errors";
import { patchedKey, toKey, type KeyRow } from "../rows";
import type { KeyPatch, NewKey } from "../types";
import type { Q } from "./db";
import { pgPage } from "./pagination";

export class PgKeys {
  constructor(private pepper: Buffer) {}

  async row(q: Q, agentId: string, id: string, lock = false): Promise<KeyRow> {
    const r = (await q.query<KeyRow>(`SELECT * FROM keys WHERE id = $1 AND agent_id = $2 AND revoked_at IS NULL${lock ? " FOR UPDATE" : ""}`, [id, agentId])).rows[0];
    if (!r) throw new NotFound("key", id, "key_id");
    return r;
  }

  async get(q: Q, agentId: string, id: string): Promise<Key> {
    return toKey(await this.row(q, agentId, id));
  }

  /** The plaintext secret exists only in the returned object. */
  async create(q: Q, agentId: string, k: NewKey): Promise<KeyWithSecret> {
    const id = randomUUID();
    const secret = generateSecret();
    const now = Date.now();
    await q.query(`INSERT INTO keys (id, agent_id, name, scope, team_id, owner_id, status, masked, secret_hash, created_at, updated_at,
      expires_at, requests_per_minute, tokens_per_minute, budget_tokens, budget_period)
      VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $9, $10, $11, $12, $13, $14)`, [
      id, agentId, k.name, k.scope, k.team_id ?? null, k.owner_id ?? null, maskSecret(secret), hashSecret(this.pepper, secret), now,
      k.expires_at ? Date.parse(k.expires_at) : null, k.requests_per_minute ?? null, k.tokens_per_minute ?? null,
      k.token_budget?.tokens ?? null, k.token_budget?.period ?? null,
    ]);
    return { ...(await this.get(q, agentId, id)), secret };
  }

  async patch(q: Q, agentId: string, id: string, p: KeyPatch): Promise<Key> {
    const v = patchedKey(await this.row(q, agentId, id, true), p);
    await q.query(`UPDATE keys SET name = $1, owner_id = $2, status = $3, expires_at = $4, requests_per_minute = $5, tokens_per_minute = $6,
      budget_tokens = $7, budget_period = $8, updated_at = $9 WHERE id = $10 AND revoked_at IS NULL`,
    [v.name, v.owner_id, v.status, v.expires_at, v.requests_per_minute, v.tokens_per_minute, v.budget_tokens, v.budget_period, Date.now(), id]);
    return this.get(q, agentId, id);
  }

  /** The row is locked first: two replicas rotating one key at once rotate it twice, in turn, never interleaved. */
  async regenerate(q: Q, agentId: string, id: string, graceSeconds: number): Promise<KeyWithSecret> {
    const cur = await this.row(q, agentId, id, true);
    const secret = generateSecret();
    const now = Date.now();
    const keepOld = graceSeconds > 0;
    await q.query(`UPDATE keys SET secret_hash = $1, masked = $2, previous_secret_hash = $3, previous_secret_expires_at = $4,
      rotated_at = $5, updated_at = $5 WHERE id = $6 AND revoked_at IS NULL`,
    [hashSecret(this.pepper, secret), maskSecret(secret), keepOld ? cur.secret_hash : null, keepOld ? now + graceSeconds * 1000 : null, now, id]);
    return { ...(await this.get(q, agentId, id)), secret };
  }

  async revokeOne(q: Q, agentId: string, id: string): Promise<void> {
    const now = Date.now();
    const r = await q.query("UPDATE keys SET revoked_at = $1, updated_at = $1 WHERE id = $2 AND agent_id = $3 AND revoked_at IS NULL", [now, id, agentId]);
    if (r.rowCount !== 1) throw new NotFound("key", id, "key_id");
  }

  async revokeAllOf(q: Q, agentId: string): Promise<void> {
    const now = Date.now();
    await q.query("UPDATE keys SET revoked_at = $1, updated_at = $1 WHERE agent_id = $2 AND revoked_at IS NULL", [now, agentId]);
  }

  list(q: Q, agentId: string, query: PageQuery) {
    return pgPage<KeyRow, Key>(q, { from: "keys", where: "agent_id = $1 AND revoked_at IS NULL", cursorFrom: "keys", cursorWhere: "agent_id = $1", params: [agentId] }, query, toKey);
  }
}

import { randomUUID } from "node:crypto";
import { generateSecret, maskSecret, type Key, type KeyWithSecret, type PageQuery } from "../../../api";
import { hashSecret } from "../../crypto";
import { NotFound } from "../errors";
import type { KeyPatch, NewKey } from "../types";
import { iso, isoReq, type DB } from "./db";
import type { Pager } from "./pagination";

export interface KeyRow {
  seq: number; id: string; agent_id: string; name: string; scope: "all_teams" | "team";
  team_id: string | null; owner_id: string | null; status: "active" | "disabled"; masked: string;
  secret_hash: string; previous_secret_hash: string | null; previous_secret_expires_at: number | null;
  created_at: number; updated_at: number; rotated_at: number | null; expires_at: number | null;
  last_used_at: number | null; revoked_at: number | null;
  requests_per_minute: number | null; tokens_per_minute: number | null; budget_tokens: number | null; budget_period: "day" | "month" | null;
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
  requests_per_minute: r.requests_per_minute,
  tokens_per_minute: r.tokens_per_minute,
  token_budget: r.budget_tokens !== null && r.budget_period !== null ? { tokens: r.budget_tokens, period: r.budget_period } : null,
});

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
    const cur = this.row(agentId, id);
    const expires = p.expires_at === undefined ? cur.expires_at : p.expires_at === null ? null : Date.parse(p.expires_at);
    const keep = <T>(v: T | undefined, old: T) => (v === undefined ? old : v);
    const budget = p.token_budget === undefined ? (cur.budget_tokens !== null ? { tokens: cur.budget_tokens, period: cur.budget_period! } : null) : p.token_budget;
    this.update.run(
      p.name ?? cur.name, keep(p.owner_id, cur.owner_id), p.status ?? cur.status, expires,
      keep(p.requests_per_minute, cur.requests_per_minute), keep(p.tokens_per_minute, cur.tokens_per_minute),
      budget?.tokens ?? null, budget?.period ?? null, Date.now(), id,
    );
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

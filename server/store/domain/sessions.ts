import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db";

export const SESSION_TTL_MS = 8 * 3600_000;
const hashOf = (id: string) => createHash("sha256").update(id).digest("hex");

export interface Session {
  tokenId: string;
  expiresAt: number;
  /** A message for the next page only (a new key's secret is shown once this way, never in a URL). */
  flash?: { secret?: string; keyName?: string; notice?: string };
}

/**
 * Console sign-ins, in the database so any replica serves any signed-in admin (no sticky
 * sessions). The cookie's value is never stored, only its SHA-256; a flash that carries a new
 * key's secret lives until the next page reads it (seconds) and is deleted as it is read.
 */
export class Sessions {
  constructor(private db: Db) {}

  async create(tokenId: string, now = Date.now()): Promise<string> {
    const id = randomBytes(32).toString("base64url");
    await this.db.tx(async (x) => {
      await x.run(this.db.q.deleteFrom("console_sessions").where("expires_at", "<=", now));
      await x.run(this.db.q.insertInto("console_sessions").values({ id_hash: hashOf(id), token_id: tokenId, flash: null, expires_at: now + SESSION_TTL_MS }));
    }, { access: false });
    return id;
  }

  async get(id: string | undefined, now = Date.now()): Promise<Session | undefined> {
    if (!id) return undefined;
    const r = await this.db.read.first(this.db.q.selectFrom("console_sessions").selectAll().where("id_hash", "=", hashOf(id)));
    if (!r || r.expires_at <= now) return undefined;
    return { tokenId: r.token_id, expiresAt: r.expires_at, flash: r.flash ? JSON.parse(r.flash) : undefined };
  }

  async setFlash(id: string, flash: Session["flash"]): Promise<void> {
    await this.db.tx((x) => x.run(this.db.q.updateTable("console_sessions").set({ flash: flash ? JSON.stringify(flash) : null }).where("id_hash", "=", hashOf(id))), { access: false });
  }

  /** The flash, once: read and cleared in one transaction. */
  async takeFlash(id: string): Promise<Session["flash"]> {
    return this.db.tx(async (x) => {
      const r = await x.first(this.db.q.selectFrom("console_sessions").select("flash").where("id_hash", "=", hashOf(id)));
      if (!r?.flash) return undefined;
      await x.run(this.db.q.updateTable("console_sessions").set({ flash: null }).where("id_hash", "=", hashOf(id)));
      return JSON.parse(r.flash);
    }, { access: false });
  }

  async end(id: string | undefined): Promise<void> {
    if (id) await this.db.tx((x) => x.run(this.db.q.deleteFrom("console_sessions").where("id_hash", "=", hashOf(id))), { access: false });
  }
}

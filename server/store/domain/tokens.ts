import { randomBytes, randomUUID } from "node:crypto";
import { ADMIN_TOKEN_PREFIX, type AdminToken, type AdminTokenWithSecret, type PageQuery } from "../../../api";
import { hashSecret } from "../../crypto";
import { prepared, type Db, type Exec } from "../db";
import { NotFound } from "../errors";
import { iso, isoReq } from "../rows";
import type { AdminTokenRow } from "../schema";
import { page } from "./pagination";

/** A new admin token's secret: the prefix scanners know, then 256 random bits. */
export const generateAdminToken = () => `${ADMIN_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
const mask = (secret: string) => `${ADMIN_TOKEN_PREFIX}…${secret.slice(-4)}`;

export const toAdminToken = (r: AdminTokenRow): AdminToken => ({
  id: r.id, name: r.name, role: r.role, team_id: r.team_id, masked: r.masked, created_at: isoReq(r.created_at), last_used_at: iso(r.last_used_at),
});

const bySecret = prepared((k, hash: string) => k.selectFrom("admin_tokens").selectAll().where("secret_hash", "=", hash).where("revoked_at", "is", null));
const byId = prepared((k, id: string) => k.selectFrom("admin_tokens").selectAll().where("id", "=", id).where("revoked_at", "is", null));

/**
 * Admin tokens as objects: each a name, a role and (for a team_admin) a team; stored as keyed
 * hashes like key secrets, shown once. The token writer-local generates on first start (or the one
 * it is started with, on an empty database) is the first org_admin, named "bootstrap".
 */
export class AdminTokens {
  constructor(private db: Db, private pepper: Buffer) {}

  async bySecret(x: Exec, secret: string): Promise<AdminTokenRow | undefined> {
    return x.first(bySecret(this.db.q, hashSecret(this.pepper, secret)));
  }

  async get(x: Exec, id: string): Promise<AdminToken> {
    const r = await x.first(byId(this.db.q, id));
    if (!r) throw new NotFound("admin token", id, "id");
    return toAdminToken(r);
  }

  /** In a transaction. `secret`: the bootstrap token as configured; otherwise a new one. */
  async create(x: Exec, t: { name: string; role: AdminToken["role"]; team_id?: string | null }, secret = generateAdminToken()): Promise<AdminTokenWithSecret> {
    const id = randomUUID();
    await x.run(this.db.q.insertInto("admin_tokens").values({
      id, name: t.name, role: t.role, team_id: t.team_id ?? null, masked: mask(secret), secret_hash: hashSecret(this.pepper, secret), created_at: Date.now(),
    }));
    return { ...(await this.get(x, id)), secret };
  }

  async count(x: Exec): Promise<number> {
    const r = await x.first(this.db.q.selectFrom("admin_tokens").select((eb) => eb.fn.countAll<number>().as("n")));
    return Number(r?.n ?? 0);
  }

  async revoke(x: Exec, id: string): Promise<void> {
    const n = await x.run(this.db.q.updateTable("admin_tokens").set({ revoked_at: Date.now() }).where("id", "=", id).where("revoked_at", "is", null));
    if (n !== 1) throw new NotFound("admin token", id, "id");
  }

  async touch(x: Exec, id: string, at: number): Promise<void> {
    await x.run(this.db.q.updateTable("admin_tokens").set({ last_used_at: at }).where("id", "=", id));
  }

  list(x: Exec, query: PageQuery) {
    const q = this.db.q;
    return page(x, {
      rows: (c, desc, limit) => q.selectFrom("admin_tokens").selectAll().where("revoked_at", "is", null)
        .$if(!!c, (b) => b.where("seq", c!.op, c!.seq)).orderBy("seq", desc ? "desc" : "asc").limit(limit),
      cursor: (id) => q.selectFrom("admin_tokens").select("seq").where("id", "=", id),
    }, query, toAdminToken);
  }
}

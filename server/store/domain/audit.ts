import { createHmac, randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { AuditEntry, AuditQuery } from "../../../api";
import { canonicalJson } from "../canonical";
import type { Db, Exec } from "../db";
import { isoReq } from "../rows";
import type { AuditRow } from "../schema";
import { page } from "./pagination";

/** The chain's start: the prev_hash of the first entry ever written. */
export const GENESIS = "0".repeat(64);
/** pg_advisory_xact_lock id: every replica appends to one chain, one entry at a time. */
const AUDIT_LOCK = 7_770_003;

export type NewAuditEntry = Omit<AuditEntry, "id" | "at" | "prev_hash" | "hash"> & { at?: number };

const toEntry = (r: AuditRow): AuditEntry => ({
  id: r.id, at: isoReq(r.at), actor: r.actor ? JSON.parse(r.actor) : null, source: r.source as AuditEntry["source"],
  request_id: r.request_id, remote_address: r.remote_address, action: r.action,
  object: { kind: r.object_kind, id: r.object_id }, changes: JSON.parse(r.changes), outcome: r.outcome as AuditEntry["outcome"],
  pulumi: r.pulumi ? JSON.parse(r.pulumi) : null, prev_hash: r.prev_hash, hash: r.hash,
});

/**
 * The audit log: append-only (no route changes or deletes an entry), each entry carrying the hash
 * of the one before. The hash is an HMAC under the pepper, which is never in the database, so
 * whoever can write the database can still not forge a chain that verifies: an edited entry fails
 * at itself, a removed one at the next.
 */
export class AuditLog {
  constructor(private db: Db, private pepper: Buffer) {}

  /** The entry's hash: over the hash before it and every field but its own hash. */
  hashOf(e: Omit<AuditEntry, "hash"> & { hash?: string }): string {
    const { hash: _own, ...fields } = e;
    return createHmac("sha256", this.pepper).update(e.prev_hash).update("\n").update(canonicalJson(fields)).digest("hex");
  }

  /** Entries waiting for the next group commit, with their callers. */
  private pending: { n: NewAuditEntry; ok: (e: AuditEntry) => void; fail: (err: unknown) => void }[] = [];
  private flushing = false;

  /**
   * Appends an entry at the chain's head; resolves once it is committed. Group commit: entries
   * that arrive while a transaction is writing go together in the next one (one lock, one head
   * read, one commit for all of them, in arrival order), so concurrent admin writes do not queue
   * one transaction each behind the chain's lock. On PostgreSQL every replica takes turns.
   */
  append(n: NewAuditEntry): Promise<AuditEntry> {
    return new Promise((ok, fail) => {
      this.pending.push({ n, ok, fail });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, 500);
        try {
          const written = await this.db.tx(async (x) => {
            if (this.db.engine === "postgres") await x.run(sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`.compile(this.db.q));
            const head = await x.first(this.db.q.selectFrom("audit_log").select("hash").orderBy("seq", "desc").limit(1));
            let prev = head?.hash ?? GENESIS;
            const out: AuditEntry[] = [];
            for (const { n } of batch) {
              const at = n.at ?? Date.now();
              // As it will read back: JSON drops undefined fields, and the hash must be over what is stored.
              const body: Omit<AuditEntry, "hash"> = JSON.parse(JSON.stringify({ ...n, at: isoReq(at), id: randomUUID(), prev_hash: prev }));
              const e: AuditEntry = { ...body, hash: this.hashOf(body) };
              await x.run(this.db.q.insertInto("audit_log").values({
                id: e.id, at, actor: e.actor ? JSON.stringify(e.actor) : null, source: e.source, request_id: e.request_id,
                remote_address: e.remote_address, action: e.action, object_kind: e.object.kind, object_id: e.object.id,
                changes: JSON.stringify(e.changes), outcome: e.outcome, pulumi: e.pulumi ? JSON.stringify(e.pulumi) : null, prev_hash: e.prev_hash, hash: e.hash,
              }));
              out.push(e);
              prev = e.hash;
            }
            return out;
          }, { access: false });
          batch.forEach((b, i) => b.ok(written[i]));
        } catch (err) {
          for (const b of batch) b.fail(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  list(x: Exec, q: AuditQuery) {
    const k = this.db.q;
    const filtered = <B extends { where: (...a: any[]) => B }>(b: B): B => {
      let r = b;
      if (q.object_id) r = r.where("object_id", "=", q.object_id);
      if (q.actor) r = r.where(sql`actor`, "like", `%"token_id":"${q.actor.replace(/[%_"\\]/g, "")}"%`);
      if (q.action) r = r.where("action", "=", q.action);
      if (q.from) r = r.where("at", ">=", Date.parse(q.from));
      if (q.to) r = r.where("at", "<=", Date.parse(q.to));
      return r;
    };
    return page(x, {
      rows: (c, desc, limit) => filtered(k.selectFrom("audit_log").selectAll()).$if(!!c, (b) => b.where("seq", c!.op, c!.seq)).orderBy("seq", desc ? "desc" : "asc").limit(limit),
      cursor: (id) => k.selectFrom("audit_log").select("seq").where("id", "=", id),
    }, q, toEntry);
  }

  /**
   * Walks the whole chain in order. The first entry's prev_hash is the genesis, or the hash a
   * retention purge recorded as the last one it removed; every other entry's is its predecessor's.
   * Returns the first entry that does not verify, or null.
   */
  async verify(x: Exec): Promise<{ checked: number; bad: { id: string; seq: number; why: string } | null }> {
    const purged = new Set((await x.all(this.db.q.selectFrom("audit_log").select("changes").where("action", "=", "audit.purged")))
      .map((r) => JSON.parse(r.changes)?.through?.[0]).filter(Boolean));
    let prev: string | null = null;
    let checked = 0;
    for (let after = 0; ; ) {
      const rows = await x.all(this.db.q.selectFrom("audit_log").selectAll().where("seq", ">", after).orderBy("seq").limit(1000));
      if (rows.length === 0) break;
      for (const r of rows) {
        const e = toEntry(r);
        const expectPrev = prev ?? (e.prev_hash === GENESIS || purged.has(e.prev_hash) ? e.prev_hash : null);
        if (expectPrev === null || e.prev_hash !== expectPrev) return { checked, bad: { id: e.id, seq: Number(r.seq), why: "its prev_hash is not the hash of the entry before it (an entry was removed)" } };
        if (this.hashOf(e) !== e.hash) return { checked, bad: { id: e.id, seq: Number(r.seq), why: "its hash does not match its contents (it was edited)" } };
        prev = e.hash;
        checked++;
        after = Number(r.seq);
      }
    }
    return { checked, bad: null };
  }

  /** Retention: removes entries older than `before` and records, in the chain, the hash of the last one removed. */
  async purgeBefore(before: number): Promise<number> {
    const last = await this.db.read.first(this.db.q.selectFrom("audit_log").select(["seq", "hash"]).where("at", "<", before).orderBy("seq", "desc").limit(1));
    if (!last) return 0;
    const n = await this.db.tx((x) => x.run(this.db.q.deleteFrom("audit_log").where("seq", "<=", last.seq)), { access: false });
    await this.append({
      actor: null, source: "system", request_id: "", remote_address: "", action: "audit.purged", object: { kind: "audit", id: null },
      changes: { through: [last.hash, null], removed: [n, null] }, outcome: "ok", pulumi: null,
    });
    return n;
  }
}

import { hash } from "node:crypto";
import { sql, type CompiledQuery } from "kysely";
import { isWellFormedSecret } from "../../../api";
import { hashSecret } from "../../crypto";
import type { Db } from "../db";
import type { Decision } from "../types";
import { decide, hitOf, type AuthRow, type Hit } from "./decide";

/** Bounds the memo of recent lookups (also of unknown secrets). */
const MEMO_MAX = 10_000;
/** last_used_at is written at most this often per key, in one statement. */
const TOUCH_FLUSH_MS = 1000;

/**
 * The data plane's access decision, the only part of the store that answers synchronously: a
 * memo of recent lookups, keyed by an unkeyed SHA-256 of the secret (memory only, which spares the
 * HMAC on repeat requests), and emptied by every access-relevant commit before the next request
 * (Db.onAccessWrite: this process's own commits; on PostgreSQL also every other replica's, by
 * LISTEN/NOTIFY). `trusted()` is the engine's word that no change can have gone unseen (always
 * on SQLite, whose one process owns the file; on PostgreSQL only while its notifications are
 * proven live). A lookup that raced with an invalidation is not memoised. Time-based rules
 * (expiry, grace) run on every request.
 */
export class AccessMemo {
  private memo = new Map<string, Hit>();
  private generation = 0;
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private lookupSql: CompiledQuery<AuthRow>;
  /** Runs with every flush of last uses (usage counters share its schedule). */
  onFlush?: () => Promise<void>;
  /** Memo answers vs database lookups (tests and the benchmark). */
  readonly stats = { memo: 0, database: 0, invalidations: 0 };

  constructor(
    private db: Db,
    private pepper: Buffer,
    private trusted: () => boolean = () => true,
    private onError: (e: unknown) => void = () => undefined,
  ) {
    db.onAccessWrite = () => this.invalidate();
    // Compiled once: a miss on the hot path only binds the hash.
    const h = "";
    this.lookupSql = db.q.selectFrom("keys as k").innerJoin("agents as a", "a.id", "k.agent_id").selectAll("k")
      .select(["a.capabilities as agent_capabilities", "a.deleted_at as agent_deleted_at"])
      .where((eb) => eb.or([eb("k.secret_hash", "=", h), eb("k.previous_secret_hash", "=", h)])).compile() as CompiledQuery<AuthRow>;
    this.timer = setInterval(() => {
      if (!this.flushing) void this.flush().catch(onError);
    }, TOUCH_FLUSH_MS);
    this.timer.unref();
  }

  invalidate(): void {
    this.generation++;
    this.stats.invalidations++;
    this.memo.clear();
    this.admins.clear();
  }

  /**
   * An admin token's row, memoised like keys (a revoke is an access-relevant commit, so it holds
   * from the next request); its last use is written at most once a minute.
   */
  private admins = new Map<string, { row: import("../schema").AdminTokenRow | undefined }>();
  /**
   * When each admin token's last use was last written, by token id. Kept apart from the memo,
   * which every access-relevant commit empties: else every key create made the next admin
   * request write its token's row again (half the creates did, measured by bench/capacity.ts).
   */
  private adminTouched = new Map<string, number>();
  async adminToken(
    secret: string,
    lookup: (s: string) => Promise<import("../schema").AdminTokenRow | undefined>,
    touch: (id: string, at: number) => Promise<void>,
  ): Promise<import("../schema").AdminTokenRow | undefined> {
    const k = hash("sha256", secret, "base64");
    let m = this.admins.get(k);
    if (!m || !this.trusted()) {
      const gen = this.generation;
      m = { row: await lookup(secret) };
      if (gen === this.generation) {
        if (this.admins.size >= MEMO_MAX) this.admins.clear();
        this.admins.set(k, m);
      }
    }
    const now = Date.now();
    if (m.row && now - (this.adminTouched.get(m.row.id) ?? 0) > 60_000) {
      if (this.adminTouched.size >= MEMO_MAX) this.adminTouched.clear();
      this.adminTouched.set(m.row.id, now);
      void touch(m.row.id, now).catch(this.onError);
    }
    return m.row;
  }

  authorize(secret: string, capability: string, now: number, team: string | undefined): Decision | Promise<Decision> {
    if (!secret) return decide(undefined, capability, now, team);
    const memoKey = hash("sha256", secret, "base64");
    const hit = this.memo.get(memoKey);
    if (hit && this.trusted()) {
      this.stats.memo++;
      return decide(hit, capability, now, team);
    }
    // The checksum rejects typos and garbage before any lookup (a memo hit was checked when it was made).
    if (!isWellFormedSecret(secret)) return decide(undefined, capability, now, team);
    const keyed = hashSecret(this.pepper, secret);
    const gen = this.generation;
    this.stats.database++;
    return this.db.read.first<AuthRow>({ ...this.lookupSql, parameters: [keyed, keyed] }).then((row) => {
      const fresh = hitOf(keyed, row);
      if (gen === this.generation) {
        if (this.memo.size >= MEMO_MAX) this.memo.clear();
        this.memo.set(memoKey, fresh);
      }
      return decide(fresh, capability, now, team);
    });
  }

  /** Remembers the use; written by flush() at most once a second per key. */
  touch(keyId: string, now: number): void {
    this.pending.set(keyId, now);
  }

  /** Writes pending last uses in one statement (admin reads of keys call this first, so they see every use). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    this.flushing = this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    await this.onFlush?.();
    if (this.pending.size === 0) return;
    const batch = [...this.pending].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    this.pending.clear();
    try {
      const values = sql.join(batch.map(([id, at]) => sql`(${id}, CAST(${at} AS BIGINT))`));
      const stmt = sql`WITH v(id, at) AS (VALUES ${values})
        UPDATE keys SET last_used_at = v.at FROM v WHERE keys.id = v.id AND (keys.last_used_at IS NULL OR keys.last_used_at < v.at)`;
      await this.db.tx((x) => x.run(stmt.compile(this.db.q)), { access: false });
    } catch (e) {
      // Kept for the next flush (a use newer than the failed one wins).
      for (const [id, at] of batch) if ((this.pending.get(id) ?? 0) < at) this.pending.set(id, at);
      throw e;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(this.onError);
  }
}

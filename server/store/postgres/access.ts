import { hash } from "node:crypto";
import pg from "pg";
import { isWellFormedSecret } from "../../../api";
import { hashSecret } from "../../crypto";
import { decide, hitOf, type AuthRow, type Hit } from "../decide";
import type { Decision } from "../types";
import { ACCESS_CHANNEL, unavailableOr, type PgDb } from "./db";

const MEMO_MAX = 10_000;
/** Longest a change committed by another replica may go unseen here: the memo is trusted only while the
 *  notification path is proven live within this bound. */
export const STALE_BOUND_MS = 1000;
const PING_MS = 250;
const TOUCH_FLUSH_MS = 1000;

const BY_SECRET = `SELECT k.*, a.capabilities AS agent_capabilities, a.deleted_at AS agent_deleted_at
  FROM keys k JOIN agents a ON a.id = k.agent_id WHERE k.secret_hash = $1 OR k.previous_secret_hash = $1`;

/**
 * The data plane's access decision on PostgreSQL, with several replicas writing. The memo of
 * lookups is emptied (1) by this replica's own access-relevant commits, before its next request,
 * and (2) by every other replica's, through LISTEN/NOTIFY: each such transaction notifies on
 * commit. The memo is only trusted while the notification path is proven live: every 250 ms this
 * replica notifies itself, and PostgreSQL delivers notifications in commit order, so receiving our
 * own ping sent at t proves every change committed before t has been seen. When pings stop (the
 * listening connection broke, the database is slow), entries older than the last proven time are
 * not used: every request asks the database, so a change holds everywhere within STALE_BOUND_MS.
 * A lookup that raced with an invalidation is not memoised (the generation moved meanwhile).
 */
export class PgAccess {
  private memo = new Map<string, Hit & { at: number }>();
  private generation = 0;
  /** Changes committed before this time (ms) have been applied to the memo. */
  private provenUntil = 0;
  private listener?: pg.Client;
  private pingTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private touchTimer: NodeJS.Timeout;
  private pending = new Map<string, number>();
  private closed = false;
  private flushing?: Promise<void>;
  onFlush?: () => Promise<void>;
  /** Counts for tests and the benchmark: memo answers vs database lookups. */
  readonly stats = { memo: 0, database: 0, invalidations: 0 };

  constructor(private db: PgDb, private url: string, private pepper: Buffer) {
    db.onAccessWrite = () => this.invalidate();
    this.touchTimer = setInterval(() => {
      if (!this.flushing) void this.flush().catch(() => undefined);
    }, TOUCH_FLUSH_MS);
    this.touchTimer.unref();
  }

  /** Starts listening; resolves once the first self-ping has come back (the memo is usable from then on). */
  async listen(): Promise<void> {
    const c = new pg.Client({ connectionString: this.url, application_name: "writer-local listener" });
    c.on("error", () => this.dropListener(c));
    c.on("end", () => this.dropListener(c));
    c.on("notification", (n) => {
      const p = n.payload ?? "";
      if (p.startsWith("ping:")) {
        const [, replica, sent] = p.split(":");
        if (replica === this.db.replicaId) this.provenUntil = Math.max(this.provenUntil, Number(sent));
      } else {
        this.invalidate();
      }
    });
    await c.connect();
    await c.query(`LISTEN ${ACCESS_CHANNEL}`);
    this.listener = c;
    const ping = () => {
      c.query("SELECT pg_notify($1, $2)", [ACCESS_CHANNEL, `ping:${this.db.replicaId}:${Date.now()}`]).catch(() => this.dropListener(c));
    };
    ping();
    this.pingTimer = setInterval(ping, PING_MS);
    this.pingTimer.unref();
    const deadline = Date.now() + 5000;
    while (this.provenUntil === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  private dropListener(c: pg.Client): void {
    if (this.listener !== c) return;
    this.listener = undefined;
    clearInterval(this.pingTimer);
    this.invalidate();
    c.end().catch(() => undefined);
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => void this.listen().catch(() => this.retryListen()), 500);
    this.reconnectTimer.unref();
  }

  private retryListen(): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => void this.listen().catch(() => this.retryListen()), 1000);
    this.reconnectTimer.unref();
  }

  invalidate(): void {
    this.generation++;
    this.stats.invalidations++;
    this.memo.clear();
  }

  authorize(secret: string, capability: string, now: number, team: string | undefined): Decision | Promise<Decision> {
    if (!secret) return decide(undefined, capability, now, team);
    const memoKey = hash("sha256", secret, "base64");
    const hit = this.memo.get(memoKey);
    // Trusted only if every change committed up to STALE_BOUND_MS ago is known to have reached us.
    if (hit && Date.now() - this.provenUntil < STALE_BOUND_MS) {
      this.stats.memo++;
      return decide(hit, capability, now, team);
    }
    if (!isWellFormedSecret(secret)) return decide(undefined, capability, now, team);
    const keyed = hashSecret(this.pepper, secret);
    const gen = this.generation;
    const fetchedAt = Date.now();
    this.stats.database++;
    return this.db.pool.query<AuthRow>(BY_SECRET, [keyed]).then((r) => {
      const fresh = hitOf(keyed, r.rows[0]);
      if (gen === this.generation) {
        if (this.memo.size >= MEMO_MAX) this.memo.clear();
        this.memo.set(memoKey, { ...fresh, at: fetchedAt });
      }
      return decide(fresh, capability, now, team);
    }, (e) => {
      // Fail closed: without the database no key is accepted on its memo's word past the bound.
      throw unavailableOr(e);
    });
  }

  touch(keyId: string, now: number): void {
    this.pending.set(keyId, now);
  }

  /** Writes pending last_used_at values (admin reads of keys call this first on this replica); one at a time, in key order. */
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
    await this.db.pool.query(
      `UPDATE keys SET last_used_at = v.at FROM (SELECT unnest($1::text[]) AS id, unnest($2::bigint[]) AS at) v
       WHERE keys.id = v.id AND (keys.last_used_at IS NULL OR keys.last_used_at < v.at)`,
      [batch.map((b) => b[0]), batch.map((b) => b[1])],
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.touchTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.reconnectTimer);
    const l = this.listener;
    this.listener = undefined;
    await this.flush().catch(() => undefined);
    await l?.end().catch(() => undefined);
  }
}

import { hash } from "node:crypto";
import { isWellFormedSecret } from "../../../api";
import { hashSecret } from "../../crypto";
import { decide, hitOf, type AuthRow, type Hit } from "../decide";
import type { Decision } from "../types";
import { prepareNeutral, writeGeneration, type DB } from "./db";

/** Bounds the memo of recent lookups (also of unknown secrets). */
const MEMO_MAX = 10_000;
/** last_used_at is written at most this often per key, in one batched transaction. */
const TOUCH_FLUSH_MS = 1000;

/**
 * The data plane's access decision. Each request is one indexed lookup by keyed hash, memoised
 * while nothing that decides access has changed: this process owns the database (exclusive lock,
 * see db.ts) and counts every access-relevant write, so a revoke, disable, capability change or
 * rotation empties the memo before the very next request. Writes that cannot change a decision
 * (last_used_at, usage) are declared neutral and leave the memo alone, so 1,000 keys in use do
 * not keep emptying it. The memo is keyed by an unkeyed SHA-256 of the secret (memory only),
 * which spares the HMAC on repeat requests. Time-based rules (expiry, grace) run on every request.
 */
export class Access {
  private bySecret;
  private touchStmt;
  private memo = new Map<string, Hit>();
  private memoGen = -1;
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout;
  /** Runs with every flush (the usage counters share its schedule). */
  onFlush?: () => void;

  constructor(private db: DB, private pepper: Buffer, private onError: (e: unknown) => void = () => undefined) {
    // One statement, both hash columns indexed (SQLite answers the OR with two index probes).
    this.bySecret = db.prepare(`SELECT k.*, a.capabilities AS agent_capabilities, a.deleted_at AS agent_deleted_at
      FROM keys k JOIN agents a ON a.id = k.agent_id
      WHERE k.secret_hash = @h OR k.previous_secret_hash = @h`);
    this.touchStmt = prepareNeutral(db, "UPDATE keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)");
    this.timer = setInterval(() => this.flushOrReport(), TOUCH_FLUSH_MS);
    this.timer.unref();
  }

  /** The memo's answer, or the database's for a well-formed secret; undefined for a malformed one. */
  private lookup(secret: string): Hit | undefined {
    const gen = writeGeneration(this.db);
    if (gen !== this.memoGen || this.memo.size >= MEMO_MAX) {
      this.memo.clear();
      this.memoGen = gen;
    }
    const memoKey = hash("sha256", secret, "base64");
    let hit = this.memo.get(memoKey);
    if (!hit) {
      // The checksum rejects typos and garbage before any lookup (a memo hit was checked when it was made).
      if (!isWellFormedSecret(secret)) return undefined;
      const keyed = hashSecret(this.pepper, secret);
      hit = hitOf(keyed, this.bySecret.get({ h: keyed }) as AuthRow | undefined);
      this.memo.set(memoKey, hit);
    }
    return hit;
  }

  authorize(secret: string, capability: string, now: number, team: string | undefined): Decision {
    return decide(secret ? this.lookup(secret) : undefined, capability, now, team);
  }

  /** Remembers the use; written by flush() at most once a second per key. */
  touch(keyId: string, now: number): void {
    this.pending.set(keyId, now);
  }

  /** Writes pending last_used_at values in one transaction (admin reads call this first, so they see every use). */
  flush(): void {
    this.onFlush?.();
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    try {
      this.db.transaction(() => {
        for (const [id, at] of batch) this.touchStmt.run(at, id, at);
      })();
    } catch (e) {
      // Kept for the next flush (a use newer than the failed one wins).
      for (const [id, at] of batch) if ((this.pending.get(id) ?? 0) < at) this.pending.set(id, at);
      throw e;
    }
  }

  /** The timer's flush: a failure (a full disk) is reported and retried a second later, never thrown into the timer. */
  private flushOrReport(): void {
    try {
      this.flush();
    } catch (e) {
      this.onError(e);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flushOrReport();
  }
}

import pg from "pg";
import { ACCESS_CHANNEL, type PgDb } from "./db";

/** Longest a change committed by another replica may go unseen here. */
export const STALE_BOUND_MS = 1000;
const PING_MS = 250;

/**
 * How one replica learns of every other replica's access-relevant commits: each such transaction
 * notifies on commit (postgres/db.ts), and this listener empties the access memo when one arrives.
 * The memo is only trusted while the notification path is proven live: every 250 ms this replica
 * notifies itself, and PostgreSQL delivers notifications in commit order, so receiving our own
 * ping sent at t proves every change committed before t has been seen. When pings stop (the
 * listening connection broke, the database is slow), `trusted()` is false and every request asks
 * the database, so a change holds everywhere within STALE_BOUND_MS.
 */
export class AccessListener {
  /** Changes committed before this time (ms) have been applied to the memo. */
  private provenUntil = 0;
  private listener?: pg.Client;
  private pingTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private db: PgDb, private url: string, private invalidate: () => void) {}

  trusted(): boolean {
    return Date.now() - this.provenUntil < STALE_BOUND_MS;
  }

  /** Starts listening; resolves once the first self-ping has come back (the memo is usable from then on). */
  async listen(): Promise<void> {
    const c = new pg.Client({ connectionString: this.url, application_name: "writer-local listener" });
    c.on("error", () => this.drop(c));
    c.on("end", () => this.drop(c));
    c.on("notification", (n) => {
      const p = n.payload ?? "";
      if (p.startsWith("ping:")) {
        const [, replica, sent] = p.split(":");
        if (replica === this.db.replicaId) this.provenUntil = Math.max(this.provenUntil, Number(sent));
      } else if (p !== this.db.replicaId) {
        // Our own commits emptied the memo already, before their next request.
        this.invalidate();
      }
    });
    await c.connect();
    await c.query(`LISTEN ${ACCESS_CHANNEL}`);
    this.listener = c;
    const ping = () => {
      c.query("SELECT pg_notify($1, $2)", [ACCESS_CHANNEL, `ping:${this.db.replicaId}:${Date.now()}`]).catch(() => this.drop(c));
    };
    ping();
    this.pingTimer = setInterval(ping, PING_MS);
    this.pingTimer.unref();
    const deadline = Date.now() + 5000;
    while (this.provenUntil === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  private drop(c: pg.Client): void {
    if (this.listener !== c) return;
    this.listener = undefined;
    clearInterval(this.pingTimer);
    this.invalidate();
    c.end().catch(() => undefined);
    this.retry(500);
  }

  private retry(ms: number): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => void this.listen().catch(() => this.retry(1000)), ms);
    this.reconnectTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.reconnectTimer);
    const l = this.listener;
    this.listener = undefined;
    await l?.end().catch(() => undefined);
  }
}

import { randomBytes } from "node:crypto";

/** A signed-in browser. Kept in memory: a restart signs everyone out (there is nothing else to lose). */
export interface Session {
  expiresAt: number;
  /** A message for the next page only (a new key's secret is shown once this way, never in a URL). */
  flash?: { secret?: string; keyName?: string; notice?: string };
}

export const SESSION_COOKIE = "wl_console";
export const SESSION_TTL_MS = 8 * 3600_000;
const MAX_SESSIONS = 10_000;

export class Sessions {
  private all = new Map<string, Session>();

  create(now = Date.now()): string {
    this.sweep(now);
    const id = randomBytes(32).toString("base64url");
    this.all.set(id, { expiresAt: now + SESSION_TTL_MS });
    return id;
  }

  get(id: string | undefined, now = Date.now()): Session | undefined {
    if (!id) return undefined;
    const s = this.all.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= now) {
      this.all.delete(id);
      return undefined;
    }
    return s;
  }

  /** The flash, once. */
  takeFlash(id: string): Session["flash"] {
    const s = this.all.get(id);
    const f = s?.flash;
    if (s) s.flash = undefined;
    return f;
  }

  end(id: string | undefined): void {
    if (id) this.all.delete(id);
  }

  private sweep(now: number): void {
    for (const [id, s] of this.all) if (s.expiresAt <= now) this.all.delete(id);
    while (this.all.size >= MAX_SESSIONS) this.all.delete(this.all.keys().next().value!);
  }
}

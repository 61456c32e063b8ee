/** YYYY-MM-DD of a UTC time; the last answer is kept, as every request of a second asks for the same day. */
let dayCache = { from: 0, to: -1, day: "" };
export const utcDay = (ms: number) => {
  if (ms >= dayCache.from && ms < dayCache.to) return dayCache.day;
  const day = new Date(ms).toISOString().slice(0, 10);
  const from = Date.parse(`${day}T00:00:00Z`);
  dayCache = { from, to: from + 86_400_000, day };
  return day;
};

export interface PendingUse { agentId: string; requests: number; prompt: number; completion: number; estimated: number }

/**
 * Use and refusals counted in memory between two writes, per key and UTC day (and reason). Both
 * engines write these as increments, so nothing is lost or counted twice.
 */
export class PendingUsage {
  uses = new Map<string, PendingUse>();
  refusals = new Map<string, { agentId: string; count: number }>();

  get empty(): boolean {
    return this.uses.size === 0 && this.refusals.size === 0;
  }

  add(keyId: string, agentId: string, now: number, requests: number, prompt: number, completion: number, estimated = 0): void {
    this.addOnDay(keyId, agentId, utcDay(now), { agentId, requests, prompt, completion, estimated });
  }

  private addOnDay(keyId: string, agentId: string, day: string, u: PendingUse): void {
    const k = `${keyId}|${day}`;
    const p = this.uses.get(k);
    if (p) {
      p.requests += u.requests;
      p.prompt += u.prompt;
      p.completion += u.completion;
      p.estimated += u.estimated;
    } else this.uses.set(k, { ...u, agentId });
  }

  refuse(keyId: string, agentId: string, reason: string, now: number, count = 1): void {
    this.refuseOnDay(`${keyId}|${utcDay(now)}|${reason}`, agentId, count);
  }

  private refuseOnDay(k: string, agentId: string, count: number): void {
    const r = this.refusals.get(k);
    if (r) r.count += count;
    else this.refusals.set(k, { agentId, count });
  }

  /** Everything counted so far as rows ([keyId, day, ...]), and a fresh start. */
  take(): { uses: [string, string, PendingUse][]; refusals: [string, string, string, { agentId: string; count: number }][] } {
    const uses = [...this.uses].map(([k, u]) => [...k.split("|"), u] as [string, string, PendingUse]);
    const refusals = [...this.refusals].map(([k, r]) => [...k.split("|"), r] as [string, string, string, { agentId: string; count: number }]);
    this.uses = new Map();
    this.refusals = new Map();
    return { uses, refusals };
  }

  /** Puts back what a failed write took, to be written with the next one. */
  restore(t: ReturnType<PendingUsage["take"]>): void {
    for (const [keyId, day, u] of t.uses) this.addOnDay(keyId, u.agentId, day, u);
    for (const [keyId, day, reason, r] of t.refusals) this.refuseOnDay(`${keyId}|${day}|${reason}`, r.agentId, r.count);
  }
}
